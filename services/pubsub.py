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
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.errors import EventStreamLost

log = logging.getLogger("careergraph.pubsub")

Message = dict[str, Any]

# Set by a shared delivery (transport/fanout.py) in the task of one subscription
# operation: told where that operation's stream starts.
STARTED: ContextVar[Callable[[str, Message], None] | None] = ContextVar(
    "pubsub_started", default=None
)


def started(channel: str, state: Message) -> None:
    """A stream resolver announces the state it sends first (read after it
    subscribed to `channel`); later messages are compared with it. A no-op unless
    the operation is served by a shared delivery."""
    hook = STARTED.get()
    if hook is not None:
        hook(channel, state)


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
    """Redis PUBLISH/SUBSCRIBE: an event from any process reaches every subscriber.

    One Redis connection per process carries every subscription: a channel is
    subscribed on Redis while this process has a subscriber for it, and one reader
    task fans each message out to the local subscribers' queues (a connection per
    subscriber exhausted the pool at a few hundred sockets). When that connection
    fails, every open subscription ends with ConnectionError and the next subscribe
    opens a new one."""

    def __init__(self, client: aioredis.Redis, *, queue_size: int = 1000) -> None:
        self._client = client
        self._local = MemoryPubSub(queue_size=queue_size)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

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
        async with self._local.subscribe(channel) as messages:
            async with self._lock:
                if self._local.subscriber_count(channel) == 1:
                    await self._redis_subscribe(channel)

            async def checked() -> AsyncIterator[Message]:
                async for message in messages:
                    if message is _BROKEN:
                        raise EventStreamLost("The event stream broke; subscribe again")
                    yield message

            try:
                yield checked()
            finally:
                async with self._lock:
                    if self._local.subscriber_count(channel) == 1 and self._pubsub:
                        with contextlib.suppress(Exception):
                            await self._pubsub.unsubscribe(channel)

    async def _redis_subscribe(self, channel: str) -> None:
        if self._pubsub is None:
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(channel)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(self._pubsub))

    async def _read(self, pubsub: Any) -> None:
        try:
            while True:
                raw = await pubsub.get_message(timeout=None)
                if raw is not None and raw.get("type") == "message":
                    channel = raw["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    await self._local.publish(channel, json.loads(raw["data"]))
        except asyncio.CancelledError:
            raise
        except Exception:  # the connection is gone: end every subscription
            if self._pubsub is pubsub:
                self._pubsub = None
            for channel in list(self._local._queues):
                await self._local.publish(channel, _BROKEN)
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        self._pubsub = None


_BROKEN: Message = {}  # compared by identity: the end of a broken connection


def redis_pool(redis_url: str) -> aioredis.BlockingConnectionPool:
    """A connection pool that waits for a free connection instead of failing.

    redis-py 8's default pool refuses the 101st concurrent command with
    `MaxConnectionsError`, which a burst of 200 requests reached (each checks the
    session denylist). This one holds up to 1,000 connections (a Redis server allows
    10,000 clients by default) and waits up to 10 s for one to come free."""
    return aioredis.BlockingConnectionPool.from_url(
        redis_url, max_connections=1000, timeout=10
    )
