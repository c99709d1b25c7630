"""Past one machine: jobs that survive a dead worker, counted once.

- `ReclaimingStreamBroker` is taskiq-redis's stream broker with two timers.
  Every `claim_interval` it runs `XAUTOCLAIM` for entries idle longer than
  `JOB_IDLE_TIMEOUT_MS`, whether or not new jobs arrive (taskiq-redis only claims
  after a read that returned something, so a quiet queue kept a dead worker's jobs
  until the sweeper's `STUCK_AFTER`). And it re-claims the entries it holds itself
  (`XCLAIM ... JUSTID`, idle time back to zero), so a live worker's long job is
  never taken by another worker; only a dead worker's entries go idle.
- `Leases` holds one lease per job subject (a resume, a profile's index, a Stripe
  event, the expiry sweep) while its run lives, renewed on a timer (a Redis key
  with a TTL, or an in-process map with the in-memory broker). A delivery that
  finds the lease held waits, before it touches the database, until that run ends
  (or its process died and the lease expired); then the row says whether anything
  is left to do. So the sweeper's requeue beside Redis's redelivery of the same
  lost job costs one attempt, not two (the second finds the resume READY), a job
  never runs twice at once, and a run queued by the run before it (an index that
  went dirty meanwhile, a retry right after a failure) is not lost. A run whose
  process died loses its lease after `lease_ms` (less than the idle timeout).
- `queue_stats` reads depth, the oldest waiting job's age, redeliveries and runs
  for `/metrics` and `/health`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker
from taskiq_redis import RedisStreamBroker

log = logging.getLogger("careergraph.scale")


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


class ReclaimingStreamBroker(RedisStreamBroker):
    """Redis streams, acknowledged after the job; lost jobs claimed on a timer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # claim (and touch held entries) four times per idle timeout
        self.claim_interval = min(15.0, max(0.1, self.idle_timeout / 4000))
        # a short blocking read: a stopping receiver waits for the read in flight
        self.block = min(self.block, int(self.claim_interval * 1000), 1000)
        self._held: dict[str, str] = {}  # entry id -> stream, delivered, not acked
        self._handing_back = False

    @property
    def redeliveries_key(self) -> str:
        return f"{self.queue_name}:redeliveries"

    def _ackable(self, entry_id: Any, stream: Any, data: bytes) -> AckableMessage:
        entry = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        name = stream.decode() if isinstance(stream, bytes) else str(stream)
        self._held[entry] = name
        ack = self._ack_generator(id=entry, queue_name=name)

        async def _ack() -> None:
            try:
                if not self._handing_back:  # a handed-back job stays pending
                    await ack()
            finally:  # an ack lost with Redis: the entry goes idle, is claimed
                self._held.pop(entry, None)  # again and finds its job done

        return AckableMessage(data=data, ack=_ack)

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        self._handing_back = False  # a new receiver on this broker
        self._held.clear()
        touching = asyncio.create_task(self._touch_held())
        next_claim = 0.0
        try:
            async with Redis(connection_pool=self.connection_pool) as conn:
                while True:
                    try:
                        fetched: Any = await conn.xreadgroup(
                            self.consumer_group_name,
                            self.consumer_name,
                            {self.queue_name: ">"},
                            block=self.block,
                            noack=False,
                            count=self.count,
                        )
                        for stream, entries in fetched or []:
                            for entry_id, fields in entries:
                                yield self._ackable(entry_id, stream, fields[b"data"])
                        if time.monotonic() >= next_claim:
                            next_claim = time.monotonic() + self.claim_interval
                            for message in await self._autoclaim(conn):
                                yield message
                    except ResponseError as exc:
                        if not any(s in str(exc) for s in ("NOGROUP", "UNBLOCKED")):
                            raise
                        # Redis restarted without the stream, or the stream was
                        # deleted under a blocked read: declare it again
                        log.warning("consumer group missing; declaring it again")
                        try:
                            await self._declare_consumer_group()
                        except (RedisError, OSError) as again:  # next round
                            log.warning("could not declare the group: %s", again)
                            await asyncio.sleep(1)
                    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                        log.warning("Redis unreachable (%s); retrying in 1 s", exc)
                        await asyncio.sleep(1)
        finally:
            touching.cancel()

    async def _autoclaim(self, conn: Redis) -> list[AckableMessage]:
        """Entries idle past the timeout (their worker died), now this worker's."""
        reply = await conn.xautoclaim(
            name=self.queue_name,
            groupname=self.consumer_group_name,
            consumername=self.consumer_name,
            min_idle_time=self.idle_timeout,
            count=self.unacknowledged_batch_size,
        )
        messages = []
        for entry_id, fields in reply[1]:
            if fields and b"data" in fields:
                messages.append(
                    self._ackable(entry_id, self.queue_name, fields[b"data"])
                )
            else:  # trimmed from the stream: nothing to run
                await conn.xack(self.queue_name, self.consumer_group_name, entry_id)
        if messages:
            log.warning("claimed %d jobs of a worker that went away", len(messages))
            tasks = Counter(self._task_name(m.data) for m in messages)
            for task_name, count in tasks.items():
                await conn.hincrby(self.redeliveries_key, task_name, count)
        return messages

    def _task_name(self, data: bytes) -> str:
        try:
            return self.formatter.loads(data).task_name
        except Exception:  # not a taskiq message: the receiver skips it too
            return "unknown"

    async def hand_back(self) -> int:
        """On shutdown, after the grace period and before the running jobs are
        cancelled: mark the entries this worker still holds as idle past the
        timeout, so another worker's next claim (within `claim_interval`) takes
        them instead of waiting `JOB_IDLE_TIMEOUT_MS`; from now on no entry is
        acknowledged (taskiq acknowledges a cancelled job: it would be lost)."""
        self._handing_back = True
        held: list[Any] = list(self._held)
        if held:
            async with Redis(connection_pool=self.connection_pool) as conn:
                await conn.xclaim(
                    self.queue_name,
                    self.consumer_group_name,
                    self.consumer_name,
                    min_idle_time=0,
                    message_ids=held,
                    idle=self.idle_timeout + 1,
                    justid=True,
                )
            log.info("handed back %d unfinished jobs", len(held))
        return len(held)

    async def _touch_held(self) -> None:
        """Keep this live worker's entries from looking idle to the others."""
        while True:
            await asyncio.sleep(self.claim_interval)
            if not self._held or self._handing_back:
                continue
            try:
                async with Redis(connection_pool=self.connection_pool) as conn:
                    await conn.xclaim(
                        self.queue_name,
                        self.consumer_group_name,
                        self.consumer_name,
                        min_idle_time=0,
                        message_ids=list(self._held),
                        justid=True,
                    )
            except Exception as exc:  # Redis restarting: touch again next time
                log.warning("could not touch held jobs: %s", exc)


@dataclass
class Leases:
    """One live run per job subject (see the module docstring)."""

    redis: Redis | None = None
    prefix: str = "careergraph"
    lease_ms: int = 15_000
    _local: dict[str, asyncio.Event] = field(default_factory=dict)  # key -> released
    counts: Counter[str] = field(default_factory=Counter)  # in-process figures

    @classmethod
    def for_broker(cls, broker: AsyncBroker) -> Leases:
        if isinstance(broker, RedisStreamBroker):
            return cls(
                redis=Redis(connection_pool=broker.connection_pool),
                prefix=broker.queue_name,
                lease_ms=max(200, min(15_000, broker.idle_timeout // 2)),
            )
        return cls()

    @property
    def stats_key(self) -> str:
        return f"{self.prefix}:stats"

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the lease on `key` for the body; a delivery that finds it held
        (the same job running) waits until that run ends or its process died."""
        if self.redis is None:
            async with self._local_lease(key):
                yield
            return
        name, token = f"{self.prefix}:lease:{key}", uuid.uuid4().hex
        delay, waited = 0.05, False
        while not await self.redis.set(name, token, nx=True, px=self.lease_ms):
            if not waited:
                waited = True
                await self.redis.hincrby(self.stats_key, f"duplicates:{_kind(key)}", 1)
                log.info("job %s runs elsewhere: this delivery waits for it", key)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.lease_ms / 3000)
        await self.redis.hincrby(self.stats_key, f"runs:{_kind(key)}", 1)
        renewing = asyncio.create_task(self._renew(name, token))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(Exception):
                await self._release(name, token)

    @contextlib.asynccontextmanager
    async def _local_lease(self, key: str) -> AsyncIterator[None]:
        if key in self._local:
            self.counts[f"duplicates:{_kind(key)}"] += 1
        while key in self._local:
            await self._local[key].wait()
        self._local[key] = asyncio.Event()
        self.counts[f"runs:{_kind(key)}"] += 1
        try:
            yield
        finally:
            self._local.pop(key).set()

    async def _renew(self, name: str, token: str) -> None:
        assert self.redis is not None
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                await self.redis.eval(_RENEW, 1, name, token, self.lease_ms)
            except Exception as exc:  # Redis restarting: try again next time
                log.warning("could not renew lease %s: %s", name, exc)

    async def _release(self, name: str, token: str) -> None:
        assert self.redis is not None
        await self.redis.eval(_RELEASE, 1, name, token)


_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] or not redis.call('get', KEYS[1]) then
  return redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
end
return nil
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


# -- figures for /metrics and /health -------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueStats:
    waiting: int  # in the stream, not delivered to any worker yet
    pending: int  # delivered, not acknowledged (running, or lost with a worker)
    oldest_age: (
        float | None
    )  # seconds since the oldest waiting or pending job was queued
    redeliveries: dict[str, int]  # jobs claimed from a worker that went away, by task
    runs: dict[str, int]  # runs started (attempts) by job kind
    duplicates: dict[str, int]  # deliveries that waited for a live run of the job

    @property
    def depth(self) -> int:
        return self.waiting + self.pending


def _entry_age(entry_id: Any, now_ms: int) -> float:
    text = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    return max(0.0, (now_ms - int(text.split("-", 1)[0])) / 1000)


def _split(counts: Mapping[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    runs: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    for name, count in counts.items():
        what, _, kind = name.partition(":")
        (runs if what == "runs" else duplicates)[kind] = int(count)
    return runs, duplicates


async def queue_stats(broker: AsyncBroker, leases: Leases) -> QueueStats:
    if not isinstance(broker, RedisStreamBroker) or leases.redis is None:
        runs, duplicates = _split(leases.counts)
        return QueueStats(0, 0, None, {}, runs, duplicates)
    conn = leases.redis
    queue, group = broker.queue_name, broker.consumer_group_name
    now_ms = int(time.time() * 1000)
    waiting = pending = 0
    ages: list[float] = []
    with contextlib.suppress(ResponseError):  # no stream yet: nothing queued
        for info in await conn.xinfo_groups(queue):
            if _text(info.get("name")) != group:
                continue
            pending = int(info.get("pending") or 0)
            last = _text(info.get("last-delivered-id")) or "0-0"
            first_new = await conn.xrange(queue, min=f"({last}", count=1)
            if first_new:
                ages.append(_entry_age(first_new[0][0], now_ms))
                waiting = int(info.get("lag") or 0) or len(first_new)
        if pending:
            summary = await conn.xpending(queue, group)
            if summary.get("min"):
                ages.append(_entry_age(summary["min"], now_ms))
    redeliveries = {
        _text(k): int(v)
        for k, v in (await conn.hgetall(f"{queue}:redeliveries")).items()
    }
    counts = {
        _text(k): int(v) for k, v in (await conn.hgetall(leases.stats_key)).items()
    }
    runs, duplicates = _split(counts)
    return QueueStats(
        waiting, pending, max(ages) if ages else None, redeliveries, runs, duplicates
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


async def stuck_jobs(*, older_than: float) -> int:
    """Resumes PROCESSING (parses and tailoring runs) untouched for `older_than`
    seconds: their job waits longer than the sweeper's `STUCK_AFTER`."""
    from models.resumes import Resume

    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    return await Resume.filter(status="PROCESSING", updated_at__lt=cutoff).count()
