"""Socket helpers shared by the socket and fan-out tests: open an authenticated
graphql-transport-ws socket, read until the server closes it, and skip the events
that other test runs on a shared Redis put on the same channels."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from tests.helpers import PROTOCOL, receive

LOG_IN = "mutation L($input: LogInInput!) { logIn(input: $input) { accessToken } }"
LOG_OUT = "mutation LogOut { logOut { ok } }"
PUSH_DEADLINE = 2.0  # seconds within which a revoked socket must close


async def open_socket(
    client_or_session: TestClient | aiohttp.ClientSession,
    url: str,
    credential: str,
) -> aiohttp.ClientWebSocketResponse:
    ws = await client_or_session.ws_connect(url, protocols=[PROTOCOL])
    await ws.send_json(
        {
            "type": "connection_init",
            "payload": {"Authorization": f"Bearer {credential}"},
        }
    )
    assert await receive(ws) == {"type": "connection_ack"}
    return ws


# Redis pub/sub ignores database numbers: on a Redis server shared with other test
# runs, `org:1:security` also carries their organization 1's sign-ups and log-ins.
# The tests below cause neither while their sockets listen, so they skip them.
NOISE = (
    {"securityEvents": {"kind": "SIGNED_UP"}},
    {"securityEvents": {"kind": "LOGIN_SUCCEEDED"}},
)


def noise(message: dict[str, Any]) -> bool:
    return message.get("type") == "next" and message["payload"].get("data") in NOISE


async def closed_with(
    ws: aiohttp.ClientWebSocketResponse, within: float = PUSH_DEADLINE
) -> tuple[int, list[Any]]:
    """Read until the server closes the socket (at most `within` seconds after the
    call); returns the close code and the messages that came before it."""
    before: list[Any] = []
    deadline = asyncio.get_running_loop().time() + within
    while True:
        left = deadline - asyncio.get_running_loop().time()
        message = await ws.receive(timeout=max(left, 0.001))
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return int(message.data), before
        data = json.loads(message.data)
        if not noise(data):
            before.append(data)
