"""Subscriptions over a real WebSocket (`graphql-transport-ws`): authentication by the
`connection_init` payload, tenant isolation, the per-connection cap, origins."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from services.accounts import security_channel
from tests.helpers import (
    PROTOCOL,
    connect,
    gql,
    organization_of,
    receive,
    sign_up,
    wait_subscribed,
)

SECURITY_EVENTS = "subscription { securityEvents { kind detail user { email } } }"
CREATE_KEY = 'mutation { createApiKey(input: {name: "ws"}) { apiKey { id } } }'


async def test_security_events_stream_live_to_the_organization(
    client: TestClient,
) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    ada_ws = await connect(client, {"Authorization": f"Bearer {ada}"})
    bob_ws = await connect(client, {"authorization": f"Bearer {bob}"})  # any case
    for ws in (ada_ws, bob_ws):
        assert await receive(ws) == {"type": "connection_ack"}
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": SECURITY_EVENTS}}
        )
    for email in ("ada@example.com", "bob@example.com"):  # both subscriptions live
        await wait_subscribed(client, security_channel(await organization_of(email)))
    await gql(client, CREATE_KEY, token=ada)
    message = await receive(ada_ws)
    assert message["type"] == "next"
    assert message["id"] == "1"
    event = message["payload"]["data"]["securityEvents"]
    assert event["kind"] == "API_KEY_CREATED"
    assert event["user"] == {"email": "ada@example.com"}
    assert event["detail"]["name"] == "ws"
    # Bob's organization hears nothing of Ada's
    with pytest.raises(asyncio.TimeoutError):
        await bob_ws.receive(timeout=0.5)
    await ada_ws.send_json({"id": "1", "type": "complete"})
    await ada_ws.close()
    await bob_ws.close()


async def test_api_key_authenticates_a_websocket(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(
        client,
        'mutation { createApiKey(input: {name: "k", scopes: [READ]}) { secret } }',
        token=token,
    )
    ws = await connect(client, {"X-API-Key": body["data"]["createApiKey"]["secret"]})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {
            "id": "q",
            "type": "subscribe",
            "payload": {"query": "{ viewer { authMethod } }"},
        }
    )
    message = await receive(ws)
    assert message["payload"]["data"] == {"viewer": {"authMethod": "API_KEY"}}
    await ws.close()


async def test_bad_credentials_close_the_socket(client: TestClient) -> None:
    ws = await connect(client, {"Authorization": "Bearer forged.token.value"})
    message = await ws.receive(timeout=5)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert message.data == 4403


async def test_anonymous_subscription_is_unauthenticated(client: TestClient) -> None:
    ws = await connect(client)
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {"id": "1", "type": "subscribe", "payload": {"query": SECURITY_EVENTS}}
    )
    message = await receive(ws)
    assert message["type"] in ("error", "next")
    errors = (
        message["payload"]
        if message["type"] == "error"
        else message["payload"]["errors"]
    )
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    await ws.close()


async def test_subscriptions_per_connection_are_capped(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    ws = await connect(client, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    for i in range(10):
        await ws.send_json(
            {"id": str(i), "type": "subscribe", "payload": {"query": SECURITY_EVENTS}}
        )
    await ws.send_json(
        {"id": "over", "type": "subscribe", "payload": {"query": SECURITY_EVENTS}}
    )
    message = await receive(ws)
    assert message == {
        "id": "over",
        "type": "error",
        "payload": [{"message": "Subscription limit reached"}],
    }
    await ws.close()


async def test_only_graphql_transport_ws_is_spoken(client: TestClient) -> None:
    ws = await client.ws_connect("/graphql", protocols=["graphql-ws"])
    message = await ws.receive(timeout=5)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert message.data == 4406


async def test_foreign_origins_are_refused(client: TestClient) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(
            "/graphql", protocols=[PROTOCOL], origin="https://evil.example"
        )
    assert refused.value.status == 403
    same = await client.ws_connect(
        "/graphql", protocols=[PROTOCOL], origin=str(client.make_url("")).rstrip("/")
    )
    await same.close()
