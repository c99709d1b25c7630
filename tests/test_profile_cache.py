"""The publicProfile cache: keyed by the profile's version, invalidated at once by
every kind of owner edit, never serving a section or field that is hidden now, and
views still counted on every request. Also the query-count guard of a resumes page
with its cover letters (one batched query whatever the number of resumes)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from tests.factories import profile_entries
from tests.helpers import count_queries, gql
from tests.support.profiles import REORDER, UPDATE_LAYOUT, UPDATE_PROFILE
from tests.support.profiles import create_entry as _create
from tests.support.profiles import token_for as _token

PUBLIC = """
query P($username: String!) {
  publicProfile(username: $username) {
    username email sections skills { name } experience { title }
  }
}
"""
INSIGHTS = """
query I($from: Date!, $to: Date!) {
  viewer { insights(from: $from, to: $to) { totalViews } }
}
"""
UPDATE_SKILL = """
mutation U($input: UpdateSkillInput!) {
  updateSkill(input: $input) { skill { name } userErrors { code } }
}
"""
DELETE_SKILL = """
mutation D($input: DeleteSectionEntryInput!) {
  deleteSkill(input: $input) { deletedId userErrors { code } }
}
"""
RESET = "mutation { resetResumeContent { deleted { skills } } }"


async def _public(client: TestClient) -> dict[str, object]:
    body = await gql(client, PUBLIC, {"username": "ada"})
    assert "errors" not in body, body
    found: dict[str, object] = body["data"]["publicProfile"]
    return found


async def _owner(client: TestClient) -> tuple[str, list[str]]:
    token = await _token(client)
    body = await gql(
        client,
        UPDATE_PROFILE,
        {"input": {"username": "ada", "email": "ada@example.com"}},
        token=token,
    )
    assert body["data"]["updateProfile"]["userErrors"] == []
    ids = await profile_entries("skills", [{"name": "Go"}, {"name": "Rust"}])
    await profile_entries("experience", [{"title": "Dev", "company": "ACME"}])
    return token, ids


async def test_a_repeated_read_costs_no_section_query(client: TestClient) -> None:
    await _owner(client)
    first = await _public(client)
    with count_queries() as seen:
        again = await _public(client)
    assert again == first
    assert first["skills"] == [{"name": "Go"}, {"name": "Rust"}]
    section_tables = ("skills", "experiences", "educations", "projects", "cert")
    assert [q for q in seen if any(f'"{t}' in q for t in section_tables)] == []
    # the profile row (its version), the plan, the view count: and no more
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 2


async def test_every_owner_edit_is_seen_at_once(client: TestClient) -> None:
    token, (go, rust) = await _owner(client)
    await _public(client)  # cached

    body = await gql(
        client, UPDATE_SKILL, {"input": {"id": go, "name": "Golang"}}, token=token
    )
    assert body["data"]["updateSkill"]["userErrors"] == []
    assert (await _public(client))["skills"] == [{"name": "Golang"}, {"name": "Rust"}]

    body = await gql(
        client,
        REORDER,
        {"input": {"section": "SKILLS", "ids": [rust, go]}},
        token=token,
    )
    assert body["data"]["reorderSection"]["userErrors"] == []
    assert (await _public(client))["skills"] == [{"name": "Rust"}, {"name": "Golang"}]

    await _create(client, token, "Skill", {"name": "SQL"})
    assert (await _public(client))["skills"] == [
        {"name": "Rust"},
        {"name": "Golang"},
        {"name": "SQL"},
    ]

    body = await gql(client, DELETE_SKILL, {"input": {"id": rust}}, token=token)
    assert body["data"]["deleteSkill"]["userErrors"] == []
    assert (await _public(client))["skills"] == [{"name": "Golang"}, {"name": "SQL"}]

    body = await gql(client, RESET, token=token)
    assert body["data"]["resetResumeContent"]["deleted"] == {"skills": 2}
    public = await _public(client)
    assert public["skills"] == []
    assert public["experience"] == []


async def test_hidden_data_is_never_served_from_the_cache(client: TestClient) -> None:
    token, _ = await _owner(client)
    body = await gql(
        client, UPDATE_PROFILE, {"input": {"showEmail": True}}, token=token
    )
    assert body["data"]["updateProfile"]["userErrors"] == []
    public = await _public(client)
    assert public["email"] == "ada@example.com"
    assert public["skills"] == [{"name": "Go"}, {"name": "Rust"}]

    body = await gql(
        client, UPDATE_LAYOUT, {"input": {"hiddenSections": ["SKILLS"]}}, token=token
    )
    assert body["data"]["updateLayout"]["userErrors"] == []
    body = await gql(
        client, UPDATE_PROFILE, {"input": {"showEmail": False}}, token=token
    )
    assert body["data"]["updateProfile"]["userErrors"] == []
    assert await _public(client) == {
        "username": "ada",
        "email": None,
        "sections": ["EXPERIENCE", "EDUCATION", "PROJECTS", "CERTIFICATIONS"],
        "skills": None,
        "experience": [{"title": "Dev"}],
    }


async def test_cached_reads_count_no_view_and_a_recorded_visit_does(
    client: TestClient,
) -> None:
    token, _ = await _owner(client)
    for _ in range(3):
        await _public(client)  # publicProfile is a pure read, cached or not
    today = datetime.now(UTC).date().isoformat()
    body = await gql(client, INSIGHTS, {"from": today, "to": today}, token=token)
    assert body["data"]["viewer"]["insights"] == {"totalViews": 0}
    recorded = await gql(
        client, 'mutation { recordProfileView(input: {username: "ada"}) { counted } }'
    )
    assert recorded["data"]["recordProfileView"] == {"counted": True}
    body = await gql(client, INSIGHTS, {"from": today, "to": today}, token=token)
    assert body["data"]["viewer"]["insights"] == {"totalViews": 1}
