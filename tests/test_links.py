"""Links in answers come only from PUBLIC_URL; without it they are relative, and no
answer echoes the request's Host header (issue 9, finding 3)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient

import server
from settings import Settings
from tests.helpers import reset_state, sign_up

EXPORT = """
mutation E {
  exportProfile(input: {format: JSON}) { url userErrors { field message code } }
}
"""
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
TOKEN = r"[A-Za-z0-9_\-.]+"


async def _export(client: TestClient, token: str) -> tuple[str, str]:
    """The export's link and the whole raw answer, asked with a forged Host."""
    response = await client.post(
        "/graphql",
        json={"query": EXPORT},
        headers={"Authorization": f"Bearer {token}", **EVIL},
    )
    text = await response.text()
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    assert body["data"]["exportProfile"]["userErrors"] == []
    assert "evil.example" not in text
    assert all("evil.example" not in v for v in response.headers.values())
    return str(body["data"]["exportProfile"]["url"]), text


async def test_without_public_url_links_are_relative(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    url, _ = await _export(client, token)
    assert re.fullmatch(rf"/files/{TOKEN}", url), url
    download = await client.get(url)
    assert download.status == 200


async def test_with_public_url_links_are_absolute_on_it(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, public_url="https://api.example.com"))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = (await sign_up(client))["accessToken"]
    url, _ = await _export(client, token)
    assert re.fullmatch(rf"https://api\.example\.com/files/{TOKEN}", url), url
    download = await client.get(url.removeprefix("https://api.example.com"))
    assert download.status == 200
