"""Per-request loaders of the tailoring domain: letters by id (node lookups), and
the letters of many resumes, one query per page shape (kind, cursor, size)
whatever the number of resumes."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.dataloader import DataLoader

from models.tailoring import Letter
from services.accounts import Actor
from services.tailoring import letters

PageKey = tuple[str, int | None, int, bool]  # kind, cursor id, rows, backward


class TailoringLoaders:
    def __init__(self, actor: Callable[[], Actor | None]) -> None:
        self._actor = actor
        self._pages: dict[PageKey, DataLoader[int, list[Letter]]] = {}
        self.letter_by_id: DataLoader[int, Letter | None] = DataLoader(
            load_fn=self._letters_by_id
        )

        self._counts: dict[str, DataLoader[int, int]] = {}

    async def _letters_by_id(self, ids: list[int]) -> list[Letter | None]:
        actor = self._actor()
        if actor is None:
            return [None for _ in ids]
        rows = await letters.get_letters(organization_id=actor.organization_id, ids=ids)
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]

    def letter_counts(self, kind: str) -> DataLoader[int, int]:
        """How many letters of `kind` a resume id has (one query per kind)."""
        loader = self._counts.get(kind)
        if loader is None:

            async def load(resume_ids: list[int]) -> list[int]:
                actor = self._actor()
                if actor is None:
                    return [0 for _ in resume_ids]
                found = await letters.count_letters_of_resumes(
                    organization_id=actor.organization_id,
                    resume_ids=resume_ids,
                    kind=kind,
                )
                return [found[i] for i in resume_ids]

            loader = self._counts[kind] = DataLoader(load_fn=load)
        return loader

    def letters(
        self, *, kind: str, after: int | None, limit: int, backward: bool = False
    ) -> DataLoader[int, list[Letter]]:
        """Letters of a resume id: newest first, `limit` after the cursor id
        (`backward`: oldest first, `limit` newer than the cursor id)."""
        key = (kind, after, limit, backward)
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
                    backward=backward,
                )
                return [found[i] for i in resume_ids]

            loader = self._pages[key] = DataLoader(load_fn=load)
        return loader
