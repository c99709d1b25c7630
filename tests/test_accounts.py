"""Accounts end to end: sign-up, log-in, token rotation, log-out, passwords, API keys,
viewer, tenancy, security events and usage."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime

import jwt
from aiohttp.test_utils import TestClient

from settings import Settings
from tests.helpers import PASSWORD, gql, set_plan, sign_up

VIEWER = """
query Viewer {
  viewer {
    id role authMethod credits
    user { id email name }
    organization { id plan credits }
    plan { id features rateLimitPerMinute tailorCallsPerMonth }
    apiKeys { id name prefix lastFour scopes lastUsedAt revokedAt }
  }
}
"""
LOG_IN = """
mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { accessToken refreshToken userErrors { field message code } }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(input: {refreshToken: $token}) {
    accessToken refreshToken userErrors { field message code }
  }
}
"""
LOG_OUT = "mutation LogOut { logOut { ok } }"
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { accessToken refreshToken userErrors { field code } }
}
"""
CREATE_KEY = """
mutation CreateKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    secret
    apiKey { id name prefix lastFour scopes createdAt lastUsedAt }
    userErrors { field message code }
  }
}
"""
REVOKE_KEY = """
mutation Revoke($id: ID!) {
  revokeApiKey(input: {id: $id}) { apiKey { id revokedAt } userErrors { field code } }
}
"""
EVENTS = """
query Events($first: Int, $after: String) {
  viewer {
    securityEvents(first: $first, after: $after) {
      edges { cursor node { id kind ip user { email } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
USAGE = """
query Usage($from: Date!, $to: Date!) {
  viewer { usage(from: $from, to: $to) { day operation count } }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id __typename ... on ApiKey { name } } }"


def _codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_sign_up_creates_user_org_credits_and_event(client: TestClient) -> None:
    session = await sign_up(client)
    assert session["expiresIn"] == 900
    body = await gql(client, VIEWER, token=session["accessToken"])
    viewer = body["data"]["viewer"]
    assert viewer["role"] == "OWNER"
    assert viewer["authMethod"] == "SESSION"
    assert viewer["user"]["email"] == "ada@example.com"
    assert viewer["organization"]["plan"] == "FREE"
    assert viewer["credits"] == 20
    assert viewer["plan"]["rateLimitPerMinute"] == 1
    assert "tailoring" not in viewer["plan"]["features"]
    # the viewer has its own global id (type Viewer), never its user's
    assert base64.b64decode(viewer["id"]).decode() == "Viewer:1"
    assert base64.b64decode(viewer["user"]["id"]).decode() == "User:1"
    events = await gql(client, EVENTS, token=session["accessToken"])
    kinds = [
        e["node"]["kind"] for e in events["data"]["viewer"]["securityEvents"]["edges"]
    ]
    assert kinds == ["SIGNED_UP"]


async def test_sign_up_rejects_bad_input_and_duplicates(client: TestClient) -> None:
    await sign_up(client)
    cases = [
        (
            {"email": "not-an-email", "password": PASSWORD, "name": "X"},
            "email",
            "VALIDATION_ERROR",
        ),
        (
            {"email": "b@example.com", "password": "short", "name": "X"},
            "password",
            "VALIDATION_ERROR",
        ),
        (
            {"email": "b@example.com", "password": PASSWORD, "name": " "},
            "name",
            "VALIDATION_ERROR",
        ),
        (
            {"email": "ADA@example.com", "password": PASSWORD, "name": "X"},
            "email",
            "CONFLICT",
        ),
    ]
    for variables, field, code in cases:
        body = await gql(client, SIGN_UP_RAW, {"input": variables})
        payload = body["data"]["signUp"]
        assert payload["accessToken"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["input", field], code)
        ]
    count = await gql(client, "{ plans { key } }")
    assert [p["key"] for p in count["data"]["plans"]] == [
        "FREE",
        "STARTER",
        "PRO",
        "ENTERPRISE",
    ]


SIGN_UP_RAW = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { accessToken userErrors { field message code } }
}
"""


async def test_log_in_success_and_failure_are_recorded(client: TestClient) -> None:
    await sign_up(client)
    bad = await gql(
        client,
        LOG_IN,
        {"input": {"email": "ada@example.com", "password": "wrong password!"}},
    )
    assert bad["data"]["logIn"]["accessToken"] is None
    assert bad["data"]["logIn"]["userErrors"][0]["code"] == "VALIDATION_ERROR"
    unknown = await gql(
        client, LOG_IN, {"input": {"email": "nobody@example.com", "password": PASSWORD}}
    )
    assert (
        unknown["data"]["logIn"]["userErrors"][0]["message"]
        == "Email or password is incorrect"
    )
    good = await gql(
        client, LOG_IN, {"input": {"email": " Ada@Example.com ", "password": PASSWORD}}
    )
    assert good["data"]["logIn"]["userErrors"] == []
    token = good["data"]["logIn"]["accessToken"]
    events = await gql(client, EVENTS, token=token)
    kinds = [
        e["node"]["kind"] for e in events["data"]["viewer"]["securityEvents"]["edges"]
    ]
    assert kinds == ["LOGIN_SUCCEEDED", "LOGIN_FAILED", "SIGNED_UP"]


async def test_refresh_rotates_and_reuse_revokes_the_session(
    client: TestClient,
) -> None:
    session = await sign_up(client)
    first = await gql(client, REFRESH, {"token": session["refreshToken"]})
    rotated = first["data"]["refreshToken"]
    assert rotated["userErrors"] == []
    assert rotated["refreshToken"] != session["refreshToken"]
    # presenting the old token again: reuse, the whole family is revoked
    reuse = await gql(client, REFRESH, {"token": session["refreshToken"]})
    assert reuse["data"]["refreshToken"]["userErrors"][0]["field"] == [
        "input",
        "refreshToken",
    ]
    after = await gql(client, REFRESH, {"token": rotated["refreshToken"]})
    assert after["data"]["refreshToken"]["accessToken"] is None
    # the access tokens of the revoked session stop working at once
    revoked = await gql(client, VIEWER, token=rotated["accessToken"], status=401)
    assert _codes(revoked) == ["UNAUTHENTICATED"]
    other = await gql(
        client, LOG_IN, {"input": {"email": "ada@example.com", "password": PASSWORD}}
    )
    events = await gql(client, EVENTS, token=other["data"]["logIn"]["accessToken"])
    kinds = [
        e["node"]["kind"] for e in events["data"]["viewer"]["securityEvents"]["edges"]
    ]
    assert "TOKEN_REUSE_DETECTED" in kinds


async def test_log_out_ends_access_and_refresh(client: TestClient) -> None:
    session = await sign_up(client)
    body = await gql(client, LOG_OUT, token=session["accessToken"])
    assert body["data"]["logOut"]["ok"] is True
    assert _codes(
        await gql(client, VIEWER, token=session["accessToken"], status=401)
    ) == ["UNAUTHENTICATED"]
    refreshed = await gql(client, REFRESH, {"token": session["refreshToken"]})
    assert refreshed["data"]["refreshToken"]["accessToken"] is None


async def test_change_password_ends_other_sessions(client: TestClient) -> None:
    session = await sign_up(client)
    wrong = await gql(
        client,
        CHANGE_PASSWORD,
        {
            "input": {
                "currentPassword": "not my password",
                "newPassword": "a brand new passphrase",
            }
        },
        token=session["accessToken"],
    )
    assert wrong["data"]["changePassword"]["userErrors"] == [
        {"field": ["input", "currentPassword"], "code": "VALIDATION_ERROR"}
    ]
    changed = await gql(
        client,
        CHANGE_PASSWORD,
        {
            "input": {
                "currentPassword": PASSWORD,
                "newPassword": "a brand new passphrase",
            }
        },
        token=session["accessToken"],
    )
    fresh = changed["data"]["changePassword"]
    assert fresh["userErrors"] == []
    await gql(client, VIEWER, token=session["accessToken"], status=401)
    ok = await gql(client, VIEWER, token=fresh["accessToken"])
    assert ok["data"]["viewer"]["user"]["email"] == "ada@example.com"
    old = await gql(
        client, LOG_IN, {"input": {"email": "ada@example.com", "password": PASSWORD}}
    )
    assert old["data"]["logIn"]["accessToken"] is None
    new = await gql(
        client,
        LOG_IN,
        {"input": {"email": "ada@example.com", "password": "a brand new passphrase"}},
    )
    assert new["data"]["logIn"]["accessToken"]


async def test_expired_and_forged_tokens_are_refused(
    client: TestClient, settings: Settings
) -> None:
    session = await sign_up(client)
    claims = jwt.decode(session["accessToken"], options={"verify_signature": False})
    forged = jwt.encode({**claims, "org": 999}, "not-the-key-" * 4, algorithm="HS256")
    body = await gql(client, VIEWER, token=forged, status=401)
    assert body["errors"][0]["message"] == "Invalid access token"
    key = hashlib.sha256(b"jwt:" + settings.secret_key.encode()).digest()
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 5}, key, algorithm="HS256"
    )
    body = await gql(client, VIEWER, token=expired, status=401)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in body["errors"][0]["message"]
    for header in ({"Authorization": "Basic abc"}, {"Authorization": "Bearer"}):
        body = await gql(client, VIEWER, headers=header, status=401)
        assert _codes(body) == ["UNAUTHENTICATED"]
    anonymous = await gql(client, VIEWER)
    assert anonymous["data"] == {"viewer": None}  # nullable: the page keeps the rest
    assert _codes(anonymous) == ["UNAUTHENTICATED"]


async def test_api_keys_lifecycle(client: TestClient) -> None:
    session = await sign_up(client)
    await set_plan("enterprise")
    token = session["accessToken"]
    created = (
        await gql(
            client,
            CREATE_KEY,
            {"input": {"name": "CI", "scopes": ["READ"]}},
            token=token,
        )
    )["data"]["createApiKey"]
    secret = created["secret"]
    assert secret.startswith("cg_live_")
    key = created["apiKey"]
    assert key["prefix"] == secret[:12]
    assert key["lastFour"] == secret[-4:]
    assert key["scopes"] == ["READ"]
    assert key["lastUsedAt"] is None
    # the secret is shown once: listing never carries it
    listed = await gql(client, VIEWER, token=token)
    assert secret not in str(listed)
    # the key authenticates by both headers
    by_bearer = await gql(
        client,
        "{ viewer { authMethod } }",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert by_bearer["data"]["viewer"]["authMethod"] == "API_KEY"
    listed = await gql(client, VIEWER, token=token)
    assert listed["data"]["viewer"]["apiKeys"][0]["lastUsedAt"] is not None
    # a read-only key runs no mutation
    denied = await gql(client, LOG_OUT, headers={"X-API-Key": secret})
    assert _codes(denied) == ["FORBIDDEN"]
    revoked = await gql(client, REVOKE_KEY, {"id": key["id"]}, token=token)
    assert revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    body = await gql(
        client, "{ viewer { id } }", headers={"X-API-Key": secret}, status=401
    )
    assert body["errors"][0]["message"] == "API key revoked"
    unknown = await gql(
        client, "{ viewer { id } }", headers={"X-API-Key": "cg_live_nope"}, status=401
    )
    assert unknown["errors"][0]["message"] == "Invalid API key"
    events = await gql(client, EVENTS, token=token)
    kinds = [
        e["node"]["kind"] for e in events["data"]["viewer"]["securityEvents"]["edges"]
    ]
    assert kinds[:2] == ["API_KEY_REVOKED", "API_KEY_CREATED"]


async def test_api_key_validation_and_session_only_operations(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    empty = await gql(
        client, CREATE_KEY, {"input": {"name": "", "scopes": ["READ"]}}, token=token
    )
    assert empty["data"]["createApiKey"]["userErrors"][0]["field"] == ["input", "name"]
    none = await gql(
        client, CREATE_KEY, {"input": {"name": "x", "scopes": []}}, token=token
    )
    assert none["data"]["createApiKey"]["userErrors"][0]["field"] == ["input", "scopes"]
    secret = (await gql(client, CREATE_KEY, {"input": {"name": "rw"}}, token=token))[
        "data"
    ]["createApiKey"]["secret"]
    # an API key cannot mint more keys, even with the write scope
    body = await gql(
        client, CREATE_KEY, {"input": {"name": "more"}}, headers={"X-API-Key": secret}
    )
    assert _codes(body) == ["FORBIDDEN"]


async def test_other_organizations_ids_resolve_as_not_found(client: TestClient) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    key = (await gql(client, CREATE_KEY, {"input": {"name": "ada key"}}, token=ada))[
        "data"
    ]["createApiKey"]["apiKey"]
    own = await gql(client, NODE, {"id": key["id"]}, token=ada)
    assert own["data"]["node"] == {
        "id": key["id"],
        "__typename": "ApiKey",
        "name": "ada key",
    }
    foreign = await gql(client, NODE, {"id": key["id"]}, token=bob)
    assert foreign == {"data": {"node": None}}
    revoke = await gql(client, REVOKE_KEY, {"id": key["id"]}, token=bob)
    assert revoke["data"]["revokeApiKey"]["userErrors"] == [
        {"field": ["input", "id"], "code": "NOT_FOUND"}
    ]
    still = await gql(client, VIEWER, token=ada)
    assert still["data"]["viewer"]["apiKeys"][0]["revokedAt"] is None
    ada_viewer = (await gql(client, VIEWER, token=ada))["data"]["viewer"]
    for node_id in (ada_viewer["user"]["id"], ada_viewer["organization"]["id"]):
        assert (await gql(client, NODE, {"id": node_id}, token=bob))["data"][
            "node"
        ] is None
        assert (await gql(client, NODE, {"id": node_id}, token=ada))["data"]["node"][
            "id"
        ] == node_id
    garbage = await gql(client, NODE, {"id": "not-a-global-id"}, token=ada)
    assert garbage["data"] is None or garbage["data"]["node"] is None


async def test_security_events_paginate_newest_first(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    for _ in range(4):
        await gql(
            client,
            LOG_IN,
            {"input": {"email": "ada@example.com", "password": "wrong password"}},
        )
    page1 = (await gql(client, EVENTS, {"first": 2}, token=token))["data"]["viewer"][
        "securityEvents"
    ]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = (
        await gql(
            client,
            EVENTS,
            {"first": 2, "after": page1["pageInfo"]["endCursor"]},
            token=token,
        )
    )["data"]["viewer"]["securityEvents"]
    page3 = (
        await gql(
            client,
            EVENTS,
            {"first": 2, "after": page2["pageInfo"]["endCursor"]},
            token=token,
        )
    )["data"]["viewer"]["securityEvents"]
    ids = [e["node"]["id"] for p in (page1, page2, page3) for e in p["edges"]]
    assert len(ids) == len(set(ids)) == 5
    assert [e["node"]["kind"] for e in page3["edges"]] == ["SIGNED_UP"]
    assert page3["pageInfo"]["hasNextPage"] is False
    too_many = await gql(client, EVENTS, {"first": 101}, token=token)
    assert _codes(too_many) == ["VALIDATION_ERROR"]
    bad_cursor = await gql(client, EVENTS, {"after": "bogus"}, token=token)
    assert _codes(bad_cursor) == ["VALIDATION_ERROR"]


async def test_usage_counts_api_key_requests_per_operation(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    await set_plan("enterprise")  # free allows 1 API-key request per minute
    secret = (await gql(client, CREATE_KEY, {"input": {"name": "usage"}}, token=token))[
        "data"
    ]["createApiKey"]["secret"]
    for _ in range(3):
        await gql(client, "query Ping { viewer { id } }", headers={"X-API-Key": secret})
    await gql(client, "query Other { plans { id } }", headers={"X-API-Key": secret})
    await gql(
        client, "query Ping { viewer { id } }", token=token
    )  # sessions are not counted
    today = datetime.now(UTC).date().isoformat()
    body = await gql(
        client,
        USAGE,
        {"from": today, "to": today},
        token=token,
    )
    rows = body["data"]["viewer"]["usage"]
    assert sorted((r["operation"], r["count"]) for r in rows) == [
        ("Other", 1),
        ("Ping", 3),
    ]
    backwards = await gql(
        client,
        USAGE,
        {"from": today, "to": "2000-01-01"},
        token=token,
    )
    assert _codes(backwards) == ["VALIDATION_ERROR"]
