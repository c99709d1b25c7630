"""A denylist of ended sessions, so a logged-out access token stops working at once.

Entries live as long as an access token can (its TTL), in process memory or in Redis.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as aioredis


class Denylist(Protocol):
    async def add(self, session_id: str, *, ttl: int) -> None: ...

    async def contains(self, session_id: str) -> bool: ...


class MemoryDenylist:
    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    async def add(self, session_id: str, *, ttl: int) -> None:
        now = time.monotonic()
        self._until = {k: v for k, v in self._until.items() if v > now}
        self._until[session_id] = now + ttl

    async def contains(self, session_id: str) -> bool:
        until = self._until.get(session_id)
        return until is not None and until > time.monotonic()


class RedisDenylist:
    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client

    async def add(self, session_id: str, *, ttl: int) -> None:
        await self._client.set(f"cg:revoked:{session_id}", b"1", ex=max(ttl, 1))

    async def contains(self, session_id: str) -> bool:
        return bool(await self._client.exists(f"cg:revoked:{session_id}"))
