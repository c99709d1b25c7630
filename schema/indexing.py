"""GraphQL types of profile indexing: the index status, its live events and
`reindexProfile`'s payload."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry

from schema.base import UserError
from schema.context import Info
from schema.docs import describe_values
from schema.processing import Engine, IndexingStage, ProcessingErrorCode

if TYPE_CHECKING:
    from schema.profiles import ProfileNode
    from services.indexing import IndexStatus


@describe_values(
    IDLE="Never indexed.",
    QUEUED="A run waits for a worker.",
    INDEXING="A run is going on.",
    READY="Indexed: search and chat use it.",
    FAILED="The last run failed; the old vectors still serve.",
)
@strawberry.enum(description="Where a profile's index stands.")
class IndexingState(Enum):
    IDLE = "IDLE"
    QUEUED = "QUEUED"
    INDEXING = "INDEXING"
    READY = "READY"
    FAILED = "FAILED"


@strawberry.type(
    description="How complete the profile's search index is: chunks of the "
    "profile, its sections and the master resume, with the model of their vectors."
)
class IndexingStatus:
    state: IndexingState = strawberry.field(description="Where the index stands.")
    indexed_chunks: int = strawberry.field(
        description="Chunks with a vector of the current model."
    )
    total_chunks: int = strawberry.field(description="Chunks the profile makes.")
    completeness: float = strawberry.field(
        description="indexedChunks / totalChunks (0 when there is nothing)."
    )
    engine: Engine | None = strawberry.field(
        description="What computed the vectors; null before the first run."
    )
    model: str | None = strawberry.field(
        description="The embedding model of the vectors."
    )
    last_indexed_at: dt.datetime | None = strawberry.field(
        description="When a run last ended READY."
    )
    error_code: ProcessingErrorCode | None = strawberry.field(
        description="Why the last run failed (FAILED only)."
    )
    stage: IndexingStage = strawberry.field(
        description="The step of the current or last run."
    )
    progress: int = strawberry.field(
        description="Percent of the current or last run, 0 to 100."
    )

    @classmethod
    def from_status(cls, status: IndexStatus) -> Self:
        return cls(
            state=IndexingState(status.state),
            indexed_chunks=status.indexed_chunks,
            total_chunks=status.total_chunks,
            completeness=status.completeness,
            engine=Engine.parse(status.engine),
            model=status.model,
            last_indexed_at=status.last_indexed_at,
            error_code=ProcessingErrorCode.parse(status.error_code),
            stage=IndexingStage.parse(status.stage),
            progress=status.progress,
        )


@strawberry.type(description="One step of a profile's indexing.")
class IndexingEvent:
    state: IndexingState = strawberry.field(description="Where the index stands.")
    stage: IndexingStage = strawberry.field(description="The step reached.")
    progress: int = strawberry.field(description="Percent done, 0 to 100.")
    indexed_chunks: int = strawberry.field(description="Chunks with a vector so far.")
    total_chunks: int = strawberry.field(description="Chunks the profile makes.")
    engine: Engine | None = strawberry.field(description="What computes the vectors.")
    model: str | None = strawberry.field(description="The embedding model.")
    error_code: ProcessingErrorCode | None = strawberry.field(
        description="Why it failed (FAILED only)."
    )
    error_message: str | None = strawberry.field(
        description="What failed, for people (FAILED only)."
    )

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Self:
        return cls(
            state=IndexingState(message["state"]),
            stage=IndexingStage.parse(message["stage"]),
            progress=message["progress"],
            indexed_chunks=message["indexed_chunks"],
            total_chunks=message["total_chunks"],
            engine=Engine.parse(message["engine"]),
            model=message["model"] or None,
            error_code=ProcessingErrorCode.parse(message["error_code"]),
            error_message=message["error_message"],
        )

    @strawberry.field(
        description="The profile being indexed, read fresh per event, so a "
        "normalized cache updates its `indexingStatus` without a hand-written "
        "updater (as `resumeEvents` carry `resume`)."
    )
    async def profile(
        self, info: Info
    ) -> Annotated[ProfileNode, strawberry.lazy("schema.profiles")]:
        from schema.profiles import ProfileNode

        info.context.require_actor()
        loaders = info.context.loaders.profiles
        loaders.forget()  # a socket's loaders outlive one event: read it fresh
        return ProfileNode.from_row(await loaders.profile())


@strawberry.type(description="The result of reindexProfile.")
class ReindexProfilePayload:
    indexing_status: IndexingStatus | None = strawberry.field(
        default=None, description="The index status after the request (QUEUED)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )
