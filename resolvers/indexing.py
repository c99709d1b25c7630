"""Resolvers of profile indexing: `reindexProfile` and `indexingEvents`."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from schema.context import Info
from schema.indexing import IndexingEvent, IndexingStatus, ReindexProfilePayload
from services import indexing


async def reindex_profile(info: Info) -> ReindexProfilePayload:
    row = await indexing.request_reindex(
        organization_id=info.context.require_actor().organization_id
    )
    return ReindexProfilePayload(
        indexing_status=IndexingStatus.from_status(indexing.status_of(row))
    )


async def indexing_events(info: Info) -> AsyncGenerator[IndexingEvent, None]:
    """The viewer's profile index: its current state first, then each step,
    ending on READY or FAILED (at once when nothing is queued or running)."""
    actor = info.context.require_actor()
    row = await indexing.get_state(organization_id=actor.organization_id)
    pubsub = info.context.runtime.pubsub
    async with pubsub.subscribe(indexing.channel(row.profile_id)) as stream:
        await row.refresh_from_db()
        current = indexing.event(row)
        yield IndexingEvent.from_message(current)
        if row.state in indexing.TERMINAL:
            return
        async for message in stream:
            if message == current:
                continue  # published before (or as) the state we already sent
            current = message
            yield IndexingEvent.from_message(message)
            if message["state"] in indexing.TERMINAL:
                return
