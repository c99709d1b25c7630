"""Daily caps of API-key traffic (resumAI: 1,000 requests a day on free, 50,000 on
paid plans), on top of the per-minute limits, reported in the X-RateLimit-* headers
of the window that refused; sockets count against them too."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.accounts import User
from services.ratelimit import DAY
from tests.helpers import gql, set_plan, sign_up
from transport.keys import RUNTIME_KEY

VIEWER = "query Viewer { viewer { authMethod } }"
CREATE_KEY = """
mutation { createApiKey(input: {name: "daily", scopes: [READ]}) { secret } }
"""


async def _key_and_org(client: TestClient) -> tuple[str, int]:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, CREATE_KEY, token=token)
    user = await User.get(email="ada@example.com")
    return body["data"]["createApiKey"]["secret"], user.default_organization_id


async def _use_up_the_day(client: TestClient, org_id: int, cap: int, used: int) -> None:
    """`used` of the organization's daily requests spent, through the very limiter
    the server counts with (memory, or Redis on the PostgreSQL run)."""
    limiter = client.app[RUNTIME_KEY].limiter
    verdict = await limiter.hit(
        f"org-day:{org_id}", per_minute=cap, window=DAY, cost=used
    )
    assert verdict.allowed
    assert verdict.remaining == cap - used


@pytest.mark.parametrize(("plan", "cap"), [("free", 1_000), ("starter", 50_000)])
async def test_the_daily_cap_refuses_with_the_days_headers(
    client: TestClient, plan: str, cap: int
) -> None:
    secret, org_id = await _key_and_org(client)
    await set_plan(plan)
    await _use_up_the_day(client, org_id, cap, cap - 1)
    headers = {"X-API-Key": secret}
    # the last request of the day passes, reported on the window with fewer
    # requests left (on free, a tie: the minute's, whose limit is 1)
    last = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
    assert last.status == 200
    assert last.headers["X-RateLimit-Limit"] == ("1" if plan == "free" else str(cap))
    assert last.headers["X-RateLimit-Remaining"] == "0"
    if plan == "free":
        return  # one request a minute: the next is refused by the minute window
    refused = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
    body: dict[str, Any] = await refused.json()
    assert refused.status == 429
    assert refused.headers["X-RateLimit-Limit"] == str(cap)
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    reset = int(refused.headers["X-RateLimit-Reset"])
    retry_after = int(refused.headers["Retry-After"])
    assert reset > time.time() + 60  # a day's window, not a minute's
    assert retry_after > 60
    [error] = body["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": retry_after}
    assert error["message"] == (
        f"Rate limit of {cap} requests per day exceeded; retry in {retry_after}s"
    )


async def test_free_plans_daily_cap_refuses_before_the_minute_does(
    client: TestClient,
) -> None:
    secret, org_id = await _key_and_org(client)
    await _use_up_the_day(client, org_id, 1_000, 1_000)
    refused = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"X-API-Key": secret}
    )
    assert refused.status == 429
    assert refused.headers["X-RateLimit-Limit"] == "1000"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) > 60


async def test_sockets_count_against_the_daily_cap(client: TestClient) -> None:
    secret, org_id = await _key_and_org(client)
    await set_plan("starter")
    await _use_up_the_day(client, org_id, 50_000, 50_000)
    ws = await client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {"X-API-Key": secret}})
    assert json.loads((await ws.receive(timeout=5)).data) == {"type": "connection_ack"}
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": VIEWER}})
    message = json.loads((await ws.receive(timeout=5)).data)
    assert message["type"] == "error"
    [error] = message["payload"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] > 60
    assert " requests per day exceeded" in error["message"]
    await ws.close()
