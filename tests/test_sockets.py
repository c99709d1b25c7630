"""WebSockets honour their credential for as long as they live (issue 9, findings 1
and 2): every operation re-checks it and counts against the HTTP rate limits, and a
revoked key, a logged-out session, a changed password or an expired access token
ends the socket's subscriptions and closes it (4403, or 4401 for expiry) within two
seconds, on every server process."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

import server
from models.accounts import ApiKey
from services.accounts import security_channel
from settings import Settings
from tests.helpers import (
    PASSWORD,
    gql,
    organization_of,
    reset_state,
    set_plan,
    sign_up,
    wait_subscribed,
)
from tests.support.processes import (
    needs_redis,
    second_server,  # noqa: F401
)
from tests.support.sockets import (
    LOG_IN,
    LOG_OUT,
    PROTOCOL,
    PUSH_DEADLINE,
    closed_with,
    open_socket,
    receive,
)
from tests.support.sockets import (
    noise as _noise,
)

SECURITY_EVENTS = "subscription { securityEvents { kind } }"
VIEWER = "query Viewer { viewer { authMethod } }"
CREATE_KEY = """
mutation CreateKey($scopes: [ApiKeyScope!]!) {
  createApiKey(input: {name: "socket", scopes: $scopes}) { secret apiKey { id } }
}
"""
REVOKE_KEY = """
mutation Revoke($id: ID!) {
  revokeApiKey(input: {id: $id}) { apiKey { revokedAt } userErrors { code } }
}
"""
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { accessToken userErrors { field code } }
}
"""


async def subscribe(
    ws: aiohttp.ClientWebSocketResponse, op_id: str, query: str
) -> None:
    await ws.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query}})


async def receive_own(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while _noise(message := await receive(ws)):
        pass
    return message


async def api_key(client: TestClient, token: str, scopes: list[str]) -> tuple[str, str]:
    body = await gql(client, CREATE_KEY, {"scopes": scopes}, token=token)
    payload = body["data"]["createApiKey"]
    return payload["secret"], payload["apiKey"]["id"]


async def test_revoking_a_key_closes_its_sockets_and_ends_subscriptions(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    secret, key_id = await api_key(client, token, ["READ", "WRITE"])
    other_secret, _ = await api_key(client, token, ["READ"])
    await set_plan("starter")  # room for two operations a minute
    ws = await open_socket(client, "/graphql", secret)
    other = await open_socket(client, "/graphql", other_secret)
    await subscribe(ws, "events", SECURITY_EVENTS)
    await wait_subscribed(client, security_channel(await organization_of()))
    revoked = await gql(client, REVOKE_KEY, {"id": key_id}, token=token)
    assert revoked["data"]["revokeApiKey"]["userErrors"] == []
    code, before = await closed_with(ws)
    assert code == 4403
    assert before == []  # not even the API_KEY_REVOKED event reached it
    # a socket of another key of the same organization lives on
    await subscribe(other, "q", VIEWER)
    assert await receive(other) == {
        "id": "q",
        "type": "next",
        "payload": {"data": {"viewer": {"authMethod": "API_KEY"}}},
    }
    assert await receive(other) == {"id": "q", "type": "complete"}
    await other.close()


async def test_every_operation_checks_the_credential_again(
    client: TestClient,
) -> None:
    """A revocation that was never pushed (written straight to the database) is
    still caught by the next operation on the socket."""
    token = (await sign_up(client))["accessToken"]
    secret, _ = await api_key(client, token, ["READ"])
    await set_plan("starter")  # room for two operations a minute
    ws = await open_socket(client, "/graphql", secret)
    await subscribe(ws, "1", VIEWER)
    assert (await receive(ws))["payload"] == {
        "data": {"viewer": {"authMethod": "API_KEY"}}
    }
    assert await receive(ws) == {"id": "1", "type": "complete"}
    await ApiKey.all().update(revoked_at=datetime.now(UTC))
    await subscribe(ws, "2", VIEWER)
    code, before = await closed_with(ws)
    assert (code, before) == (4403, [])


async def test_an_idle_socket_checks_its_credential_again(
    aiohttp_client: Any, settings: Settings
) -> None:
    """Even with no operation to run, a socket whose revocation was never pushed
    closes at its next periodic check (SOCKET_RECHECK_SECONDS)."""
    app = server.create_app(replace(settings, socket_recheck_seconds=0.5))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = (await sign_up(client))["accessToken"]
    secret, _ = await api_key(client, token, ["READ"])
    ws = await open_socket(client, "/graphql", secret)
    await subscribe(ws, "events", SECURITY_EVENTS)
    await asyncio.sleep(0.7)  # a check passed: the key is still good
    assert not ws.closed
    await ApiKey.all().update(revoked_at=datetime.now(UTC))
    assert await closed_with(ws) == (4403, [])


async def test_log_out_closes_the_sessions_sockets(client: TestClient) -> None:
    session = await sign_up(client)
    token = session["accessToken"]
    other = (await gql(client, LOG_IN, LOGIN_VARS))["data"]["logIn"]["accessToken"]
    ws = await open_socket(client, "/graphql", token)
    other_ws = await open_socket(client, "/graphql", other)
    await subscribe(ws, "events", SECURITY_EVENTS)
    await subscribe(other_ws, "events", SECURITY_EVENTS)
    await wait_subscribed(client, security_channel(await organization_of()), count=2)
    assert (await gql(client, LOG_OUT, token=token))["data"]["logOut"] == {"ok": True}
    code, before = await closed_with(ws)
    assert code == 4403
    # the event of the log-out itself may race the close; nothing else arrives
    assert before in ([], [_event("events", "LOGGED_OUT")])
    # the user's other session is untouched and hears the log-out
    assert await receive_own(other_ws) == _event("events", "LOGGED_OUT")
    await other_ws.close()


async def test_changing_the_password_closes_every_session_socket(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    other = (await gql(client, LOG_IN, LOGIN_VARS))["data"]["logIn"]["accessToken"]
    sockets = [await open_socket(client, "/graphql", t) for t in (token, other)]
    body = await gql(
        client,
        CHANGE_PASSWORD,
        {"input": {"currentPassword": PASSWORD, "newPassword": "a new passphrase!"}},
        token=token,
    )
    assert body["data"]["changePassword"]["userErrors"] == []
    for ws in sockets:
        assert await closed_with(ws) == (4403, [])
    # the new session opens a socket as usual
    fresh = body["data"]["changePassword"]["accessToken"]
    ws = await open_socket(client, "/graphql", fresh)
    await ws.close()


async def test_an_expired_access_token_closes_its_socket_with_4401(
    aiohttp_client: Any, settings: Settings
) -> None:
    ttl = 5  # room for a slow sign-up before the socket opens
    app = server.create_app(replace(settings, access_token_ttl=ttl))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = (await sign_up(client))["accessToken"]
    ws = await open_socket(client, "/graphql", token)
    await subscribe(ws, "events", SECURITY_EVENTS)
    # the token lives at most `ttl` s; the socket closes when it ends, not later
    assert await closed_with(ws, within=ttl + PUSH_DEADLINE) == (4401, [])
    # and the expired token cannot open a new one
    refused = await client.ws_connect("/graphql", protocols=[PROTOCOL])
    await refused.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    )
    assert (await refused.receive(timeout=5)).data == 4403


async def test_socket_operations_count_against_the_http_rate_limit(
    client: TestClient,
) -> None:
    """A free-plan key (one request a minute) that used its budget over HTTP is
    refused over the socket too, with RATE_LIMITED and retryAfter."""
    token = (await sign_up(client))["accessToken"]
    secret, _ = await api_key(client, token, ["READ"])
    ws = await open_socket(client, "/graphql", secret)
    http = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"X-API-Key": secret}
    )
    assert http.status == 200
    await subscribe(ws, "1", VIEWER)
    refused = await receive(ws)
    assert refused["id"] == "1"
    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    retry_after = error["extensions"]["retryAfter"]
    assert isinstance(retry_after, int)
    assert 1 <= retry_after <= 120
    assert error["message"] == (
        f"Rate limit of 1 requests per minute exceeded; retry in {retry_after}s"
    )
    # the socket stays open; HTTP is refused as well
    again = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"X-API-Key": secret}
    )
    assert again.status == 429
    await ws.send_json({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}
    await ws.close()


async def test_socket_operations_use_the_session_budget(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, session_rate_limit=3))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = (await sign_up(client))["accessToken"]
    ws = await open_socket(client, "/graphql", token)
    for op_id in ("1", "2", "3"):
        await subscribe(ws, op_id, VIEWER)
        assert (await receive(ws))["type"] == "next"
        assert await receive(ws) == {"id": op_id, "type": "complete"}
    await subscribe(ws, "4", VIEWER)
    refused = await receive(ws)
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 429
    await ws.close()


async def test_failed_socket_credentials_count_against_the_ip(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, anonymous_rate_limit=2))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    for _ in range(2):
        ws = await client.ws_connect("/graphql", protocols=[PROTOCOL])
        await ws.send_json(
            {"type": "connection_init", "payload": {"X-API-Key": "cg_live_guess"}}
        )
        assert (await ws.receive(timeout=5)).data == 4403
    refused = await client.post("/graphql", json={"query": "{ plans { id } }"})
    assert refused.status == 429
    assert refused.headers["X-RateLimit-Limit"] == "2"


LOGIN_VARS = {"input": {"email": "ada@example.com", "password": PASSWORD}}


def _event(op_id: str, kind: str) -> dict[str, Any]:
    return {
        "id": op_id,
        "type": "next",
        "payload": {"data": {"securityEvents": {"kind": kind}}},
    }


# -- across processes (PostgreSQL + Redis) ---------------------------------------------


@needs_redis
@pytest.mark.parametrize("revoke", ["log_out", "api_key"])
async def test_revocation_in_one_process_closes_sockets_on_another(
    client: TestClient,
    second_server: str,  # noqa: F811
    revoke: str,
) -> None:
    token = (await sign_up(client))["accessToken"]
    secret, key_id = await api_key(client, token, ["READ"])
    credential = token if revoke == "log_out" else secret
    async with aiohttp.ClientSession() as session:
        ws = await open_socket(session, f"{second_server}/graphql", credential)
        await subscribe(ws, "events", SECURITY_EVENTS)
        await wait_subscribed(
            client, security_channel(await organization_of()), here=False
        )
        # the revocation runs in this (test) process; the socket is on the other
        if revoke == "log_out":
            await gql(client, LOG_OUT, token=token)
        else:
            await gql(client, REVOKE_KEY, {"id": key_id}, token=token)
        code, before = await closed_with(ws)
        assert code == 4403
        kinds = {"log_out": "LOGGED_OUT", "api_key": "API_KEY_REVOKED"}
        assert before in ([], [_event("events", kinds[revoke])])
