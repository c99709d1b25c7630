"""Shared delivery of subscription events (transport/fanout.py, issue 15): sockets
that asked the same thing get, after their own first result, the bytes of one
execution per event — exactly what the per-socket path sends apart from the
operation id; another organization never shares; revoked sockets still close."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from strawberry import relay

from models.accounts import Organization, User
from models.resumes import Resume
from services import resumes
from services.errors import EventStreamLost
from tests.helpers import PASSWORD, gql, sign_up
from tests.support.sockets import LOG_IN, LOG_OUT, closed_with, open_socket
from transport.keys import RUNTIME_KEY
from transport.websocket import Sockets

EVENTS = (
    "subscription S($id: ID!) { resumeEvents(resumeId: $id) "
    "{ resumeId status stage progress errorCode errorMessage "
    "resume { id status stage progress } } }"
)


def sockets_of(client: TestClient) -> Sockets:
    for item in client.app.cleanup_ctx:
        owner = getattr(item, "__self__", None)
        if isinstance(owner, Sockets):
            return owner
    raise AssertionError("no Sockets registry in the app")


async def live_resume(email: str) -> tuple[int, str]:
    user = await User.get(email=email)
    org = await Organization.get(id=user.default_organization_id)
    row = await Resume.create(
        organization_id=org.id,
        title="Live",
        kind="pdf",
        status="PROCESSING",
        progress=10,
    )
    return row.id, relay.to_base64("Resume", row.id)


def message(resume_id: int, stage: str, progress: int, status: str = "PROCESSING"):  # type: ignore[no-untyped-def]
    return {
        "resume_id": resume_id,
        "status": status,
        "stage": stage,
        "progress": progress,
        "error_code": None,
        "error_message": None,
    }


async def frame(ws: aiohttp.ClientWebSocketResponse) -> str:
    received = await ws.receive(timeout=5)
    assert received.type == aiohttp.WSMsgType.TEXT, received
    text: str = received.data
    return text


async def subscribe(
    ws: aiohttp.ClientWebSocketResponse, op_id: str, gid: str, query: str = EVENTS
) -> dict[str, Any]:
    await ws.send_json(
        {
            "id": op_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": {"id": gid}},
        }
    )
    first: dict[str, Any] = json.loads(await frame(ws))
    return first


async def until_complete(ws: aiohttp.ClientWebSocketResponse) -> list[str]:
    frames = []
    while True:
        text = await frame(ws)
        frames.append(text)
        if json.loads(text)["type"] == "complete":
            return frames


async def test_shared_delivery_sends_what_the_per_socket_path_sends(
    client: TestClient,
) -> None:
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    key, gid = await live_resume("jane@example.com")
    sockets = sockets_of(client)
    pubsub = client.app[RUNTIME_KEY].pubsub
    channel = resumes.channel(key)

    sockets.share_events = False
    alone = await open_socket(client, "/graphql", token)
    first_alone = await subscribe(alone, "p", gid)
    sockets.share_events = True
    shared = [await open_socket(client, "/graphql", token) for _ in range(3)]
    firsts = [await subscribe(ws, f"s{i}", gid) for i, ws in enumerate(shared)]
    for first in [first_alone, *firsts]:
        assert first["type"] == "next"
        assert first["payload"] == first_alone["payload"]
    assert len(sockets.fanout.groups) == 1
    (group,) = sockets.fanout.groups.values()
    assert len(group.members) == 3

    await pubsub.publish(channel, message(key, "extracting", 5))  # stale: skipped
    await pubsub.publish(channel, message(key, "structuring", 50))
    await pubsub.publish(channel, message(key, "saving", 90))
    await pubsub.publish(channel, message(key, "done", 100, "READY"))

    expected = await until_complete(alone)
    assert [json.loads(f)["type"] for f in expected] == ["next"] * 3 + ["complete"]
    for i, ws in enumerate(shared):
        got = await until_complete(ws)
        assert [f.replace(f'"id":"s{i}"', '"id":"p"') for f in got] == expected
    assert group.executions == 3, (
        group.executions
    )  # once per delivered event, not per socket
    assert sockets.fanout.groups == {}  # the group ends with its last member
    for ws in [alone, *shared]:
        await ws.close()


async def test_a_late_socket_gets_only_what_is_newer_than_its_first_state(
    client: TestClient,
) -> None:
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    key, gid = await live_resume("jane@example.com")
    sockets = sockets_of(client)
    pubsub = client.app[RUNTIME_KEY].pubsub
    channel = resumes.channel(key)
    early = await open_socket(client, "/graphql", token)
    await subscribe(
        early,
        "1",
        gid,
        "subscription S($id: ID!) { resumeEvents(resumeId: $id) { stage progress } }",
    )
    await Resume.filter(id=key).update(stage="structuring", progress=50)
    await pubsub.publish(channel, message(key, "structuring", 50))
    first = json.loads(await frame(early))
    assert first["payload"]["data"]["resumeEvents"] == {
        "stage": "STRUCTURING",
        "progress": 50,
    }
    late = await open_socket(client, "/graphql", token)
    late_first = await subscribe(
        late,
        "2",
        gid,
        "subscription S($id: ID!) { resumeEvents(resumeId: $id) { stage progress } }",
    )
    assert late_first["payload"] == first["payload"]  # its own read of the state
    (group,) = sockets.fanout.groups.values()
    assert len(group.members) == 2
    await pubsub.publish(channel, message(key, "structuring", 50))  # as read: skip
    await pubsub.publish(channel, message(key, "done", 100, "READY"))

    # each socket compares with the state it started from, as the resolver does:
    # the early one (started at 10) gets the repeated 50 again, the late one not
    def events(op_id: str, *stages: tuple[str, int]) -> list[dict[str, Any]]:
        return [
            {
                "id": op_id,
                "type": "next",
                "payload": {
                    "data": {"resumeEvents": {"stage": stage, "progress": progress}}
                },
            }
            for stage, progress in stages
        ] + [{"id": op_id, "type": "complete"}]

    early_frames = [json.loads(f) for f in await until_complete(early)]
    assert early_frames == events("1", ("STRUCTURING", 50), ("DONE", 100))
    late_frames = [json.loads(f) for f in await until_complete(late)]
    assert late_frames == events("2", ("DONE", 100))
    await early.close()
    await late.close()


async def test_another_organization_never_shares(client: TestClient) -> None:
    jane = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    key, gid = await live_resume("jane@example.com")
    sockets = sockets_of(client)
    pubsub = client.app[RUNTIME_KEY].pubsub
    mine = await open_socket(client, "/graphql", jane)
    theirs = await open_socket(client, "/graphql", bob)
    assert (await subscribe(mine, "1", gid))["type"] == "next"
    refused = await subscribe(theirs, "1", gid)  # the same document and variables
    assert refused["payload"]["data"] is None
    assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert json.loads(await frame(theirs)) == {"id": "1", "type": "complete"}
    # one group, Jane's: Bob's scope got its own, which ended with his refusal
    assert len(sockets.fanout.groups) == 1
    (group,) = sockets.fanout.groups.values()
    assert (
        group.key[-1][2]
        != (await User.get(email="bob@example.com")).default_organization_id
    )
    await pubsub.publish(resumes.channel(key), message(key, "done", 100, "READY"))
    assert [json.loads(f)["type"] for f in await until_complete(mine)] == [
        "next",
        "complete",
    ]
    try:
        extra = await theirs.receive(timeout=0.3)
    except TimeoutError:
        extra = None
    assert extra is None  # nothing of Jane's reached Bob
    await mine.close()
    await theirs.close()


async def test_revoked_sockets_of_a_group_still_close(client: TestClient) -> None:
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    variables = {"input": {"email": "jane@example.com", "password": PASSWORD}}
    other = (await gql(client, LOG_IN, variables))["data"]["logIn"]["accessToken"]
    key, gid = await live_resume("jane@example.com")
    sockets = sockets_of(client)
    pubsub = client.app[RUNTIME_KEY].pubsub
    # two sessions of one user: the same scope, so one group for all three sockets
    revoked = [await open_socket(client, "/graphql", token) for _ in range(2)]
    kept = await open_socket(client, "/graphql", other)
    for i, ws in enumerate([*revoked, kept]):
        assert (await subscribe(ws, f"s{i}", gid))["type"] == "next"
    (group,) = sockets.fanout.groups.values()
    assert len(group.members) == 3
    assert (await gql(client, LOG_OUT, token=token))["data"]["logOut"] == {"ok": True}
    for ws in revoked:
        code, before = await closed_with(ws)
        assert code == 4403
        assert before == []
    await asyncio.sleep(0.05)
    assert len(group.members) == 1  # the closed sockets left the group
    await pubsub.publish(resumes.channel(key), message(key, "done", 100, "READY"))
    frames = [json.loads(f) for f in await until_complete(kept)]
    assert frames[0]["payload"]["data"]["resumeEvents"]["status"] == "READY"
    assert frames[0]["id"] == "s2"
    await kept.close()


class BreakingPubSub:
    """The app's pub/sub, whose streams break (as Redis restarting does) on a
    message `{"break": true}`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Any]]:
        async with self.inner.subscribe(channel) as stream:

            async def messages() -> AsyncIterator[Any]:
                async for item in stream:
                    if item.get("break"):
                        raise EventStreamLost("The event stream broke")
                    yield item

            yield messages()


async def test_a_broken_shared_stream_closes_its_sockets_with_1012(
    client: TestClient,
) -> None:
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    key, gid = await live_resume("jane@example.com")
    sockets = sockets_of(client)
    pubsub = client.app[RUNTIME_KEY].pubsub
    sockets.fanout.pubsub = BreakingPubSub(pubsub)  # type: ignore[assignment]
    shared = [await open_socket(client, "/graphql", token) for _ in range(2)]
    for i, ws in enumerate(shared):
        assert (await subscribe(ws, f"s{i}", gid))["type"] == "next"
    await pubsub.publish(resumes.channel(key), {"break": True})
    for ws in shared:
        assert await closed_with(ws) == (1012, [])
    assert sockets.fanout.groups == {}
