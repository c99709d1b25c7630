"""Per-organization model settings: masked encrypted key, SSRF guard on apiBase,
validation, roles and tenancy."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import server
from models.tailoring import LlmConfig
from settings import Settings
from tests.helpers import gql, reset_state, sign_up

CONFIG = """{ llmConfig { provider model apiKey apiBase reasoningEffort
  enableCoverLetter enableOutreach contentLanguage defaultStrategy } }"""
UPDATE = """
mutation U($input: UpdateLlmConfigInput!) {
  updateLlmConfig(input: $input) {
    llmConfig { provider model apiKey apiBase defaultStrategy reasoningEffort }
    userErrors { field message code }
  }
}
"""


async def test_defaults_then_update_with_a_masked_encrypted_key(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, CONFIG, token=token)
    assert body["data"]["llmConfig"] == {
        "provider": "OFFLINE",
        "model": "",
        "apiKey": None,
        "apiBase": None,
        "reasoningEffort": None,
        "enableCoverLetter": True,
        "enableOutreach": True,
        "contentLanguage": "en",
        "defaultStrategy": "NUDGE",
    }
    secret = "sk-test-0123456789abcd"
    body = await gql(
        client,
        UPDATE,
        {
            "input": {
                "provider": "OPENAI",
                "model": "gpt-4o-mini",
                "apiKey": secret,
                "apiBase": "https://93.184.216.34/v1",
                "defaultStrategy": "KEYWORDS",
                "reasoningEffort": "LOW",
            }
        },
        token=token,
    )
    payload = body["data"]["updateLlmConfig"]
    assert payload["userErrors"] == []
    assert payload["llmConfig"] == {
        "provider": "OPENAI",
        "model": "gpt-4o-mini",
        "apiKey": "••••abcd",
        "apiBase": "https://93.184.216.34/v1",
        "defaultStrategy": "KEYWORDS",
        "reasoningEffort": "LOW",
    }
    row = await LlmConfig.get()
    assert secret not in row.api_key_encrypted  # stored encrypted
    from services.llm.config import decrypt_key

    assert (
        decrypt_key(
            client.app[server.RUNTIME_KEY].settings.secret_key, row.api_key_encrypted
        )
        == secret
    )
    # left-out fields stay; an empty key clears it
    body = await gql(client, UPDATE, {"input": {"apiKey": ""}}, token=token)
    config = body["data"]["updateLlmConfig"]["llmConfig"]
    assert config["apiKey"] is None
    assert config["model"] == "gpt-4o-mini"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1",
        "http://localhost/v1",
        "http://10.1.2.3/v1",
        "http://192.168.0.10/v1",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://0.0.0.0/v1",
        "file:///etc/passwd",
        "http://user:pw@93.184.216.34/v1",
    ],
)
async def test_private_api_bases_are_refused(client: TestClient, url: str) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, UPDATE, {"input": {"apiBase": url}}, token=token)
    payload = body["data"]["updateLlmConfig"]
    assert payload["llmConfig"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["input", "apiBase"], "VALIDATION_ERROR")
    assert await LlmConfig.all().count() == 0


async def test_an_instance_may_allow_private_hosts(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, allow_private_llm_hosts=True))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = (await sign_up(client))["accessToken"]
    body = await gql(
        client, UPDATE, {"input": {"apiBase": "http://127.0.0.1:11434/v1"}}, token=token
    )
    assert body["data"]["updateLlmConfig"]["userErrors"] == []


async def test_bad_values_are_reported_together_and_nothing_is_written(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(
        client,
        UPDATE,
        {"input": {"contentLanguage": "not a language", "model": "m" * 101}},
        token=token,
    )
    errors = body["data"]["updateLlmConfig"]["userErrors"]
    assert [e["field"] for e in errors] == [
        ["input", "model"],
        ["input", "contentLanguage"],
    ]
    assert await LlmConfig.all().count() == 0


async def test_config_is_per_organization_and_needs_admin(client: TestClient) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    await gql(client, UPDATE, {"input": {"model": "ada-model"}}, token=ada)
    body = await gql(client, CONFIG, token=bob)
    assert body["data"]["llmConfig"]["model"] == ""
    # an API key is a member, not an admin
    key = await gql(
        client,
        'mutation { createApiKey(input: {name: "k"}) { secret } }',
        token=ada,
    )
    body = await gql(
        client,
        UPDATE,
        {"input": {"model": "x"}},
        headers={"X-API-Key": key["data"]["createApiKey"]["secret"]},
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
