"""One clearing rule for every update input (issue 16): a field left out keeps its
value, `null` clears it (a setting with a default goes back to it), and a field that
cannot be empty refuses `null` with a VALIDATION_ERROR naming it. Checked by walking
the schema's update inputs, then by behaviour on each of them. With it: the
`PartialDate` and `URL` scalars, and profile imports given as JSON text."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from graphql import get_introspection_query, graphql_sync

from schema.root import build_schema
from server import _log_unexpected
from settings import Settings
from tests.helpers import gql, sign_up, upload, wait_for_resume


def _types() -> dict[str, dict[str, Any]]:
    schema = build_schema(Settings(), on_unexpected=_log_unexpected)
    query = get_introspection_query(descriptions=True, specified_by_url=True)
    result = graphql_sync(schema._schema, query)
    assert result.data is not None
    return {t["name"]: t for t in result.data["__schema"]["types"]}


def test_every_update_input_can_leave_out_and_clear_each_field() -> None:
    """Every `Update…Input` field but `id` is nullable (null can be sent) and has no
    default (left out is distinguishable from null)."""
    types = _types()
    updates = sorted(
        name
        for name, t in types.items()
        if t["kind"] == "INPUT_OBJECT" and name.startswith("Update")
    )
    assert len(updates) >= 10, updates
    wrong = [
        f"{name}.{field['name']}"
        + (" is required" if field["type"]["kind"] == "NON_NULL" else "")
        + (f" defaults to {field['defaultValue']}" if field["defaultValue"] else "")
        for name in updates
        for field in types[name]["inputFields"]
        if field["name"] != "id"
        and (field["type"]["kind"] == "NON_NULL" or field["defaultValue"] is not None)
    ]
    assert not wrong, "update input fields breaking the clearing rule:\n" + "\n".join(
        wrong
    )


def test_the_scalars_state_their_format() -> None:
    types = _types()
    assert (
        types["PartialDate"]["specifiedByURL"] == "https://www.w3.org/TR/NOTE-datetime"
    )
    assert types["URL"]["specifiedByURL"] == "https://url.spec.whatwg.org/"
    fields = {f["name"]: f for f in types["Experience"]["fields"]}
    assert fields["startDate"]["type"]["name"] == "PartialDate"
    fields = {f["name"]: f for f in types["Profile"]["fields"]}
    assert fields["website"]["type"]["name"] == "URL"


UPDATE_PROFILE = """
mutation U($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    profile { headline website openToWork }
    userErrors { field message code }
  }
}
"""
CREATE_SKILL = """
mutation C($input: CreateSkillInput!) {
  createSkill(input: $input) { skill { id } userErrors { field code } }
}
"""
UPDATE_SKILL = """
mutation U($input: UpdateSkillInput!) {
  updateSkill(input: $input) {
    skill { name category level years }
    userErrors { field message code }
  }
}
"""
CREATE_EXPERIENCE = """
mutation C($input: CreateExperienceInput!) {
  createExperience(input: $input) {
    experience { startDate endDate }
    userErrors { field message code }
  }
}
"""
UPDATE_THEME = """
mutation T($input: UpdateThemeInput!) {
  updateTheme(input: $input) {
    theme { themeId accentColor }
    userErrors { field code }
  }
}
"""
UPDATE_LAYOUT = """
mutation L($input: UpdateLayoutInput!) {
  updateLayout(input: $input) {
    layout { font hiddenSections sectionOrder }
    userErrors { field code }
  }
}
"""
CREATE_AGENT = """
mutation C($input: CreateAgentInput!) {
  createAgent(input: $input) { agent { id } userErrors { field code } }
}
"""
UPDATE_AGENT = """
mutation U($input: UpdateAgentInput!) {
  updateAgent(input: $input) {
    agent { name personality }
    userErrors { field message code }
  }
}
"""
UPDATE_LLM = """
mutation U($input: UpdateLlmConfigInput!) {
  updateLlmConfig(input: $input) {
    llmConfig { apiKey model enableCoverLetter }
    userErrors { field message code }
  }
}
"""
EXPORT = """
mutation E { exportProfile(input: {format: JSON}) { content userErrors { code } } }
"""
IMPORT = """
mutation I($input: ImportProfileInput!) {
  importProfile(input: $input) {
    profile { headline skills { name } }
    userErrors { field message code }
  }
}
"""


async def _call(
    client: TestClient, token: str, query: str, input: dict[str, Any]
) -> dict[str, Any]:
    body = await gql(client, query, {"input": input}, token=token)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


async def test_profile_fields_left_out_keep_null_and_empty_clear(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    given = {"headline": "Engineer", "website": "https://ada.dev"}
    payload = await _call(client, token, UPDATE_PROFILE, given)
    assert payload["profile"]["website"] == "https://ada.dev"
    payload = await _call(client, token, UPDATE_PROFILE, {"website": None})
    assert payload["profile"] == {
        "headline": "Engineer",
        "website": None,
        "openToWork": False,
    }
    payload = await _call(client, token, UPDATE_PROFILE, {"headline": ""})
    assert payload["profile"]["headline"] is None
    payload = await _call(client, token, UPDATE_PROFILE, {"openToWork": None})
    assert payload["userErrors"] == [
        {
            "field": ["input", "openToWork"],
            "message": "openToWork must be true or false",
            "code": "VALIDATION_ERROR",
        }
    ]


async def test_section_entries_follow_the_rule(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    created = await _call(
        client, token, CREATE_SKILL, {"name": "SQL", "level": "expert", "years": 3}
    )
    skill_id = created["skill"]["id"]
    payload = await _call(client, token, UPDATE_SKILL, {"id": skill_id, "level": None})
    assert payload["skill"] == {
        "name": "SQL",
        "category": None,
        "level": None,
        "years": 3.0,
    }
    payload = await _call(client, token, UPDATE_SKILL, {"id": skill_id, "name": None})
    assert [e["field"] for e in payload["userErrors"]] == [["input", "name"]]
    assert payload["userErrors"][0]["code"] == "VALIDATION_ERROR"


async def test_partial_dates_and_urls(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    base = {"title": "Engineer", "company": "Acme"}
    payload = await _call(
        client,
        token,
        CREATE_EXPERIENCE,
        {**base, "startDate": "2020-03", "endDate": "2021"},
    )
    assert payload["experience"] == {"startDate": "2020-03", "endDate": "2021"}
    payload = await _call(
        client, token, CREATE_EXPERIENCE, {**base, "startDate": "March 2020"}
    )
    assert payload["userErrors"] == [
        {
            "field": ["input", "startDate"],
            "message": "startDate must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD",
            "code": "VALIDATION_ERROR",
        }
    ]
    body = await gql(
        client, CREATE_EXPERIENCE, {"input": {**base, "startDate": 2020}}, token=token
    )
    assert body["data"] is None
    assert (
        "PartialDate cannot represent a non-string value"
        in body["errors"][0]["message"]
    )
    payload = await _call(client, token, UPDATE_PROFILE, {"website": "ada.dev"})
    assert payload["userErrors"][0]["field"] == ["input", "website"]


async def test_theme_and_layout_null_puts_back_the_default(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    payload = await _call(
        client, token, UPDATE_THEME, {"themeId": "MODERN", "accentColor": "#112233"}
    )
    assert payload["theme"] == {"themeId": "MODERN", "accentColor": "#112233"}
    payload = await _call(client, token, UPDATE_THEME, {"accentColor": None})
    assert payload["theme"] == {"themeId": "MODERN", "accentColor": "#2563eb"}
    payload = await _call(client, token, UPDATE_THEME, {"themeId": None})
    assert payload["theme"] == {"themeId": "CLASSIC", "accentColor": "#2563eb"}

    payload = await _call(
        client,
        token,
        UPDATE_LAYOUT,
        {
            "font": "SOURCE_SERIF",
            "hiddenSections": ["SKILLS"],
            "sectionOrder": ["PROJECTS"],
        },
    )
    assert payload["layout"]["font"] == "SOURCE_SERIF"
    assert payload["layout"]["sectionOrder"][0] == "PROJECTS"
    payload = await _call(client, token, UPDATE_LAYOUT, {"hiddenSections": None})
    assert payload["layout"]["hiddenSections"] == []
    assert payload["layout"]["font"] == "SOURCE_SERIF"  # left out: kept
    payload = await _call(
        client, token, UPDATE_LAYOUT, {"font": None, "sectionOrder": None}
    )
    assert payload["layout"] == {
        "font": "INTER",
        "hiddenSections": [],
        "sectionOrder": [
            "SKILLS",
            "EXPERIENCE",
            "EDUCATION",
            "PROJECTS",
            "CERTIFICATIONS",
        ],
    }


async def test_agent_and_model_settings_follow_the_rule(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    created = await _call(
        client, token, CREATE_AGENT, {"name": "Scout", "personality": "Terse."}
    )
    agent_id = created["agent"]["id"]
    payload = await _call(
        client, token, UPDATE_AGENT, {"id": agent_id, "personality": None}
    )
    assert payload["agent"] == {"name": "Scout", "personality": None}
    payload = await _call(client, token, UPDATE_AGENT, {"id": agent_id, "name": None})
    assert [e["field"] for e in payload["userErrors"]] == [["input", "name"]]

    payload = await _call(client, token, UPDATE_LLM, {"apiKey": "sk-test-123456"})
    assert payload["llmConfig"]["apiKey"].endswith("3456")
    payload = await _call(client, token, UPDATE_LLM, {"apiKey": None})
    assert payload["llmConfig"]["apiKey"] is None
    await _call(client, token, UPDATE_LLM, {"apiKey": "sk-test-123456"})
    payload = await _call(client, token, UPDATE_LLM, {"apiKey": ""})  # still clears
    assert payload["llmConfig"]["apiKey"] is None
    payload = await _call(client, token, UPDATE_LLM, {"enableCoverLetter": None})
    assert [e["field"] for e in payload["userErrors"]] == [
        ["input", "enableCoverLetter"]
    ]


async def test_import_takes_the_document_as_json_text(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    await _call(client, token, UPDATE_PROFILE, {"headline": "Engineer"})
    await _call(client, token, CREATE_SKILL, {"name": "SQL"})
    body = await gql(client, EXPORT, token=token)
    content = body["data"]["exportProfile"]["content"]
    await _call(client, token, UPDATE_PROFILE, {"headline": None})
    payload = await _call(client, token, IMPORT, {"format": "JSON", "content": content})
    assert payload["userErrors"] == []
    assert payload["profile"] == {"headline": "Engineer", "skills": [{"name": "SQL"}]}
    for wrong in ({}, {"content": content, "data": json.loads(content)}):
        payload = await _call(client, token, IMPORT, {"format": "JSON", **wrong})
        assert payload["userErrors"][0]["field"] == ["input", "content"]
    payload = await _call(client, token, IMPORT, {"format": "JSON", "content": "{"})
    assert payload["userErrors"] == [
        {
            "field": ["input", "content"],
            "message": "content is not JSON",
            "code": "VALIDATION_ERROR",
        }
    ]


UPDATE_RESUME = """
mutation U($input: UpdateResumeInput!) {
  updateResume(input: $input) {
    resume { title tags }
    userErrors { field message code }
  }
}
"""


async def test_resume_title_tags_and_content_follow_the_rule(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    doc = {"basics": {"name": "Jane Doe"}, "skills": [{"name": "Backend"}]}
    body = await upload(client, token, json.dumps(doc).encode(), filename="r.json")
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    assert (await wait_for_resume(client, token, resume_id))["status"] == "READY"
    given = {"id": resume_id, "title": "Backend", "tags": ["go", "sql"]}
    payload = await _call(client, token, UPDATE_RESUME, given)
    assert payload["resume"] == {"title": "Backend", "tags": ["go", "sql"]}
    payload = await _call(client, token, UPDATE_RESUME, {"id": resume_id, "tags": None})
    assert payload["resume"] == {"title": "Backend", "tags": []}  # title kept
    for field in ("title", "content"):
        payload = await _call(
            client, token, UPDATE_RESUME, {"id": resume_id, field: None}
        )
        assert payload["resume"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["input", field], "VALIDATION_ERROR")
        ]
