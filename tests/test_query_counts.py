"""Every list field reads through a DataLoader or one batched read, so a page
costs the same number of queries whatever its size: a 100-resume page with the
cover letters of every resume, the flat rows of 100 resumes, and a page of
security events with their users. (Other lists have their guard beside their
domain's tests: agents and jobs in test_jobs, transcripts in test_chat, the
profile's sections in test_profiles, letters paging in test_performance.)

LIST_FIELDS accounts for every list and connection field of the schema: a new one
fails `test_every_list_field_has_a_loader_guard_or_needs_none` until it names its
query-count guard, or says why none is needed."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import count_queries, gql, sign_up

RESUMES_WITH_LETTERS = """
query {
  resumes(first: 100) { edges { node {
    id title
    coverLetters(first: 5) { edges { node { id company } } }
  } } }
}
"""
RESUME_ROWS = """
query { resumeRows(first: 100) { edges { node { resumeId title name skills } } } }
"""
SECURITY_EVENTS = """
query { viewer { securityEvents(first: 100) { edges { node {
  id kind user { id name }
} } } } }
"""


async def _organization(email: str) -> int:
    from models.accounts import Membership, User

    user = await User.get(email=email)
    membership = await Membership.get(user_id=user.id)
    return membership.organization_id


async def _add_resumes(organization_id: int, count: int, letters: int) -> None:
    from models.resumes import Resume
    from models.tailoring import Letter

    for i in range(count):
        resume = await Resume.create(
            organization_id=organization_id,
            title=f"R{i}",
            status="READY",
            tags=[],
            kind="pdf",
            structured_data={"personalInfo": {"name": f"N{i}"}},
        )
        await Letter.bulk_create(
            [
                Letter(
                    organization_id=organization_id,
                    resume_id=resume.id,
                    kind="COVER_LETTER",
                    company=f"{i}-{j}",
                )
                for j in range(letters)
            ]
        )


async def _measure(client: TestClient, query: str, token: str) -> tuple[int, Any]:
    with count_queries() as seen:
        body = await gql(client, query, token=token)
    assert "errors" not in body, body
    return len(seen), body["data"]


async def test_100_resumes_with_letters_cost_as_much_as_2(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    org = await _organization("ada@example.com")

    await _add_resumes(org, 2, 3)
    small, data = await _measure(client, RESUMES_WITH_LETTERS, token)
    assert len(data["resumes"]["edges"]) == 2

    await _add_resumes(org, 98, 6)
    large, data = await _measure(client, RESUMES_WITH_LETTERS, token)
    nodes = [edge["node"] for edge in data["resumes"]["edges"]]
    assert len(nodes) == 100
    assert all(len(node["coverLetters"]["edges"]) in (3, 5) for node in nodes)
    # each resume gets its own letters
    for node in nodes:
        index = node["title"][1:]
        companies = {e["node"]["company"] for e in node["coverLetters"]["edges"]}
        assert {c.split("-")[0] for c in companies} == {index}
    assert large == small
    # the actor's session, the resumes page, the letters of all resumes
    assert large <= 4, large


async def test_100_resume_rows_cost_as_much_as_2(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    org = await _organization("ada@example.com")

    await _add_resumes(org, 2, 0)
    small, _ = await _measure(client, RESUME_ROWS, token)
    await _add_resumes(org, 98, 0)
    large, data = await _measure(client, RESUME_ROWS, token)
    assert len(data["resumeRows"]["edges"]) == 100
    assert large == small


async def test_security_events_with_their_users_cost_constant_queries(
    client: TestClient,
) -> None:
    from models.accounts import SecurityEvent, User

    token = (await sign_up(client))["accessToken"]
    await sign_up(client, "bob@example.com", "Bob")
    org = await _organization("ada@example.com")
    ada = await User.get(email="ada@example.com")

    small, _ = await _measure(client, SECURITY_EVENTS, token)
    await SecurityEvent.bulk_create(
        [
            SecurityEvent(
                organization_id=org,
                user_id=ada.id if i % 2 else None,
                kind="LOGIN_SUCCEEDED",
                detail={},
            )
            for i in range(60)
        ]
    )
    large, data = await _measure(client, SECURITY_EVENTS, token)
    edges = data["viewer"]["securityEvents"]["edges"]
    assert len(edges) > 60
    assert {e["node"]["user"]["name"] for e in edges if e["node"]["user"]} == {
        "Ada Lovelace"
    }
    assert large == small


def _nodes_query(ids: list[str]) -> str:
    fields = " ".join(
        f'n{i}: node(id: "{gid}") {{ id ... on CoverLetter {{ company }} }}'
        for i, gid in enumerate(ids)
    )
    return f"query {{ {fields} }}"


async def test_letters_by_node_id_load_in_one_batch(client: TestClient) -> None:
    from strawberry import relay

    from models.tailoring import Letter

    token = (await sign_up(client))["accessToken"]
    await sign_up(client, "eve@example.com", "Eve")
    ada, eve = [await _organization(f"{n}@example.com") for n in ("ada", "eve")]
    await _add_resumes(ada, 1, 10)
    await _add_resumes(eve, 1, 1)
    ours = [row.id for row in await Letter.filter(organization_id=ada).order_by("id")]
    [theirs] = [row.id for row in await Letter.filter(organization_id=eve)]

    def cover(ids: list[int]) -> list[str]:
        return [relay.to_base64("CoverLetter", key) for key in ids]

    small, _ = await _measure(client, _nodes_query(cover(ours[:2])), token)
    large, data = await _measure(client, _nodes_query(cover(ours)), token)
    assert large == small
    assert [data[f"n{i}"]["company"] for i in range(10)] == [
        f"0-{j}" for j in range(10)
    ]
    # another organization's letter, and a cover letter's id as an outreach message
    ids = [*cover([theirs]), relay.to_base64("OutreachMessage", ours[0])]
    _, data = await _measure(client, _nodes_query(ids), token)
    assert data == {"n0": None, "n1": None}


# -- every list field is accounted for ------------------------------------------------

ROW = "row"  # values the parent object already holds (its row, JSON or a static table)
ONCE = "once"  # on a root or viewer object: one read per request, never per parent
JOBS_GUARD = "test_jobs.py::test_agents_jobs_and_worker_status_cost_constant_queries"
PROFILE_GUARD = "test_profiles.py::test_full_profile_costs_constant_queries"
ROWS_GUARD = "test_query_counts.py::test_100_resume_rows_cost_as_much_as_2"
RESUMES_GUARD = "test_query_counts.py::test_100_resumes_with_letters_cost_as_much_as_2"
OUTREACH_GUARD = (
    "test_performance.py::test_letters_of_a_resumes_page_cost_constant_queries"
)
TRANSCRIPTS_GUARD = "test_chat.py::test_transcript_listing_costs_constant_queries"
EVENTS_GUARD = (
    "test_query_counts.py::test_security_events_with_their_users_cost_constant_queries"
)
LIST_FIELDS = {
    "Agent.jobs": JOBS_GUARD,
    "CoverLetter.removed": ROW,
    "Engagement.days": ROW,
    "Engagement.mostCitedSections": ROW,
    "Engagement.topQuestions": ROW,
    "ImportPreview.profile": ROW,
    "ImportPreview.sections": ROW,
    "Insights.days": ROW,
    "Job.history": JOBS_GUARD,
    "Layout.fonts": ROW,
    "OutreachMessage.removed": ROW,
    "Profile.certifications": PROFILE_GUARD,
    "Profile.education": PROFILE_GUARD,
    "Profile.experience": PROFILE_GUARD,
    "Profile.projects": PROFILE_GUARD,
    "Profile.skills": PROFILE_GUARD,
    "ProfileAnswerEvent.citations": ROW,
    "PublicProfile.certifications": ONCE,
    "PublicProfile.education": ONCE,
    "PublicProfile.experience": ONCE,
    "PublicProfile.projects": ONCE,
    "PublicProfile.skills": ONCE,
    "Query.matchAgents": ONCE,
    "Query.plans": ROW,
    "Query.resumeRows": ROWS_GUARD,
    "Query.resumes": RESUMES_GUARD,
    "RefinementStats.violations": ROW,
    "Resume.coverLetters": RESUMES_GUARD,
    "Resume.outreachMessages": OUTREACH_GUARD,
    "ResumeData.customSections": ROW,
    "ResumeData.education": ROW,
    "ResumeData.personalProjects": ROW,
    "ResumeData.workExperience": ROW,
    "SecurityEvent.details": ROW,
    "SectionImport.adds": ROW,
    "SectionImport.change": ROW,
    "SectionImport.keeps": ROW,
    "Theme.catalog": ROW,
    "Transcript.messages": TRANSCRIPTS_GUARD,
    "TranscriptMessage.citations": ROW,
    "Viewer.agents": JOBS_GUARD,
    "Viewer.apiKeys": ONCE,
    "Viewer.postedJobs": ONCE,  # its Job fields: the same loaders as workerStatus
    "Viewer.securityEvents": EVENTS_GUARD,
    "Viewer.transcripts": TRANSCRIPTS_GUARD,
    "Viewer.usage": ONCE,
    "Viewer.workerStatus": JOBS_GUARD,
}


def _list_fields() -> set[str]:
    """List and connection fields of the schema's object types (connections' own
    edges/nodes and mutation payloads aside)."""
    from graphql import (
        GraphQLInterfaceType,
        GraphQLList,
        GraphQLNonNull,
        GraphQLObjectType,
        GraphQLUnionType,
        build_schema,
        get_named_type,
    )

    from server import export_schema

    schema = build_schema(export_schema())
    found = set()
    for name, type_ in schema.type_map.items():
        if not isinstance(type_, GraphQLObjectType) or name.startswith("__"):
            continue
        if name in ("Mutation", "Subscription") or name.endswith(
            ("Payload", "Connection", "Edge")
        ):
            continue
        for field_name, field in type_.fields.items():
            if field_name == "userErrors":
                continue
            wrapped = field.type
            while isinstance(wrapped, GraphQLNonNull):
                wrapped = wrapped.of_type
            named = get_named_type(field.type)
            if (
                isinstance(wrapped, GraphQLList)
                and isinstance(
                    named, GraphQLObjectType | GraphQLUnionType | GraphQLInterfaceType
                )
            ) or named.name.endswith("Connection"):
                found.add(f"{name}.{field_name}")
    return found


def test_every_list_field_has_a_loader_guard_or_needs_none() -> None:
    """A new list field fails here until it is listed: with the query-count test
    that guards its loader, or as ROW / ONCE when no query runs per parent."""
    from pathlib import Path

    assert _list_fields() == set(LIST_FIELDS)
    here = Path(__file__).parent
    for guard in set(LIST_FIELDS.values()) - {ROW, ONCE}:
        module, test = guard.split("::")
        assert f"def {test}(" in (here / module).read_text(), guard
