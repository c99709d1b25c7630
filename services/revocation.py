"""A denylist of ended sessions, so a logged-out access token stops working at once,
and the revocations pushed to every process, so open WebSockets close at once too.

Entries live as long as an access token can (its TTL), in process memory or in Redis.
"""

from __future__ import annotations

import hashlib
import time
from typing import Protocol

import redis.asyncio as aioredis

from services.pubsub import PubSub


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


# -- pushed revocations ---------------------------------------------------------------
# Every process listens on one pub/sub channel (Redis when REDIS_URL is set, else
# in-process); a revocation names its subject, and each process closes the
# WebSockets that authenticated with it.


def channel(secret_key: str) -> str:
    """The revocations channel of one deployment: Redis pub/sub ignores the
    database number, so deployments (and test runs) sharing a Redis server are
    told apart by their SECRET_KEY, which all processes of one share."""
    digest = hashlib.sha256(b"revocations:" + secret_key.encode()).hexdigest()
    return f"cg:revocations:{digest[:16]}"


def session_subject(session_id: str) -> str:
    return f"session:{session_id}"


def api_key_subject(api_key_id: int) -> str:
    return f"api_key:{api_key_id}"


async def announce(pubsub: PubSub, subject: str, *, secret_key: str) -> None:
    await pubsub.publish(channel(secret_key), {"subject": subject})
