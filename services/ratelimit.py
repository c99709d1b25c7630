"""Sliding-window rate limits (the `limits` package), memory or Redis storage.

Buckets: API-key traffic per organization (limit from its plan), signed-in sessions per
user, anonymous traffic per client IP.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
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
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._strategy = SlidingWindowCounterRateLimiter(storage)
        self._items: dict[int, RateLimitItemPerMinute] = {}

    @classmethod
    def from_url(cls, redis_url: str) -> RateLimiter:
        if redis_url:
            return cls(RedisStorage(redis_url.replace("redis://", "async+redis://", 1)))
        return cls(MemoryStorage())

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
