"""Publish/subscribe for live events: in-process by default, Redis when configured.

Both implementations speak the same interface, so a subscription resolver never knows
which one it has. Messages are JSON objects; channels are plain strings such as
`org:42:security`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.errors import EventStreamLost

log = logging.getLogger("careergraph.pubsub")

Message = dict[str, Any]


class PubSub(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Message]]:
        """Listen on `channel`: the subscription is live once the context is entered,
        so state read from the database afterwards cannot miss an event."""
        ...

    async def close(self) -> None: ...


class MemoryPubSub:
    """Fan-out to asyncio queues of subscribers in this process."""

    def __init__(self, *, queue_size: int = 1000) -> None:
        self._queues: dict[str, set[asyncio.Queue[Message]]] = defaultdict(set)
        self._queue_size = queue_size

    async def publish(self, channel: str, message: Message) -> None:
        for queue in list(self._queues.get(channel, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        queue: asyncio.Queue[Message] = asyncio.Queue(self._queue_size)
        self._queues[channel].add(queue)

        async def messages() -> AsyncIterator[Message]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._queues[channel].discard(queue)
            if not self._queues[channel]:
                del self._queues[channel]

    def subscriber_count(self, channel: str) -> int:
        return len(self._queues.get(channel, ()))

    async def close(self) -> None:
        self._queues.clear()


class RedisPubSub:
    """Redis PUBLISH/SUBSCRIBE: an event from any process reaches every subscriber."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client

    async def publish(self, channel: str, message: Message) -> None:
        """Best effort: the state an event announces is committed before it is
        published, and a subscriber whose stream broke (Redis restarting) is closed
        with 1012 and reads the current state when it subscribes again. So a
        publish that fails after a few tries is logged, not raised into the job."""
        data = json.dumps(message)
        for delay in (0.2, 0.5, 1.0, None):
            try:
                await self._client.publish(channel, data)
                return
            except (RedisConnectionError, RedisTimeoutError) as exc:
                if delay is None:
                    log.warning("event on %s not published: %s", channel, exc)
                    return
                await asyncio.sleep(delay)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel)

        async def messages() -> AsyncIterator[Message]:
            try:
                async for raw in pubsub.listen():
                    if raw.get("type") == "message":
                        yield json.loads(raw["data"])
            except (RedisConnectionError, RedisTimeoutError) as exc:
                raise EventStreamLost(
                    "The event stream broke; subscribe again"
                ) from exc

        try:
            yield messages()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(channel)
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        return None
