"""Per-request loaders of the indexing and chat domains: the viewer's index
status, transcripts by id and their messages by transcript (batched)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from strawberry.dataloader import DataLoader

from models.chat import ChatMessage, Conversation
from services import chat, indexing
from services.accounts import Actor
from services.errors import PlanRequired


class IndexingLoaders:
    def __init__(self, actor: Callable[[], Actor | None]) -> None:
        self._actor = actor
        self.transcript_by_id = DataLoader[int, Conversation | None](
            load_fn=self._transcripts
        )
        self.messages_by_conversation = DataLoader[int, list[ChatMessage]](
            load_fn=self._messages
        )

    def _org(self) -> int | None:
        actor = self._actor()
        return actor.organization_id if actor else None

    def _require_org(self) -> int:
        org = self._org()
        assert org is not None, "viewer fields are reached only when authenticated"
        return org

    async def status(self) -> indexing.IndexStatus:
        return await indexing.status(organization_id=self._require_org())

    async def engagement(self, *, start: date, end: date) -> chat.Engagement:
        return await chat.engagement(
            organization_id=self._require_org(), start=start, end=end
        )

    async def transcripts(
        self,
        *,
        first: int,
        before_id: int | None,
        start: date | None,
        end: date | None,
        backward: bool = False,
    ) -> tuple[bool, str, list[Conversation]]:
        """(available, plan, rows): rows are empty below Pro."""
        org = self._require_org()
        actor = self._actor()
        assert actor is not None
        try:
            rows = await chat.list_transcripts(
                actor=actor,
                first=first,
                before_id=before_id,
                start=start,
                end=end,
                backward=backward,
            )
        except PlanRequired:
            return False, await chat.plan_of(org), []
        return True, await chat.plan_of(org), rows

    async def transcript_count(self, *, start: date | None, end: date | None) -> int:
        """0 below Pro, like the empty page."""
        actor = self._actor()
        assert actor is not None
        try:
            return await chat.count_transcripts(actor=actor, start=start, end=end)
        except PlanRequired:
            return 0

    async def _transcripts(self, ids: list[int]) -> list[Conversation | None]:
        org = self._org()
        if org is None:
            return [None] * len(ids)
        rows = await chat.get_transcripts(organization_id=org, ids=ids)
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _messages(self, ids: list[int]) -> list[list[ChatMessage]]:
        org = self._org()
        if org is None:
            return [[] for _ in ids]
        found = await chat.messages_of(organization_id=org, conversation_ids=ids)
        return [found.get(i, []) for i in ids]
