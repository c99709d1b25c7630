"""Sliding-window rate limits (the `limits` package), memory or Redis storage.

Buckets: API-key traffic per organization (limit from its plan), signed-in sessions per
user, anonymous traffic per client IP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix time when the window has room again

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset - time.time()))


class RateLimiter:
    """The `limits` sliding-window counter on Redis (shared by every process)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._strategy = SlidingWindowCounterRateLimiter(storage)
        self._items: dict[int, RateLimitItemPerMinute] = {}

    @classmethod
    def from_url(cls, redis_url: str) -> RateLimiter | MemoryRateLimiter:
        if redis_url:
            return cls(RedisStorage(redis_url.replace("redis://", "async+redis://", 1)))
        return MemoryRateLimiter()

    def _item(self, per_minute: int) -> RateLimitItemPerMinute:
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        return item

    async def hit(self, bucket: str, *, per_minute: int) -> Verdict:
        item = self._item(per_minute)
        allowed = await self._strategy.hit(item, "cg", bucket)
        stats = await self._strategy.get_window_stats(item, "cg", bucket)
        return Verdict(
            allowed=allowed,
            limit=per_minute,
            remaining=max(0, stats.remaining),
            reset=math.ceil(stats.reset_time),
        )

    async def reset(self) -> None:
        await self._storage.reset()


class MemoryRateLimiter:
    """The same sliding-window counter for one process, O(1) per hit.

    `limits`' MemoryStorage answers a hit with two storage reads and a background
    task that scans every key; this keeps, per bucket, the current and previous
    one-minute window counts and weights the previous one by the part of it still
    inside the sliding minute. Stale buckets are swept when the table grows."""

    WINDOW = 60.0
    SWEEP_AT = 10_000

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        # bucket -> [window index, count in that window, count in the window before]
        self._buckets: dict[str, list[int]] = {}

    async def hit(self, bucket: str, *, per_minute: int) -> Verdict:
        now = self._clock()
        window = int(now // self.WINDOW)
        state = self._buckets.get(bucket)
        if state is None:
            if len(self._buckets) >= self.SWEEP_AT:
                self._sweep(window)
            state = self._buckets[bucket] = [window, 0, 0]
        elif state[0] != window:
            previous = state[1] if state[0] == window - 1 else 0
            state[0], state[1], state[2] = window, 0, previous
        elapsed = now - window * self.WINDOW
        weight = 1.0 - elapsed / self.WINDOW
        used = state[2] * weight + state[1]
        window_end = (window + 1) * self.WINDOW
        if used + 1 > per_minute:
            # room again once enough hits have slid out of the minute
            if per_minute <= 0:  # a plan without access: nothing ever passes
                wait = window_end - now
            elif state[1] + 1 > per_minute:  # this window alone is full
                wait = (
                    window_end
                    - now
                    + self.WINDOW * (state[1] + 1 - per_minute) / state[1]
                )
            else:  # the previous window's weighted share must drop
                wait = (used + 1 - per_minute) * self.WINDOW / state[2]
            return Verdict(
                allowed=False,
                limit=per_minute,
                remaining=0,
                reset=math.ceil(now + wait),
            )
        state[1] += 1
        return Verdict(
            allowed=True,
            limit=per_minute,
            remaining=max(0, int(per_minute - used - 1)),
            reset=math.ceil(window_end),
        )

    def _sweep(self, window: int) -> None:
        stale = [key for key, (w, _, _) in self._buckets.items() if w < window - 1]
        for key in stale:
            del self._buckets[key]

    async def reset(self) -> None:
        self._buckets.clear()
