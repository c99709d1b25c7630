"""Background jobs on taskiq, held by one `Jobs` object per process.

`Jobs.build(settings, pubsub)` makes the broker from `Settings` (the in-process
broker, or with `redis_url` Redis streams named `queue_name`, acknowledged after
the job finishes, so a job whose worker died is claimed again by a live worker
after `job_idle_timeout_ms`, on a timer: see `services.scale`), registers every
job kind on it with the dependencies its jobs use, and offers `enqueue_*` for
callers that committed a job's row. `create_app(settings)` and `server.py worker`
each build one; resolvers reach it as `context.runtime.jobs`. Nothing about jobs
lives at module level: two applications in one process (tests) have their own.

Every job runs under a lease on its subject (`scale.Leases`): a second delivery of
a job that is running (Redis's redelivery beside the sweeper's requeue) waits for
that run to end before it touches the database, so one lost delivery costs one
attempt and a job never runs twice at once. Jobs take ids, run after their data
is committed, and are idempotent (the run lifecycle: `services.runs`).

A new job kind: its job function (taking ids), a `_kind(...)` line in
`Jobs.__init__`, an `enqueue_*` method, and, when its rows can be lost, a line in
`Jobs.sweep`. taskiq's own worker CLI takes `services.queue:worker_broker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from taskiq import AsyncBroker, InMemoryBroker, TaskiqEvents, TaskiqState
from taskiq.exceptions import SendTaskError
from tortoise import Tortoise

from models.accounts import RefreshToken
from services import indexing, jobs, resumes, scale, webhooks
from services.pubsub import PubSub
from services.tailoring import pipeline
from settings import Settings, tortoise_config

log = logging.getLogger("careergraph.queue")

T = TypeVar("T")
KICK_RETRIES = (0.2, 0.5, 1.0)  # seconds between tries when Redis is unreachable


def make_broker(settings: Settings) -> AsyncBroker:
    """The in-process broker, or Redis streams with `settings.redis_url`."""
    if settings.redis_url:
        return scale.ReclaimingStreamBroker(
            url=settings.redis_url,
            queue_name=settings.queue_name,
            consumer_group_name="careergraph",
            idle_timeout=settings.job_idle_timeout_ms,
        )
    return InMemoryBroker()


def parse_deps(settings: Settings, pubsub: PubSub) -> resumes.ParseDeps:
    from services.tailoring.engines import model_for

    async def models(organization_id: int) -> Any:
        return await model_for(organization_id=organization_id, settings=settings)

    return resumes.ParseDeps(
        pubsub=pubsub,
        timeout=settings.parse_timeout,
        memory_mb=settings.parse_memory_mb,
        models=models,
        fault_delay=settings.parse_fault_delay,
        slots=asyncio.Semaphore(settings.parse_concurrency),
    )


async def prune_refresh_tokens(*, older_than_days: int = 7) -> dict[str, Any]:
    """Delete refresh tokens that expired more than `older_than_days` ago."""
    cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
    deleted = await RefreshToken.filter(expires_at__lt=cutoff).delete()
    return {"deleted": deleted}


class Jobs:
    """The process's broker, its job kinds and their dependencies."""

    def __init__(
        self, settings: Settings, *, pubsub: PubSub, broker: AsyncBroker | None = None
    ) -> None:
        self.settings = settings
        self.pubsub = pubsub
        self.broker = broker if broker is not None else make_broker(settings)
        self.leases = scale.Leases.for_broker(self.broker)
        self.parse_deps = parse_deps(settings, pubsub)
        self.tailor_deps = pipeline.TailorDeps(
            pubsub=pubsub, settings=settings, enqueue=self.enqueue_tailor
        )
        self.index_deps = indexing.IndexDeps(
            pubsub=pubsub, settings=settings, enqueue=self.enqueue_index
        )
        self._running: set[asyncio.Task[Any]] = set()
        kind = self._kind
        self.prune = kind("accounts.prune_refresh_tokens", prune_refresh_tokens)
        self.parse = kind("resumes.parse", self._parse)
        self.tailor = kind("tailoring.tailor", self._tailor)
        self.expire = kind("jobs.expire_overdue", self._expire)
        self.index = kind("indexing.index_profile", self._index)
        self.stripe = kind("billing.apply_stripe_event", self._stripe)
        self.broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, self._startup)
        self.broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, self._shutdown)

    @classmethod
    def build(cls, settings: Settings, pubsub: PubSub) -> Jobs:
        return cls(settings, pubsub=pubsub)

    def _kind(self, name: str, job: Callable[..., Awaitable[Any]]) -> Any:
        """Register `job` on this broker as the task `name` (taskiq renames the
        function it is given, so each broker gets a closure of its own)."""

        async def run(**kwargs: Any) -> Any:
            return await job(**kwargs)

        run.__name__ = run.__qualname__ = "job_" + name.replace(".", "_")
        return self.broker.register_task(run, task_name=name)

    @property
    def in_process(self) -> bool:
        return isinstance(self.broker, InMemoryBroker)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Within: model signals (`services.indexing` marks profiles dirty from
        tortoise signals) use this process's jobs. The application's middleware
        wraps each request in it, `_tracked` each job."""
        token = indexing.set_deps(self.index_deps)
        try:
            yield
        finally:
            indexing.reset_deps(token)

    async def _startup(self, state: TaskiqState) -> None:
        if self.in_process:
            return  # jobs run inside the server process and share its ORM set-up
        await Tortoise.init(
            config=tortoise_config(self.settings.database_url),
            _enable_global_fallback=True,
        )

    async def _shutdown(self, state: TaskiqState) -> None:
        if not self.in_process:
            await Tortoise.close_connections()

    # -- the job kinds -----------------------------------------------------------------

    async def _parse(self, *, resume_id: int) -> str:
        """Parse one resume. Idempotent: a resume that is not PROCESSING is left
        alone, so a redelivered job after a crash does the right thing."""
        deps = self.parse_deps
        return await self._tracked(
            f"resume:{resume_id}", lambda: resumes.parse(resume_id=resume_id, deps=deps)
        )

    async def _tailor(self, *, resume_id: int) -> str:
        """Tailor one resume. Idempotent like parsing: it runs only on a
        PROCESSING resume, and a newer run supersedes an older one."""
        deps = self.tailor_deps
        return await self._tracked(
            f"resume:{resume_id}",
            lambda: pipeline.tailor(resume_id=resume_id, deps=deps),
        )

    async def _expire(self) -> int:
        """Expire HELD or ACCEPTED jobs past their deadline, reward back to the
        poster. Idempotent: each job expires once however many sweepers run it."""
        pubsub = self.pubsub
        return await self._tracked(
            "jobs:expire", lambda: jobs.expire_overdue(pubsub=pubsub)
        )

    async def _index(self, *, profile_id: int, stuck: bool = False) -> str:
        """Index one profile after its edits went quiet (debounced). Idempotent:
        only a QUEUED profile is claimed; a newer run or a reset supersedes it."""
        deps = self.index_deps
        return await self._tracked(
            f"index:{profile_id}",
            lambda: indexing.run(profile_id=profile_id, deps=deps, stuck=stuck),
        )

    async def _stripe(self, *, event_row_id: int) -> str:
        """Apply one stored Stripe event. Idempotent: the row is claimed in the
        same transaction as its effects, so a rerun after a crash applies it once."""
        settings = self.settings
        return await self._tracked(
            f"stripe:{event_row_id}",
            lambda: webhooks.apply(event_row_id=event_row_id, settings=settings),
        )

    async def _tracked(self, key: str, job: Callable[[], Awaitable[T]]) -> T:
        """Run a job under the lease `key` (a second delivery of a running job
        waits for it) so that `cancel_running` can stop it."""
        async with self.leases.hold(key):
            task = asyncio.current_task()
            token = indexing.set_deps(self.index_deps)
            if task is not None:
                self._running.add(task)
            try:
                return await job()
            finally:
                indexing.reset_deps(token)
                if task is not None:
                    self._running.discard(task)

    async def cancel_running(self, grace: float = 5.0) -> int:
        """Stop this process's jobs before its connections close. They stay
        PROCESSING and are requeued by a sweeper (jobs are idempotent)."""
        tasks = [t for t in self._running if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=grace)
        return len(tasks)

    # -- enqueue (after the commit) ----------------------------------------------------

    async def _kick(self, task: Any, what: str, **kwargs: Any) -> None:
        """Queue a job whose data is committed. Redis restarting: try again a
        few times; then leave it to the sweeper (the row says the job is due), so
        the request that committed it does not fail after the fact."""
        for delay in (*KICK_RETRIES, None):
            try:
                await task.kiq(**kwargs)
                return
            except SendTaskError:
                if delay is None:
                    log.warning("could not queue %s; the sweeper will", what)
                    return
                await asyncio.sleep(delay)

    async def enqueue_parse(self, resume_id: int) -> None:
        await self._kick(self.parse, f"resume {resume_id}", resume_id=resume_id)

    async def enqueue_tailor(self, resume_id: int) -> None:
        await self._kick(self.tailor, f"resume {resume_id}", resume_id=resume_id)

    async def enqueue_expire_jobs(self) -> None:
        await self._kick(self.expire, "job expiry")

    async def enqueue_index(self, profile_id: int, *, stuck: bool = False) -> None:
        await self._kick(
            self.index, f"index {profile_id}", profile_id=profile_id, stuck=stuck
        )

    async def enqueue_stripe_event(self, event_row_id: int) -> None:
        await self._kick(
            self.stripe, f"stripe event {event_row_id}", event_row_id=event_row_id
        )

    # -- the sweep: lost jobs queued again ---------------------------------------------

    async def requeue_stuck(self, older_than: timedelta) -> int:
        """Queue again the parses and tailoring runs whose job was lost (a crash
        of an in-process broker, or a dead worker), and lost profile indexes.
        Returns how many resumes were requeued."""
        cutoff = datetime.now(UTC) - older_than
        ids = await resumes.claim_stuck(older_than=cutoff)
        kinds = await resumes.stuck_kinds(ids)
        for resume_id in ids:
            log.warning("requeueing resume %s: its job was lost", resume_id)
            if kinds[resume_id] == "tailor":
                await self.enqueue_tailor(resume_id)
            else:
                await self.enqueue_parse(resume_id)
        for profile_id in await indexing.claim_stuck(older_than=cutoff):
            log.warning("requeueing the index of profile %s: lost job", profile_id)
            await self.enqueue_index(profile_id, stuck=True)
        return len(ids)

    async def requeue_stripe_events(self, older_than: timedelta) -> int:
        """Queue again the Stripe events stored but not applied (lost or failed)."""
        ids = await webhooks.pending(older_than=datetime.now(UTC) - older_than)
        for event_row_id in ids:
            log.warning("requeueing stripe event %s: not applied yet", event_row_id)
            await self.enqueue_stripe_event(event_row_id)
        return len(ids)

    async def sweep(self) -> None:
        """One pass of the sweeper: lost runs, overdue marketplace jobs, Stripe
        events not applied."""
        older_than = timedelta(seconds=self.settings.stuck_after)
        await self.requeue_stuck(older_than)
        await self.enqueue_expire_jobs()  # jobs past their deadline
        await self.requeue_stripe_events(older_than)


def worker_broker() -> AsyncBroker:
    """The broker of a worker built from the environment, for taskiq's CLI
    (`taskiq worker services.queue:worker_broker`); `server.py worker` is the
    supported way (one receiver, the sweeper, graceful shutdown)."""
    from services.pubsub import MemoryPubSub, RedisPubSub, redis_pool

    settings = Settings.from_env()
    pubsub: PubSub = MemoryPubSub()
    if settings.redis_url:
        import redis.asyncio as aioredis

        pubsub = RedisPubSub(
            aioredis.Redis(connection_pool=redis_pool(settings.redis_url))
        )
    return Jobs.build(settings, pubsub).broker
