"""The publicProfile cache: keyed by the profile's version, invalidated at once by
every kind of owner edit, never serving a section or field that is hidden now, and
views still counted on every request. Also the query-count guard of a resumes page
with its cover letters (one batched query whatever the number of resumes).

Anonymous publicProfile-only documents are also answered whole from the cache
(`ProfileCache.answer`): a hit executes nothing; the key holds the document, the
variables, the profile's version and the effective plan."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from services import profiles
from tests.factories import profile_entries
from tests.helpers import count_queries, gql, set_plan
from tests.support.profiles import REORDER, UPDATE_LAYOUT, UPDATE_PROFILE
from tests.support.profiles import create_entry as _create
from tests.support.profiles import token_for as _token
from transport.keys import RUNTIME_KEY

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


# -- whole answers ---------------------------------------------------------------------


def _answer_hits(client: TestClient) -> int:
    hits: int = client.app[RUNTIME_KEY].profile_cache.answer_hits
    return hits


async def test_a_repeated_anonymous_read_executes_nothing(client: TestClient) -> None:
    await _owner(client)
    first = await _public(client)
    calls = 0
    original = profiles.public_profile

    async def counted(**kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await original(**kwargs)  # type: ignore[arg-type]

    setattr(profiles, "public_profile", counted)  # noqa: B010
    try:
        hits = _answer_hits(client)
        with count_queries() as seen:
            again = await _public(client)
        assert again == first
        assert calls == 0  # no resolver ran
        assert _answer_hits(client) == hits + 1
        # the profile's version and the plan: the key, and nothing else
        assert len(seen) == 2
        # another username, alias or document is another answer
        other = await gql(client, PUBLIC, {"username": "nobody-here"})
        assert other["data"]["publicProfile"] is None
        aliased = await gql(
            client, '{ p: publicProfile(username: "ada") { username } }'
        )
        assert aliased["data"] == {"p": {"username": "ada"}}
        assert calls == 2
    finally:
        setattr(profiles, "public_profile", original)  # noqa: B010


async def test_only_anonymous_public_profile_documents_are_answered_whole(
    client: TestClient,
) -> None:
    token, _ = await _owner(client)
    both = '{ publicProfile(username: "ada") { username } plans { id } }'
    for _ in range(2):
        await gql(client, both)
        await gql(client, PUBLIC, {"username": "ada"}, token=token)
    await _public(client)
    assert _answer_hits(client) == 0
    await _public(client)
    assert _answer_hits(client) == 1
    # a document that fails validation is never kept (the guards answer each time)
    bad = '{ publicProfile(username: "ada") { nope } }'
    for _ in range(2):
        body = await gql(client, bad)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert _answer_hits(client) == 1


async def test_a_plan_change_is_a_new_answer(client: TestClient) -> None:
    token, _ = await _owner(client)
    await set_plan("starter")
    body = await gql(
        client,
        "mutation { updateTheme(input: {themeId: TERMINAL}) { userErrors { code } } }",
        token=token,
    )
    assert body["data"]["updateTheme"]["userErrors"] == []
    query = '{ publicProfile(username: "ada") { themeId } }'
    for _ in range(2):
        body = await gql(client, query)
        assert body["data"]["publicProfile"] == {"themeId": "TERMINAL"}
    await set_plan("free")  # no write to the profile: the plan is in the key
    body = await gql(client, query)
    assert body["data"]["publicProfile"] == {"themeId": "CLASSIC"}
