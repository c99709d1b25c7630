"""Shared delivery of subscription events: one execution per event, the same bytes
to every socket that asked the same thing.

A `resumeEvents` (or `tailoringEvents`) subscription is served per socket for its
start — the socket's credential check, rate limits and usage (transport/
websocket.py), then strawberry's whole path: parse, validation, the guards (depth,
aliases, tokens, cost, scopes), the resolver with its tenancy-checked read of the
current state, and the first `next` message. From then on, instead of strawberry
executing every later event once per socket (about 100 µs each: 100 ms for 1,000
sockets), the socket joins a `Group` keyed by

    (document, operation name, variables, the actor's scope: kind, user,
     organization, role, scopes, API key, plan)

Each group listens on the event channel once, executes each event once (graphql-
core's per-event execution with the schema's executor class and one member's
context, errors formatted by the guards as strawberry would) and writes a
graphql-transport-ws `next` frame with each socket's own operation id. A foreign
tenant, another user or another key never shares a group: its key differs.

Per socket, exactly the resolver's rules are kept: the group is subscribed before
the socket's resolver reads the current state, the resolver announces that state
(`services.pubsub.started`), and the socket receives the messages published since
it began (`mark`) that are newer than that state (`Shared.newer`, the resolver's
own comparison), then `complete` after a terminal event. Anything else — another
document shape, a resolver that does not announce its state, an error in the first
result, a terminal first state — stays on strawberry's per-socket path.

Revocation, expiry, `complete` from the client and socket close end the socket's
operation task as before, which takes the socket out of its group; a broken event
stream (Redis restarted) ends each member socket with 1012 as the per-socket path
does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableNode,
)
from graphql.execution import Executor, execute_subscription_event
from strawberry.types.execution import ExecutionResult

from services import pubsub as pubsub_module
from services import resumes
from services.errors import ServiceError
from services.pubsub import Message, PubSub

if TYPE_CHECKING:
    from services.accounts import Actor

log = logging.getLogger("careergraph.fanout")

HISTORY = 256  # messages kept for sockets still starting (bounded)


@dataclass(frozen=True, slots=True)
class Shared:
    """A subscription field whose later events can be shared: its channel from the
    field's argument, the payload its resolver yields for a message, and the
    resolver's own rules (which messages are newer than the first state, which
    end the stream)."""

    argument: str
    channel: Callable[[str], str]
    payload: Callable[[Message], Any]
    newer: Callable[[Message, Message], bool]
    terminal: Callable[[Message], bool]


def _resume_channel(global_id: str) -> str:
    from resolvers.inputs import decode_resume_id

    return resumes.channel(decode_resume_id(global_id, "resumeId"))


def _resume_payload(message: Message) -> Any:
    from schema.resumes import ResumeEvent

    return ResumeEvent.from_message(message)


def _resume_newer(message: Message, current: Message) -> bool:
    """`resolvers.resumes.resume_events`'s test, inverted."""
    return not (
        message["progress"] < current["progress"]
        or (
            message["progress"] == current["progress"]
            and message["stage"] == current["stage"]
        )
    )


def _resume_terminal(message: Message) -> bool:
    return message["status"] in resumes.TERMINAL


RESUME_EVENTS = Shared(
    argument="resumeId",
    channel=_resume_channel,
    payload=_resume_payload,
    newer=_resume_newer,
    terminal=_resume_terminal,
)
SHARED: dict[str, Shared] = {
    "resumeEvents": RESUME_EVENTS,
    "tailoringEvents": RESUME_EVENTS,
}


def scope_of(actor: Actor) -> tuple[Any, ...]:
    """Everything of the caller an event's execution may depend on (not the
    session: two sockets of one user share; two users never do)."""
    return (
        actor.kind,
        actor.user_id,
        actor.organization_id,
        actor.role,
        tuple(sorted(actor.scopes)),
        actor.api_key_id,
        actor.plan,
    )


def shared_field(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any]
) -> tuple[Shared, str] | None:
    """(the field's spec, its channel) when the document is one subscription of
    a shareable field with no directive; None otherwise."""
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name and d.name.value == operation_name))
    ]
    if len(operations) != 1:
        return None
    operation = operations[0]
    if operation.operation != OperationType.SUBSCRIPTION or operation.directives:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    node = selections[0]
    spec = SHARED.get(node.name.value)
    if spec is None or node.directives:
        return None
    value: Any = None
    for argument in node.arguments or ():
        if argument.name.value != spec.argument:
            continue
        if isinstance(argument.value, StringValueNode):
            value = argument.value.value
        elif isinstance(argument.value, VariableNode):
            value = variables.get(argument.value.name.value)
    if not isinstance(value, str):
        return None
    try:
        return spec, spec.channel(value)
    except (ServiceError, GraphQLError, ValueError):
        return None


Send = Callable[[str], Awaitable[bool]]  # write a text frame; False once closed
End = Callable[[], Awaitable[None]]  # close the socket: its event stream broke


@dataclass(eq=False)
class Member:
    """One socket's operation in a group."""

    operation_id: str
    send: Send
    stream_lost: End
    mark: int  # the group's sequence number when this operation began
    current: Message | None = None  # the state the resolver sent first
    live: bool = False
    pending: list[int] = field(default_factory=list)  # sequence numbers to send
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def frame(self, payload: bytes) -> str:
        return (
            b'{"id":'
            + orjson.dumps(self.operation_id)
            + b',"type":"next","payload":'
            + payload
            + b"}"
        ).decode()


class Group:
    """The sockets of one (document, variables, scope) on one channel."""

    def __init__(
        self,
        fanout: Fanout,
        key: tuple[Any, ...],
        *,
        spec: Shared,
        channel: str,
        executor: Executor[Any],
        schema: Any,
    ) -> None:
        self.fanout = fanout
        self.key = key
        self.spec = spec
        self.channel = channel
        self.executor = executor
        self.schema = schema
        self.starting: set[Member] = set()  # joined the group, first result not out
        self.members: set[Member] = set()  # joined: sent from the group
        self.seq = 0  # number of messages received
        self.history: dict[int, tuple[Message, bytes | None]] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.executions = 0  # events executed (tests)

    def start(self) -> None:
        self.task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        try:
            async with self.fanout.pubsub.subscribe(self.channel) as stream:
                self.ready.set()
                async for message in stream:
                    await self._dispatch(message)
        except asyncio.CancelledError:
            raise
        except Exception:  # the event stream broke: as the per-socket path, 1012
            log.warning("shared event stream on %s broke", self.channel)
        finally:
            self.ready.set()
            self.fanout._drop(self)
        for member in list(self.members | self.starting):
            await member.stream_lost()

    async def _render(self, message: Message) -> bytes:
        """The `payload` of a `next` message for this event, executed once."""
        self.executions += 1
        payload = self.spec.payload(message)
        outcome: Any = execute_subscription_event(
            self.executor.build_per_event_executor(payload)
        )
        if self.executor.is_awaitable(outcome):
            outcome = await outcome
        result = ExecutionResult(data=outcome.data, errors=outcome.errors)
        if result.errors:  # as strawberry's stream: process, then the guards
            self.schema.process_errors(result.errors)
            for extension in self.schema.get_extensions():
                format_result = getattr(extension, "_format_result", None)
                if format_result is not None:
                    format_result(result)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return orjson.dumps(body)

    async def _payload(self, seq: int) -> bytes:
        message, rendered = self.history[seq]
        if rendered is None:
            rendered = await self._render(message)
            if seq in self.history:
                self.history[seq] = (message, rendered)
        return rendered

    def _trim(self) -> None:
        """Keep the messages a starting member may still need, at most HISTORY
        (called by the listening task only, after each message's dispatch)."""
        keep = min((m.mark for m in self.starting), default=self.seq)
        keep = max(keep, self.seq - HISTORY)
        for seq in [s for s in self.history if s < keep]:
            del self.history[seq]

    async def _dispatch(self, message: Message) -> None:
        seq = self.seq
        self.seq += 1
        self.history[seq] = (message, None)
        for member in list(self.starting):
            if member.current is not None and self.spec.newer(message, member.current):
                member.pending.append(seq)
        for member in list(self.members):
            if member in self.members:
                await self._deliver(member, seq)
        self._trim()

    async def _deliver(self, member: Member, seq: int) -> None:
        if member.done.is_set() or seq not in self.history:
            return
        message, _ = self.history[seq]
        assert member.current is not None
        if not self.spec.newer(message, member.current):
            return
        payload = await self._payload(seq)
        if not await member.send(member.frame(payload)) or self.spec.terminal(message):
            member.done.set()
            self.leave(member)

    def started(self, member: Member, current: Message) -> bool:
        """The member's resolver read `current`: queue the newer messages seen
        since it began. False (stay per-socket) for a terminal state."""
        if self.spec.terminal(current) or member not in self.starting:
            return False
        member.current = current
        member.pending = [
            seq
            for seq in sorted(self.history)
            if seq >= member.mark and self.spec.newer(self.history[seq][0], current)
        ]
        return True

    async def go_live(self, member: Member) -> None:
        """The first result is out: send what arrived meanwhile (in order, events
        arriving during the sends included), then join the live members."""
        while member.pending and not member.done.is_set():
            seq = member.pending.pop(0)
            await self._deliver(member, seq)
        if member.done.is_set() or member not in self.starting:
            return
        self.starting.discard(member)
        self.members.add(member)
        member.live = True

    def leave(self, member: Member) -> None:
        self.starting.discard(member)
        self.members.discard(member)
        if not self.starting and not self.members and self.task is not None:
            self.fanout._drop(self)
            self.task.cancel()


class Fanout:
    """The groups of this process."""

    def __init__(self, pubsub: PubSub) -> None:
        self.pubsub = pubsub
        self.groups: dict[tuple[Any, ...], Group] = {}

    def _drop(self, group: Group) -> None:
        if self.groups.get(group.key) is group:
            del self.groups[group.key]

    async def join(
        self,
        *,
        schema: Any,
        context: Any,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        operation_id: str,
        send: Send,
        stream_lost: End,
        max_tokens: int,
    ) -> tuple[Group, Member] | None:
        """A starting member of the operation's group (created and listening
        before this returns), or None when the operation is not shareable."""
        from schema.guards import parse_cached

        actor = getattr(context, "actor", None)
        if actor is None:
            return None
        variables = variables or {}
        try:
            document = parse_cached(query, max_tokens=max_tokens)
        except GraphQLError:
            return None  # strawberry's path answers the syntax error
        shared = shared_field(document, operation_name, variables)
        if shared is None:  # queries, mutations, other subscriptions
            return None
        try:
            variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None
        spec, channel = shared
        key = (channel, query, operation_name, variables_key, scope_of(actor))
        group = self.groups.get(key)
        if group is None or group.task is None or group.task.done():
            built = cast(Any, schema).execution_context_class.build(
                schema._schema, document, None, context, variables, operation_name
            )
            if isinstance(built, list):  # the variables do not coerce
                return None
            group = Group(
                self,
                key,
                spec=spec,
                channel=channel,
                executor=built,
                schema=schema,
            )
            self.groups[key] = group
            group.start()
        await group.ready.wait()
        if group.task is None or group.task.done():
            return None
        member = Member(operation_id, send, stream_lost, mark=group.seq)
        group.starting.add(member)
        return group, member


@contextlib.contextmanager
def announced(group: Group, member: Member) -> Any:
    """While the operation's resolver starts: take its announced first state."""
    joined: list[bool] = []

    def hook(channel: str, state: Message) -> None:
        if channel == group.channel and not joined:
            joined.append(group.started(member, state))

    token = pubsub_module.STARTED.set(hook)
    try:
        yield joined
    finally:
        pubsub_module.STARTED.reset(token)
