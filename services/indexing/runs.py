"""Profile indexing: the profile (its fields, every section entry, the master
resume's structured data) cut into chunks that keep their source, indexed for
lexical search (BM25, `bm25s`) and by embeddings (`services.embeddings`), with a
live state per profile.

Re-indexing is automatic: a change to the profile, a section entry or a resume
(tortoise `post_save`/`post_delete` signals, registered here) or an explicit
`touch` marks the profile dirty. The first mark of a burst queues one job
(`services.queue.index_profile`); the job waits until `index_debounce` seconds
pass without a new mark, claims the run by raising `attempts` (a newer run
supersedes it), and publishes each step on `index:{profile_id}` after the step's
state is committed. A mark that arrives while a run is going queues the next run
at its end. Vectors of another model than the organization's current one are
never compared: a model change marks the profile dirty again.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.signals import post_delete, post_save
from tortoise.transactions import in_transaction

from models.indexing import ProfileChunk, ProfileIndex
from models.profiles import (
    Certification,
    Education,
    Experience,
    Profile,
    Project,
    Skill,
)
from models.resumes import Resume
from models.tailoring import LlmConfig
from services import embeddings, runs
from services.embeddings import EmbeddingUnavailable
from services.pubsub import PubSub
from services.runs import Superseded as Superseded

if TYPE_CHECKING:
    from settings import Settings


from services.indexing.chunks import chunk_tokens, collect, embed_text, pack

log = logging.getLogger("careergraph.indexing")

STATES = ("IDLE", "QUEUED", "INDEXING", "READY", "FAILED")
TERMINAL = ("READY", "FAILED")  # where indexingEvents ends
EMBED_BATCH = 32  # chunks per embedding call (one progress event each)
# profile columns whose change does not change what is indexed
_PRESENTATION = frozenset(
    {"theme_id", "accent_color", "font", "section_order", "updated_at"}
)


@dataclass(slots=True)
class IndexDeps:
    pubsub: PubSub
    settings: Settings
    enqueue: Any = None  # async (profile_id) -> None: Jobs.enqueue_index


# the deps of the request or job at hand (set by the application's middleware and
# by `Jobs` around each job): model signals reach no application otherwise
_DEPS: contextvars.ContextVar[IndexDeps | None] = contextvars.ContextVar(
    "careergraph_index_deps", default=None
)


def set_deps(deps: IndexDeps | None) -> contextvars.Token[IndexDeps | None]:
    """Use `deps` in this context (and the tasks it starts); None: no indexing
    (a process without jobs). Returns the token to `reset_deps` with."""
    return _DEPS.set(deps)


def reset_deps(token: contextvars.Token[IndexDeps | None]) -> None:
    _DEPS.reset(token)


def current_deps() -> IndexDeps | None:
    return _DEPS.get()


# -- state and events ------------------------------------------------------------------


def channel(profile_id: int) -> str:
    return f"index:{profile_id}"


def event(row: ProfileIndex) -> dict[str, Any]:
    return {
        "profile_id": row.profile_id,
        "state": row.state,
        "stage": row.stage,
        "progress": row.progress,
        "indexed_chunks": row.indexed_chunks,
        "total_chunks": row.total_chunks,
        "engine": row.engine,
        "model": row.model,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "last_indexed_at": row.last_indexed_at.isoformat()
        if row.last_indexed_at
        else None,
    }


async def _profile_id(organization_id: int, using_db: Any = None) -> int:
    profile = await Profile.get_or_none(
        organization_id=organization_id, using_db=using_db
    )
    if profile is None:
        try:
            profile = await Profile.create(
                organization_id=organization_id, using_db=using_db
            )
        except IntegrityError:
            profile = await Profile.get(organization_id=organization_id)
    return int(profile.id)


async def get_state(*, organization_id: int, using_db: Any = None) -> ProfileIndex:
    """The profile's index state row (created IDLE on first use)."""
    row: ProfileIndex | None = await ProfileIndex.get_or_none(
        organization_id=organization_id, using_db=using_db
    )
    if row is not None:
        return row
    profile_id = await _profile_id(organization_id, using_db)
    try:
        return await ProfileIndex.create(
            organization_id=organization_id, profile_id=profile_id, using_db=using_db
        )
    except IntegrityError:  # created concurrently
        return await ProfileIndex.get(organization_id=organization_id)


async def _publish(row: ProfileIndex) -> None:
    deps = current_deps()
    if deps is not None:
        await deps.pubsub.publish(channel(row.profile_id), event(row))


async def touch(*, organization_id: int, using_db: Any = None) -> bool:
    """Mark the profile dirty; queue a run unless one is already queued or going.
    Returns whether a job was queued."""
    now = datetime.now(UTC)
    row = await get_state(organization_id=organization_id, using_db=using_db)
    if row.state in ("QUEUED", "INDEXING"):
        # the queued run waits for quiet from this mark; a running one re-queues
        # when it ends (its `updated_at` is its own progress: a dead run still
        # looks stuck to the sweeper however many edits arrive)
        await ProfileIndex.filter(id=row.id).using_db(using_db).update(dirty_at=now)
        return False
    updated = (
        await ProfileIndex.filter(id=row.id, state=row.state)
        .using_db(using_db)
        .update(
            state="QUEUED", stage="queued", progress=0, dirty_at=now, updated_at=now
        )
    )
    if not updated:  # another request queued it in between
        return False
    row.update_from_dict(
        {"state": "QUEUED", "stage": "queued", "progress": 0, "dirty_at": now}
    )
    await _publish(row)
    await _enqueue(row.profile_id)
    return True


async def _enqueue(profile_id: int) -> None:
    """Queue the job from a fresh context: a mark made inside a transaction (a
    signal of a write in `in_transaction`) must not hand the transaction's
    connection to the job, which outlives it (the in-process broker runs jobs as
    tasks that copy the caller's context). The job waits for the debounce before
    it reads, by which time the marking transaction has committed."""
    deps = current_deps()
    if deps is not None and deps.enqueue is not None:
        loop = asyncio.get_running_loop()
        await loop.create_task(deps.enqueue(profile_id), context=contextvars.Context())


async def request_reindex(*, organization_id: int) -> ProfileIndex:
    """`reindexProfile`: mark dirty now (the run still waits for the debounce)."""
    await touch(organization_id=organization_id)
    return await get_state(organization_id=organization_id)


async def clear(*, organization_id: int) -> int:
    """Delete the profile's chunks and embeddings (reset); the state goes IDLE."""
    async with in_transaction():
        deleted = await ProfileChunk.filter(organization_id=organization_id).delete()
        row = await get_state(organization_id=organization_id)
        await ProfileIndex.filter(id=row.id).update(
            state="IDLE",
            stage="cleared",
            progress=0,
            indexed_chunks=0,
            total_chunks=0,
            dirty_at=None,
            attempts=F("attempts") + 1,  # a running index stops at its next step
            error_code=None,
            error_message=None,
            updated_at=datetime.now(UTC),
        )
    await row.refresh_from_db()
    await _publish(row)
    return deleted


# -- automatic re-indexing -------------------------------------------------------------


async def _on_save(
    sender: type[Any],
    instance: Any,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: Iterable[str] | None,
) -> None:
    if isinstance(instance, Profile) and (
        created  # created empty on first use: nothing to index yet
        or (update_fields is not None and set(update_fields) <= _PRESENTATION)
    ):
        return
    if isinstance(instance, Resume) and not instance.is_master:
        return
    await changed(organization_id=instance.organization_id, using_db=using_db)


async def _on_delete(
    sender: type[Any], instance: Any, using_db: BaseDBAsyncClient | None
) -> None:
    if isinstance(instance, Resume) and not instance.is_master:
        return
    await changed(organization_id=instance.organization_id, using_db=using_db)


async def changed(*, organization_id: int, using_db: Any = None) -> None:
    """The hook for code that changes indexed data without a model signal (bulk
    updates): marks the profile dirty, and never fails the caller's change."""
    if current_deps() is None:
        return  # a process without jobs (migrations, admin commands)
    try:
        await touch(organization_id=organization_id, using_db=using_db)
    except Exception:  # indexing never fails the edit that triggered it
        log.exception("could not mark profile of organization %s", organization_id)


# an organization's model settings decide the embedding model: a change re-indexes
post_save(
    Profile, Skill, Experience, Education, Project, Certification, Resume, LlmConfig
)(_on_save)
post_delete(Profile, Skill, Experience, Education, Project, Certification, Resume)(
    _on_delete
)


# -- the run ---------------------------------------------------------------------------


# a run of the lifecycle in `services.runs`: claimed by attempt from QUEUED (or,
# requeued by the sweeper, from INDEXING), never given up (a failure is FAILED)
RUNS: runs.Lifecycle[ProfileIndex] = runs.Lifecycle(
    ProfileIndex, active={"state": "INDEXING"}, key="profile_id", max_attempts=None
)
_DUE = runs.Lifecycle(  # a run queued or going: the sweeper requeues it when lost
    ProfileIndex, active={"state__in": ["QUEUED", "INDEXING"]}, key="profile_id"
)


async def _step(row: ProfileIndex, *, attempt: int, **values: Any) -> None:
    await RUNS.write(row.profile_id, attempt, values)
    row.update_from_dict(values)
    await _publish(row)


async def _wait_for_quiet(profile_id: int, debounce: float) -> ProfileIndex | None:
    """Wait until `debounce` seconds passed since the last mark; None when there
    is nothing to run (already claimed, or not queued)."""
    await asyncio.sleep(debounce)  # also lets the marking transaction commit
    while True:
        row = await ProfileIndex.get_or_none(profile_id=profile_id)
        if row is None or row.state != "QUEUED":
            return None
        quiet_at = (row.dirty_at or datetime.now(UTC)) + timedelta(seconds=debounce)
        wait = (quiet_at - datetime.now(UTC)).total_seconds()
        if wait <= 0:
            return row
        await asyncio.sleep(wait)


async def run(*, profile_id: int, deps: IndexDeps, stuck: bool = False) -> str:
    """Index one profile; returns its final state. Idempotent: only a QUEUED
    profile (or, with `stuck`, one whose run was lost) is claimed."""
    try:
        return await _run(profile_id=profile_id, deps=deps, stuck=stuck)
    except Superseded:
        log.info("index of profile %s superseded", profile_id)
        return "SUPERSEDED"


async def _run(*, profile_id: int, deps: IndexDeps, stuck: bool) -> str:
    if not stuck:
        queued = await _wait_for_quiet(profile_id, deps.settings.index_debounce)
        if queued is None:
            return "SKIPPED"
        claim = Q(state="QUEUED")
    else:
        claim = Q(state__in=["QUEUED", "INDEXING"])
    updated = await RUNS.claim(
        profile_id,
        claimable=claim,
        state="INDEXING",
        stage="chunking",
        progress=5,
        dirty_at=None,
        error_code=None,
        error_message=None,
    )
    if not updated:
        return "SKIPPED"
    row = await ProfileIndex.get(profile_id=profile_id)
    attempt = row.attempts
    await _publish(row)
    try:
        return await _index(row, attempt=attempt, deps=deps)
    except Superseded:
        raise
    except EmbeddingUnavailable as exc:
        return await _fail(row, attempt, "EMBEDDING_UNAVAILABLE", str(exc)[:500])
    except Exception:
        log.exception("indexing profile %s failed", profile_id)
        return await _fail(row, attempt, "INDEXING_FAILED", "Indexing failed")


async def _fail(row: ProfileIndex, attempt: int, code: str, message: str) -> str:
    await _step(
        row,
        attempt=attempt,
        state="FAILED",
        stage="failed",
        progress=100,
        error_code=code,
        error_message=message,
    )
    await _requeue_if_dirty(row)
    return "FAILED"


async def _index(row: ProfileIndex, *, attempt: int, deps: IndexDeps) -> str:
    profile = await Profile.get(id=row.profile_id)
    drafts = await collect(profile)
    embedder = await embeddings.embedder_for(
        organization_id=row.organization_id, settings=deps.settings
    )
    await _step(
        row,
        attempt=attempt,
        stage="embedding",
        progress=10,
        total_chunks=len(drafts),
        indexed_chunks=0,
        engine=embedder.engine,
        model=embedder.model,
    )
    vectors: list[list[float]] = []
    for start in range(0, len(drafts), EMBED_BATCH):
        batch = drafts[start : start + EMBED_BATCH]
        vectors.extend(
            await embedder.embed([embed_text(d.section, d.text) for d in batch])
        )
        done = len(vectors)
        await _step(
            row,
            attempt=attempt,
            progress=10 + int(80 * done / max(1, len(drafts))),
            indexed_chunks=done,
        )
    await _step(row, attempt=attempt, stage="saving", progress=95)
    now = datetime.now(UTC)
    async with in_transaction():
        # still ours? (checked inside the transaction, with the write below)
        owned = await ProfileIndex.filter(
            id=row.id, state="INDEXING", attempts=attempt
        ).update(
            state="READY",
            stage="done",
            progress=100,
            indexed_chunks=len(drafts),
            last_indexed_at=now,
            updated_at=now,
        )
        if not owned:
            raise Superseded(row.profile_id)
        await ProfileChunk.filter(profile_id=row.profile_id).delete()
        await ProfileChunk.bulk_create(
            [
                ProfileChunk(
                    organization_id=row.organization_id,
                    profile_id=row.profile_id,
                    position=i,
                    section=d.section,
                    entry_id=d.entry_id,
                    visibility=d.visibility,
                    text=d.text,
                    tokens=chunk_tokens(d.section, d.text),
                    vector=pack(v),
                    dim=len(v),
                    engine=embedder.engine,
                    model=embedder.model,
                )
                for i, (d, v) in enumerate(zip(drafts, vectors, strict=True))
            ]
        )
    row.update_from_dict(
        {
            "state": "READY",
            "stage": "done",
            "progress": 100,
            "indexed_chunks": len(drafts),
            "last_indexed_at": now,
        }
    )
    await _publish(row)
    await _requeue_if_dirty(row)
    return "READY"


async def _requeue_if_dirty(row: ProfileIndex) -> None:
    """A mark that arrived during the run queues the next one."""
    fresh = await ProfileIndex.get(id=row.id)
    if fresh.dirty_at is None or fresh.state not in ("READY", "FAILED"):
        return
    updated = await ProfileIndex.filter(id=row.id, state=fresh.state).update(
        state="QUEUED", stage="queued", progress=0, updated_at=datetime.now(UTC)
    )
    if updated:
        fresh.update_from_dict({"state": "QUEUED", "stage": "queued", "progress": 0})
        await _publish(fresh)
        await _enqueue(row.profile_id)


async def claim_stuck(*, older_than: datetime) -> list[int]:
    """Profiles queued or indexing with no progress since `older_than` (their job
    was lost): their ids, for the sweeper to queue again."""
    return await _DUE.sweep(older_than=older_than, touch=False)


# -- status ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexStatus:
    state: str
    indexed_chunks: int
    total_chunks: int
    completeness: float
    engine: str | None
    model: str | None
    last_indexed_at: datetime | None
    error_code: str | None
    progress: int
    stage: str


def status_of(row: ProfileIndex) -> IndexStatus:
    total = row.total_chunks
    return IndexStatus(
        state=row.state,
        indexed_chunks=row.indexed_chunks,
        total_chunks=total,
        completeness=round(row.indexed_chunks / total, 4) if total else 0.0,
        engine=row.engine or None,
        model=row.model or None,
        last_indexed_at=row.last_indexed_at,
        error_code=row.error_code,
        progress=row.progress,
        stage=row.stage,
    )


async def status(*, organization_id: int) -> IndexStatus:
    return status_of(await get_state(organization_id=organization_id))
