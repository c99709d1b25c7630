"""WebSocket sessions (`graphql-transport-ws`) that honour their credential for as
long as they live.

- Every `subscribe` message (queries and mutations over the socket included) checks
  the socket's credential again, exactly as an HTTP request does, and counts against
  the same rate limits (API-key traffic per organization and per day, sessions per
  user, anonymous traffic per IP). A refused operation gets an `error` message with
  `RATE_LIMITED` and `retryAfter`; the socket stays open.
- Revocation is pushed: `revokeApiKey`, `logOut`, `changePassword` and a detected
  refresh-token reuse announce their subject on the revocations channel (Redis
  pub/sub with REDIS_URL, in-process otherwise); every server process closes the
  sockets that authenticated with it, after ending their subscriptions.
- A socket opened with an access token closes when the token expires.
- As a fallback for a revocation whose push was lost (a Redis blip), an open socket
  checks its credential again every `SOCKET_RECHECK_SECONDS` (60) even when it
  runs no operation.

Close codes: 4401 when the access token expired (refresh it and reconnect), 4403 when
the credential was revoked (key revoked, session logged out, password changed) or no
longer authenticates, 1001 when the server process shuts down (reconnect), 1012
when the event stream broke (Redis restarted or unreachable): reconnect and
subscribe again; a subscription starts from the current state, so nothing is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import jwt
from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types.execution import ExecutionResult

from schema.context import Context
from services import accounts, ratelimit, revocation, usage
from services.accounts import Actor
from services.errors import AuthError, EventStreamLost
from services.pubsub import PubSub
from transport import fanout

if TYPE_CHECKING:
    from aiohttp import web

    from transport.view import CareergraphView

log = logging.getLogger("careergraph.ws")

EXPIRED = 4401  # the access token expired: refresh it, then reconnect
REVOKED = 4403  # the credential was revoked or no longer authenticates
GOING_AWAY = 1001  # this server process stops: reconnect (to another process)
TRY_AGAIN = 1012  # the event stream broke (Redis restarted): reconnect, resubscribe


def socket_credential(params: Mapping[str, Any]) -> str | None:
    """The bearer credential of a `connection_init` payload (keys in any case)."""
    lowered = {str(k).lower(): v for k, v in params.items()}
    value = lowered.get("authorization") or lowered.get("x-api-key")
    if not value:
        return None
    token = str(value)
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    return token


def subject_of(actor: Actor) -> str | None:
    if actor.api_key_id is not None:
        return revocation.api_key_subject(actor.api_key_id)
    if actor.session_id is not None:
        return revocation.session_subject(actor.session_id)
    return None


def token_expiry(token: str) -> float | None:
    """The `exp` of a JWT that was already verified; None for API keys."""
    if token.startswith(accounts.API_KEY_PREFIX):
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None


class Sockets:
    """The open, authenticated sockets of this process by credential subject, and
    the listener that closes them when a revocation arrives from any process."""

    # later events of `resumeEvents`/`tailoringEvents` executed once per group of
    # sockets that asked the same thing (transport/fanout.py); off: per socket
    share_events: bool = True

    def __init__(self, pubsub: PubSub, *, channel: str, recheck: float = 60.0) -> None:
        self._pubsub = pubsub
        self._channel = channel  # revocation.channel(SECRET_KEY)
        self.recheck = recheck  # seconds between checks of an idle socket
        self._by_subject: dict[str, set[SocketHandler]] = defaultdict(set)
        self.open: set[SocketHandler] = set()  # every socket, signed in or not
        self.fanout = fanout.Fanout(pubsub)

    def add(self, subject: str, handler: SocketHandler) -> None:
        self._by_subject[subject].add(handler)

    def discard(self, subject: str, handler: SocketHandler) -> None:
        handlers = self._by_subject.get(subject)
        if handlers is not None:
            handlers.discard(handler)
            if not handlers:
                del self._by_subject[subject]

    async def revoke(self, subject: str) -> None:
        handlers = list(self._by_subject.pop(subject, ()))
        await asyncio.gather(
            *(h.end(REVOKED, "Credential revoked") for h in handlers),
            return_exceptions=True,
        )

    async def close_all(self, app: web.Application | None = None) -> None:
        """On shutdown (an aiohttp `on_shutdown`): close every socket with 1001
        (going away), so clients reconnect, through the balancer, to another
        process."""
        await asyncio.gather(
            *(h.end(GOING_AWAY, "Server shutting down") for h in list(self.open)),
            return_exceptions=True,
        )

    async def listen(self, ready: asyncio.Event) -> None:
        """Close revoked sockets until cancelled; reconnects after a failure."""
        while True:
            try:
                async with self._pubsub.subscribe(self._channel) as messages:
                    ready.set()
                    async for message in messages:
                        subject = message.get("subject")
                        if isinstance(subject, str):
                            await self.revoke(subject)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: listen again shortly
                log.exception("revocation listener failed; listening again")
                await asyncio.sleep(1)

    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        """An aiohttp `cleanup_ctx`: the listener runs while the app does."""
        ready = asyncio.Event()
        task = asyncio.create_task(self.listen(ready))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=5)
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


_ENDING: set[asyncio.Task[None]] = set()  # sockets being closed with 1012


async def _prepend(first: Any, rest: Any) -> AsyncGenerator[Any, None]:
    yield first
    async for result in rest:
        yield result


def _stream_lost(result: ExecutionResult) -> bool:
    return any(
        (error.extensions or {}).get("code") == EventStreamLost.code
        for error in result.errors or ()
    )


class SocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's `graphql-transport-ws` handler, with the credential checked per
    operation, rate limits, and closing on revocation or expiry."""

    view: CareergraphView  # the one view using this handler
    _subject: str | None = None
    _watch: asyncio.Task[None] | None = None
    _ended: bool = False

    @property
    def sockets(self) -> Sockets:
        """The registry of this process, kept by the view."""
        return self.view.sockets

    async def handle(self) -> None:
        self.sockets.open.add(self)
        try:
            await super().handle()
        finally:
            self.sockets.open.discard(self)
            self._forget()

    def _forget(self) -> None:
        if self._subject is not None:
            self.sockets.discard(self._subject, self)
            self._subject = None
        if self._watch is not None and self._watch is not asyncio.current_task():
            self._watch.cancel()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        actor = self.context.actor
        if not self.connection_acknowledged or actor is None:
            return
        self._subject = subject_of(actor)
        if self._subject is not None:
            self.sockets.add(self._subject, self)
        token = socket_credential(self.context.connection_params)
        if token is not None:
            self._watch = asyncio.create_task(self._watch_credential(token))

    async def _watch_credential(self, token: str) -> None:
        """Close at the token's expiry; in between, check it every `recheck`."""
        expires = token_expiry(token)
        while not self._ended:
            wait = self.sockets.recheck
            if expires is not None:
                wait = min(wait, expires - time.time())
            await asyncio.sleep(max(0.0, wait))
            if expires is not None and time.time() >= expires:
                await self.end(EXPIRED, "Access token expired")
                return
            try:
                await self._authenticate(token)
            except Exception:  # the database may be down for a moment: next time
                log.exception("could not check a socket's credential")

    async def _authenticate(self, token: str) -> bool:
        """Check the socket's credential again; on failure, end the socket."""
        try:
            self.context.actor = await accounts.authenticate_token(
                config=self.context.runtime.auth, token=token
            )
        except AuthError:
            expires = token_expiry(token)
            if expires is not None and expires <= time.time():
                await self.end(EXPIRED, "Access token expired")
            else:
                await self.end(REVOKED, "Credential revoked")
            return False
        return True

    async def end(self, code: int, reason: str) -> None:
        """End every operation of this socket, then close it with `code`."""
        if self._ended:
            return
        self._ended = True
        self._forget()
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        await self.websocket.close(code=code, reason=reason)

    async def _send_result_stream(
        self, operation: Operation[Context, None], result_source: Any
    ) -> None:
        """As strawberry's, but a stream whose pub/sub connection broke ends the
        socket with 1012 instead of a masked error the client cannot act on; and a
        shareable subscription, once its first result is out, is served by its
        group (transport/fanout.py): one execution per event for every socket that
        asked the same thing."""
        joined = None
        if self.sockets.share_events:
            joined = await self.sockets.fanout.join(
                schema=self.schema,
                context=self.context,
                query=operation.query,
                variables=operation.variables,
                operation_name=operation.operation_name,
                operation_id=operation.id,
                send=self._send_frame,
                stream_lost=self._stream_broke,
                max_tokens=self.context.runtime.settings.max_tokens,
            )
        if joined is None:
            await super()._send_result_stream(operation, self._checked(result_source))
            return
        group, member = joined
        try:
            with fanout.announced(group, member) as started:
                first = await anext(result_source, None)
            if first is None:
                return
            if (
                started == [True]
                and type(first) is ExecutionResult
                and not first.errors
                and not _stream_lost(first)
            ):
                await operation.send_next(first)
                await result_source.aclose()  # the resolver unsubscribes
                await group.go_live(member)
                await member.done.wait()
                return
            group.leave(member)
            await super()._send_result_stream(
                operation, self._checked(_prepend(first, result_source))
            )
        finally:
            group.leave(member)

    async def _checked(self, result_source: Any) -> AsyncGenerator[Any, None]:
        async for result in result_source:
            if isinstance(result, ExecutionResult) and _stream_lost(result):
                await self._stream_broke()
                await asyncio.Event().wait()  # `end` cancels this operation
            yield result

    async def _stream_broke(self) -> None:
        """End the socket with 1012 from another task (`end` cancels the
        operations, possibly the caller's)."""
        ending = asyncio.create_task(
            self.end(TRY_AGAIN, "Event stream interrupted; reconnect")
        )
        _ENDING.add(ending)
        ending.add_done_callback(_ENDING.discard)

    async def _send_frame(self, text: str) -> bool:
        """A frame of a shared delivery; False when the socket is gone."""
        if self._ended:
            return False
        try:
            await self.websocket.ws.send_str(text)  # type: ignore[attr-defined]
        except (RuntimeError, ConnectionError):
            return False
        return True

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self._ended:
            return
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # the protocol's own closes
            return
        context = self.context
        runtime = context.runtime
        token = socket_credential(context.connection_params)
        if token is not None and not await self._authenticate(token):
            return
        actor = context.actor
        verdict = await ratelimit.admit(
            runtime.limiter,
            actor=actor,
            ip=context.meta.ip,
            budgets=ratelimit.Budgets.of(runtime.settings),
        )
        if not verdict.allowed:
            error = GraphQLError(
                verdict.refusal,
                extensions={
                    "code": "RATE_LIMITED",
                    "retryAfter": verdict.retry_after,
                },
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        if actor is not None and actor.api_key_id is not None:
            try:
                await usage.record(
                    organization_id=actor.organization_id,
                    api_key_id=actor.api_key_id,
                    operation=str(message["payload"].get("operationName") or ""),
                )
            except Exception:  # usage is bookkeeping; never fail the operation
                log.exception("could not record usage")
        await super().handle_subscribe(message)
