"""Visitor chat support (tests/test_chat.py, tests/test_indexing*.py): the server
with a short index debounce and a low chat limit, asking a profile, and pointing an
organization at a fake model server."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

import server
from settings import Settings
from tests.helpers import gql, reset_state

ASK = """
mutation A($input: AskProfileInput!) {
  askProfile(input: $input) {
    answer answered conversationId
    citations { section entryId snippet }
    userErrors { field message code }
  }
}
"""
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko Firefox/128.0"}


UPDATE_LLM = """
mutation U($input: UpdateLlmConfigInput!) {
  updateLlmConfig(input: $input) { userErrors { code message } }
}
"""


async def chat_server(aiohttp_client: Any, settings: Settings) -> TestClient:
    """The server with a short index debounce, 5 chat questions a window per IP, and
    organizations' models allowed on loopback (the fakes); the database emptied."""
    app = server.create_app(
        replace(
            settings,
            index_debounce=0.2,
            chat_rate_limit=5,
            allow_private_llm_hosts=True,
        )
    )
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    return client


async def ask(
    client: TestClient, question: str, conversation_id: str | None = None, **kw: Any
) -> dict[str, Any]:
    variables = {
        "input": {
            "username": kw.pop("username", "ada"),
            "question": question,
            "conversationId": conversation_id,
        }
    }
    body = await gql(client, ASK, variables, headers=UA, **kw)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["askProfile"]
    return result


async def use_model(client: TestClient, token: str, fake: TestServer) -> None:
    """Point the organization at the fake OpenAI-compatible server."""
    model = {
        "provider": "OPENAI",
        "model": "gpt-test",
        "apiKey": "sk-test-1234",
        "apiBase": str(fake.make_url("/v1")),
    }
    body = await gql(client, UPDATE_LLM, {"input": model}, token=token)
    assert body["data"]["updateLlmConfig"]["userErrors"] == []
