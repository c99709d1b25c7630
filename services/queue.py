"""Background jobs on taskiq: in-process broker by default, Redis streams with
`REDIS_URL` (acknowledged after the job finishes, so a job whose worker died is
claimed again by a live worker once `JOB_IDLE_TIMEOUT_MS` passes, on a timer:
see `services.scale`).

Every job runs under a lease on its subject (`scale.Leases`): a second delivery of
a job that is running (Redis's redelivery beside the sweeper's requeue) waits for
that run to end before it touches the database, so one lost delivery costs one
attempt and a job never runs twice at once.

The broker is a module global because taskiq's worker imports it by path
(`services.queue:broker`); it is chosen from the environment when first imported.
Jobs take ids, run after their data is committed, and are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from taskiq import AsyncBroker, InMemoryBroker, TaskiqEvents, TaskiqState
from taskiq.exceptions import SendTaskError
from tortoise import Tortoise

from models.accounts import RefreshToken
from services import indexing, jobs, resumes, scale, webhooks
from services.pubsub import PubSub
from services.tailoring import pipeline
from settings import Settings


def _make_broker() -> AsyncBroker:
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        return scale.ReclaimingStreamBroker(
            url=redis_url,
            queue_name=os.environ.get("QUEUE_NAME", "careergraph"),
            consumer_group_name="careergraph",
            idle_timeout=scale.idle_timeout_ms(os.environ),
        )
    return InMemoryBroker()


log = logging.getLogger("careergraph.queue")
broker = _make_broker()
leases = scale.Leases.for_broker(broker)
T = TypeVar("T")


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _worker_startup(state: TaskiqState) -> None:
    if isinstance(broker, InMemoryBroker):
        return  # jobs run inside the server process and share its ORM set-up
    from settings import Settings, tortoise_config

    await Tortoise.init(
        config=tortoise_config(Settings.from_env().database_url),
        _enable_global_fallback=True,
    )


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _worker_shutdown(state: TaskiqState) -> None:
    if isinstance(broker, InMemoryBroker):
        return
    await Tortoise.close_connections()


@broker.task(task_name="accounts.prune_refresh_tokens")
async def prune_refresh_tokens(*, older_than_days: int = 7) -> dict[str, Any]:
    """Delete refresh tokens that expired more than `older_than_days` ago."""
    cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
    deleted = await RefreshToken.filter(expires_at__lt=cutoff).delete()
    return {"deleted": deleted}


def set_parse_deps(deps: resumes.ParseDeps) -> None:
    """What parse jobs of this process use (pub/sub, engine, bounds)."""
    broker.state.parse_deps = deps


@broker.task(task_name="resumes.parse")
async def parse_resume(*, resume_id: int) -> str:
    """Parse one resume. Idempotent: a resume that is not PROCESSING is left alone,
    so a redelivered job after a crash does the right thing."""
    deps: resumes.ParseDeps = broker.state.parse_deps
    return await _tracked(
        f"resume:{resume_id}", lambda: resumes.parse(resume_id=resume_id, deps=deps)
    )


def set_tailor_deps(deps: pipeline.TailorDeps) -> None:
    broker.state.tailor_deps = deps


@broker.task(task_name="tailoring.tailor")
async def tailor_resume(*, resume_id: int) -> str:
    """Tailor one resume. Idempotent like parsing: it runs only on a PROCESSING
    resume, and a newer run supersedes an older one."""
    deps: pipeline.TailorDeps = broker.state.tailor_deps
    return await _tracked(
        f"resume:{resume_id}", lambda: pipeline.tailor(resume_id=resume_id, deps=deps)
    )


async def _tracked(key: str, job: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a job under the lease `key` (see `scale.Leases`: a second delivery of
    a running job waits for it) so that `cancel_running_jobs` can stop it."""
    async with leases.hold(key):
        task = asyncio.current_task()
        if task is not None:
            _running.add(task)
        try:
            return await job()
        finally:
            if task is not None:
                _running.discard(task)


_running: set[asyncio.Task[Any]] = set()


async def cancel_running_jobs(grace: float = 5.0) -> int:
    """Stop this process's jobs before its connections close. They stay
    PROCESSING and are requeued by a sweeper (jobs are idempotent)."""
    tasks = [t for t in _running if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=grace)
    return len(tasks)


KICK_RETRIES = (0.2, 0.5, 1.0)  # seconds between tries when Redis is unreachable


async def _kick(task: Any, what: str, **kwargs: Any) -> None:
    """Queue a job whose data is committed. Redis restarting: try again a few
    times; then leave it to the sweeper (the row says the job is due), so the
    request that committed it does not fail after the fact."""
    for delay in (*KICK_RETRIES, None):
        try:
            await task.kiq(**kwargs)
            return
        except SendTaskError:
            if delay is None:
                log.warning("could not queue %s; the sweeper will", what)
                return
            await asyncio.sleep(delay)


async def enqueue_parse(resume_id: int) -> None:
    await _kick(parse_resume, f"resume {resume_id}", resume_id=resume_id)


async def enqueue_tailor(resume_id: int) -> None:
    await _kick(tailor_resume, f"resume {resume_id}", resume_id=resume_id)


def set_jobs_pubsub(pubsub: PubSub) -> None:
    """Where expiry publishes job events (this process's pub/sub)."""
    broker.state.jobs_pubsub = pubsub


@broker.task(task_name="jobs.expire_overdue")
async def expire_overdue_jobs() -> int:
    """Expire HELD or ACCEPTED jobs past their deadline, reward back to the poster.
    Idempotent: each job expires once however many sweepers enqueue this."""
    pubsub: PubSub = broker.state.jobs_pubsub
    return await _tracked("jobs:expire", lambda: jobs.expire_overdue(pubsub=pubsub))


async def enqueue_expire_jobs() -> None:
    await _kick(expire_overdue_jobs, "job expiry")


def set_index_deps(deps: indexing.IndexDeps) -> None:
    """What index jobs (and the edits that queue them) of this process use."""
    deps.enqueue = enqueue_index
    broker.state.index_deps = deps
    indexing.set_deps(deps)


@broker.task(task_name="indexing.index_profile")
async def index_profile(*, profile_id: int, stuck: bool = False) -> str:
    """Index one profile after its edits went quiet (debounced). Idempotent: only
    a QUEUED profile is claimed; a newer run or a reset supersedes this one."""
    deps: indexing.IndexDeps = broker.state.index_deps
    return await _tracked(
        f"index:{profile_id}",
        lambda: indexing.run(profile_id=profile_id, deps=deps, stuck=stuck),
    )


async def enqueue_index(profile_id: int, *, stuck: bool = False) -> None:
    await _kick(
        index_profile, f"index {profile_id}", profile_id=profile_id, stuck=stuck
    )


def set_billing_settings(settings: Settings) -> None:
    """The settings Stripe webhook jobs of this process use."""
    broker.state.billing_settings = settings


@broker.task(task_name="billing.apply_stripe_event")
async def apply_stripe_event(*, event_row_id: int) -> str:
    """Apply one stored Stripe event. Idempotent: the row is claimed in the same
    transaction as its effects, so a rerun after a crash applies it once."""
    settings: Settings = broker.state.billing_settings
    return await _tracked(
        f"stripe:{event_row_id}",
        lambda: webhooks.apply(event_row_id=event_row_id, settings=settings),
    )


async def enqueue_stripe_event(event_row_id: int) -> None:
    await _kick(
        apply_stripe_event, f"stripe event {event_row_id}", event_row_id=event_row_id
    )
