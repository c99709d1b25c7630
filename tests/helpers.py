"""Helpers of the end-to-end tests: GraphQL over the real HTTP client."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    accessToken refreshToken expiresIn
    user { id email name }
    userErrors { field message code }
  }
}
"""

PASSWORD = "correct horse battery staple"


async def gql(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=all_headers,
    )
    body: dict[str, Any] = await response.json(content_type=None)
    assert response.status == status, (response.status, body)
    return body


async def sign_up(
    client: TestClient, email: str = "ada@example.com", name: str = "Ada Lovelace"
) -> dict[str, Any]:
    body = await gql(
        client, SIGN_UP, {"input": {"email": email, "password": PASSWORD, "name": name}}
    )
    payload: dict[str, Any] = body["data"]["signUp"]
    assert payload["userErrors"] == [], payload
    return payload


async def set_plan(plan: str, email: str = "ada@example.com") -> None:
    """What `python server.py set-plan` does, for the organization of `email`."""
    from models.accounts import User
    from services import billing

    user = await User.get(email=email)
    await billing.set_plan(organization_id=user.default_organization_id, plan_id=plan)
