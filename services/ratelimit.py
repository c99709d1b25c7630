"""Sliding-window rate limits (the `limits` package), memory or Redis storage, and
the one admission rule HTTP requests and WebSocket operations both go through.

Buckets: API-key traffic per organization (limit from its plan, per minute, and a
daily cap: 1,000 requests a day on free, 50,000 on paid plans), signed-in sessions
per user, anonymous traffic per client IP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from services import entitlements
from services.accounts import Actor
from settings import Settings

MINUTE = 60
DAY = 86_400
# API keys' requests a day per organization, on top of the plan's per-minute limit
# (resumAI's table: 1,000 on free, 50,000 on paid plans)
DAILY_API_KEY_CAPS = {"free": 1_000}
PAID_DAILY_API_KEY_CAP = 50_000


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix time when the window has room again
    window: int = MINUTE  # seconds of the window this verdict is about

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset - time.time()))

    @property
    def window_name(self) -> str:
        return "day" if self.window == DAY else "minute"

    @property
    def refusal(self) -> str:
        return (
            f"Rate limit of {self.limit} requests per {self.window_name} exceeded; "
            f"retry in {self.retry_after}s"
        )


class RateLimiter:
    """The `limits` sliding-window counter on Redis (shared by every process)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._strategy = SlidingWindowCounterRateLimiter(storage)
        self._items: dict[tuple[int, int], RateLimitItem] = {}

    @classmethod
    def from_url(cls, redis_url: str) -> RateLimiter | MemoryRateLimiter:
        if redis_url:
            return cls(
                RedisStorage(
                    redis_url.replace("redis://", "async+redis://", 1),
                    # redis-py 8 pools refuse the 101st concurrent command
                    max_connections=1000,
                )
            )
        return MemoryRateLimiter()

    def _item(self, limit: int, window: int) -> RateLimitItem:
        item = self._items.get((limit, window))
        if item is None:
            kind = RateLimitItemPerDay if window == DAY else RateLimitItemPerMinute
            item = self._items[(limit, window)] = kind(limit)
        return item

    async def hit(
        self, bucket: str, *, per_minute: int, window: int = MINUTE, cost: int = 1
    ) -> Verdict:
        """`cost` hits on `bucket`, which allows `per_minute` hits per `window`
        seconds (a minute, or DAY)."""
        item = self._item(per_minute, window)
        allowed = await self._strategy.hit(item, "cg", bucket, cost=cost)
        stats = await self._strategy.get_window_stats(item, "cg", bucket)
        return Verdict(
            allowed=allowed,
            limit=per_minute,
            remaining=max(0, stats.remaining),
            reset=math.ceil(stats.reset_time),
            window=window,
        )

    async def reset(self) -> None:
        await self._storage.reset()


class MemoryRateLimiter:
    """The same sliding-window counter for one process, O(1) per hit.

    `limits`' MemoryStorage answers a hit with two storage reads and a background
    task that scans every key; this keeps, per bucket, the current and previous
    window counts and weights the previous one by the part of it still inside the
    sliding window. Stale buckets are swept when the table grows."""

    WINDOW = float(MINUTE)
    SWEEP_AT = 10_000

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        # bucket -> [window index, count in that window, count in the window before,
        #            window length in seconds]
        self._buckets: dict[str, list[int]] = {}

    async def hit(
        self, bucket: str, *, per_minute: int, window: int = MINUTE, cost: int = 1
    ) -> Verdict:
        now = self._clock()
        size = float(window)
        index = int(now // size)
        state = self._buckets.get(bucket)
        if state is None:
            if len(self._buckets) >= self.SWEEP_AT:
                self._sweep(now)
            state = self._buckets[bucket] = [index, 0, 0, window]
        elif state[0] != index:
            previous = state[1] if state[0] == index - 1 else 0
            state[0], state[1], state[2] = index, 0, previous
        elapsed = now - index * size
        weight = 1.0 - elapsed / size
        used = state[2] * weight + state[1]
        window_end = (index + 1) * size
        if used + cost > per_minute:
            # room again once enough hits have slid out of the window
            if per_minute <= 0:  # a plan without access: nothing ever passes
                wait = window_end - now
            elif state[1] + cost > per_minute or not state[2]:  # this window is full
                excess = state[1] + cost - per_minute
                wait = window_end - now + size * excess / max(state[1], 1)
            else:  # the previous window's weighted share must drop
                wait = (used + cost - per_minute) * size / state[2]
            return Verdict(
                allowed=False,
                limit=per_minute,
                remaining=0,
                reset=math.ceil(now + wait),
                window=window,
            )
        state[1] += cost
        return Verdict(
            allowed=True,
            limit=per_minute,
            remaining=max(0, int(per_minute - used - cost)),
            reset=math.ceil(window_end),
            window=window,
        )

    def _sweep(self, now: float) -> None:
        stale = [
            key
            for key, (index, _, _, size) in self._buckets.items()
            if index < int(now // size) - 1
        ]
        for key in stale:
            del self._buckets[key]

    async def reset(self) -> None:
        self._buckets.clear()


@dataclass(frozen=True, slots=True)
class Budgets:
    """The per-minute limits of traffic that is not bound to a plan."""

    anonymous_per_minute: int
    session_per_minute: int

    @classmethod
    def of(cls, settings: Settings) -> Budgets:
        return cls(
            anonymous_per_minute=settings.anonymous_rate_limit,
            session_per_minute=settings.session_rate_limit,
        )


def daily_api_key_cap(plan: str) -> int:
    return DAILY_API_KEY_CAPS.get(plan, PAID_DAILY_API_KEY_CAP)


async def admit(
    limiter: RateLimiter | MemoryRateLimiter,
    *,
    actor: Actor | None,
    ip: str,
    budgets: Budgets,
) -> Verdict:
    """Count one request (an HTTP request or a WebSocket operation) of `actor`.

    Returns the verdict to report: when refused, the window that refused; when
    allowed, the window with the fewest requests left."""
    if actor is None:
        return await limiter.hit(f"ip:{ip}", per_minute=budgets.anonymous_per_minute)
    if actor.api_key_id is None:
        return await limiter.hit(
            f"user:{actor.user_id}", per_minute=budgets.session_per_minute
        )
    # the effective plan (billing, manual or trial) and its overrides
    entitlement = await entitlements.for_organization(
        organization_id=actor.organization_id
    )
    minute = await limiter.hit(
        f"org:{actor.organization_id}",
        per_minute=entitlement.rate_limit_per_minute,
    )
    if not minute.allowed:
        return minute
    day = await limiter.hit(
        f"org-day:{actor.organization_id}",
        per_minute=daily_api_key_cap(entitlement.plan.id),
        window=DAY,
    )
    return day if not day.allowed or day.remaining < minute.remaining else minute
