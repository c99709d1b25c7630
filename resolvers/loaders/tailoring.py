"""Per-request loaders of the tailoring domain: letters by id (node lookups), and
the letters of many resumes, one query per page shape (kind, cursor, size)
whatever the number of resumes."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.dataloader import DataLoader

from models.tailoring import Letter
from services.accounts import Actor
from services.tailoring import letters

PageKey = tuple[str, int | None, int]  # kind, cursor id, rows per resume


class TailoringLoaders:
    def __init__(self, actor: Callable[[], Actor | None]) -> None:
        self._actor = actor
        self._pages: dict[PageKey, DataLoader[int, list[Letter]]] = {}
        self.letter_by_id: DataLoader[int, Letter | None] = DataLoader(
            load_fn=self._letters_by_id
        )

    async def _letters_by_id(self, ids: list[int]) -> list[Letter | None]:
        actor = self._actor()
        if actor is None:
            return [None for _ in ids]
        rows = await letters.get_letters(organization_id=actor.organization_id, ids=ids)
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]

    def letters(
        self, *, kind: str, after: int | None, limit: int
    ) -> DataLoader[int, list[Letter]]:
        """Letters of a resume id: newest first, `limit` after the cursor id."""
        key = (kind, after, limit)
        loader = self._pages.get(key)
        if loader is None:

            async def load(resume_ids: list[int]) -> list[list[Letter]]:
                actor = self._actor()
                if actor is None:
                    return [[] for _ in resume_ids]
                found = await letters.letters_of_resumes(
                    organization_id=actor.organization_id,
                    resume_ids=resume_ids,
                    kind=kind,
                    after=after,
                    limit=limit,
                )
                return [found[i] for i in resume_ids]

            loader = self._pages[key] = DataLoader(load_fn=load)
        return loader
