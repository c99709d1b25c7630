"""Connections the Relay way: `totalCount` (one COUNT query, only when selected),
`last`/`before` backward pagination with `hasPreviousPage`, `first` and `last`
refused together; walked by introspection over every connection of the schema:
each has `totalCount` and takes `first after last before`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from models.accounts import Organization, SecurityEvent
from models.resumes import Resume
from models.tailoring import Letter
from tests.helpers import count_queries, gql, sign_up

RESUMES = """
query R($first: Int, $after: String, $last: Int, $before: String) {
  resumes(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { title } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
COUNTED = "{ resumes(first: 2) { totalCount edges { node { id } } } }"
UNCOUNTED = "{ resumes(first: 2) { edges { node { id } } } }"
EVENTS = """
query E($first: Int, $after: String, $last: Int, $before: String) {
  viewer { securityEvents(first: $first, after: $after, last: $last,
                          before: $before) {
    totalCount
    edges { node { kind } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }
}
"""
LETTERS = """
{ resumes(first: 10) { edges { node {
  title
  coverLetters(last: 2) { totalCount edges { node { subject } } pageInfo {
    hasPreviousPage hasNextPage
  } }
} } } }
"""
SCHEMA = """
{ __schema { types {
  name kind
  fields { name args { name } type { name kind ofType { name kind ofType { name } } } }
} } }
"""
CREATE_AGENT = """
mutation C($input: CreateAgentInput!) {
  createAgent(input: $input) { userErrors { code } }
}
"""
AGENTS = """
query A($first: Int, $last: Int, $before: String) {
  viewer { agents(first: $first, last: $last, before: $before) {
    totalCount edges { cursor node { name } } pageInfo { hasPreviousPage hasNextPage }
  } }
}
"""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("LOGGED_OUT", "PASSWORD_CHANGED", "API_KEY_CREATED", "API_KEY_REVOKED")


async def _resumes(count: int) -> int:
    """`count` READY resumes titled r1 (oldest update) to r{count}."""
    org = await Organization.get()
    for n in range(1, count + 1):
        row = await Resume.create(
            organization_id=org.id,
            title=f"r{n}",
            kind="json",
            status="READY",
            stage="done",
        )
        await Resume.filter(id=row.id).update(updated_at=NOW + timedelta(hours=n))
    return org.id


async def _page(client: TestClient, token: str, **args: Any) -> dict[str, Any]:
    body = await gql(client, RESUMES, args, token=token)
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["resumes"]
    return page


def _titles(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in page["edges"]]


async def test_resumes_page_forward_and_backward(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    await _resumes(5)  # newest update first: r5 r4 r3 r2 r1

    first = await _page(client, token, first=2)
    assert _titles(first) == ["r5", "r4"]
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (
        True,
        False,
    )
    # the last page, in the connection's order
    last = await _page(client, token, last=2)
    assert _titles(last) == ["r2", "r1"]
    info = last["pageInfo"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, False)
    assert info["startCursor"] == last["edges"][0]["cursor"]
    # walking back from it
    before = await _page(client, token, last=2, before=info["startCursor"])
    assert _titles(before) == ["r4", "r3"]
    info = before["pageInfo"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, True)
    rest = await _page(client, token, last=2, before=info["startCursor"])
    assert _titles(rest) == ["r5"]
    assert rest["pageInfo"]["hasPreviousPage"] is False
    # a backward cursor works forward too: after r4 comes r3
    after = await _page(client, token, first=1, after=before["edges"][0]["cursor"])
    assert _titles(after) == ["r3"]


async def test_first_with_last_and_after_with_before_are_refused(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    await _resumes(2)
    cursor = (await _page(client, token, first=1))["pageInfo"]["endCursor"]
    for args in ({"first": 1, "last": 1}, {"after": cursor, "before": cursor}):
        body = await gql(client, RESUMES, args, token=token)
        assert body["data"] is None, body
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    body = await gql(client, RESUMES, {"last": 101}, token=token)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_total_count_is_one_count_query_run_only_when_selected(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    await _resumes(3)
    with count_queries() as plain:
        body = await gql(client, UNCOUNTED, token=token)
    assert len(body["data"]["resumes"]["edges"]) == 2
    with count_queries() as counted:
        body = await gql(client, COUNTED, token=token)
    assert body["data"]["resumes"]["totalCount"] == 3
    extra = [q for q in counted if q not in plain]
    assert len(counted) == len(plain) + 1, extra
    assert len(extra) == 1
    assert "COUNT" in extra[0].upper()


async def test_security_events_page_backward_with_their_count(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]  # and its sign-up event
    org = await Organization.get()
    for kind in KINDS:
        await SecurityEvent.create(organization_id=org.id, kind=kind)
    total = await SecurityEvent.filter(organization_id=org.id).count()

    async def page(**args: Any) -> dict[str, Any]:
        body = await gql(client, EVENTS, args, token=token)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["viewer"]["securityEvents"]
        return found

    newest = await page(first=2)
    assert [e["node"]["kind"] for e in newest["edges"]] == [
        "API_KEY_REVOKED",
        "API_KEY_CREATED",
    ]
    assert newest["totalCount"] == total
    # backward from the newest page's start: nothing is newer
    none = await page(last=2, before=newest["pageInfo"]["startCursor"])
    assert none["edges"] == []
    assert none["pageInfo"]["hasPreviousPage"] is False
    # backward from its end: before API_KEY_CREATED in the order comes one event
    back = await page(last=5, before=newest["pageInfo"]["endCursor"])
    assert [e["node"]["kind"] for e in back["edges"]] == ["API_KEY_REVOKED"]
    oldest = await page(last=1)
    assert oldest["pageInfo"]["hasPreviousPage"] is (total > 1)
    assert oldest["pageInfo"]["hasNextPage"] is False


async def test_letters_of_many_resumes_count_in_one_query(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    org_id = await _resumes(3)
    for resume in await Resume.all():
        for n in range(int(resume.title[1:])):  # r1: 1 letter, r3: 3 letters
            await Letter.create(
                organization_id=org_id,
                resume_id=resume.id,
                kind="COVER_LETTER",
                subject=f"{resume.title}-{n}",
                content="",
                job_description="",
                language="en",
                engine="offline",
            )
    with count_queries() as seen:
        body = await gql(client, LETTERS, token=token)
    assert "errors" not in body, body
    by_title = {
        edge["node"]["title"]: edge["node"]["coverLetters"]
        for edge in body["data"]["resumes"]["edges"]
    }
    assert {t: c["totalCount"] for t, c in by_title.items()} == {
        "r1": 1,
        "r2": 2,
        "r3": 3,
    }
    # `last: 2`: the two oldest, oldest last (the order stays newest first)
    assert [e["node"]["subject"] for e in by_title["r3"]["edges"]] == [
        "r3-1",
        "r3-0",
    ]
    assert by_title["r3"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    assert by_title["r1"]["pageInfo"]["hasPreviousPage"] is False
    counts = [q for q in seen if "COUNT" in q.upper() and "letters" in q]
    assert len(counts) == 1, counts  # one grouped query for the three resumes


def _named(ref: dict[str, Any]) -> dict[str, Any]:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref


async def test_every_connection_counts_and_pages_both_ways(client: TestClient) -> None:
    types = (await gql(client, SCHEMA))["data"]["__schema"]["types"]
    connections = {
        t["name"]: t
        for t in types
        if t["kind"] == "OBJECT" and t["name"].endswith("Connection")
    }
    assert len(connections) >= 8
    for name, connection in connections.items():
        fields = {f["name"]: f for f in connection["fields"]}
        assert {"edges", "pageInfo", "nodes", "totalCount"} <= set(fields), name
        count = fields["totalCount"]["type"]
        assert (count["kind"], count["ofType"]["name"]) == ("NON_NULL", "Int"), name
    seen = set()
    for owner in types:
        for field in owner["fields"] or []:
            if _named(field["type"])["name"] in connections:
                where = f"{owner['name']}.{field['name']}"
                seen.add(where)
                args = {a["name"] for a in field["args"]}
                assert {"first", "after", "last", "before"} <= args, where
    assert len(seen) >= 10, seen


async def test_agents_page_backward_with_the_default_first(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    for name in ("a1", "a2", "a3"):
        body = await gql(client, CREATE_AGENT, {"input": {"name": name}}, token=token)
        assert body["data"]["createAgent"]["userErrors"] == [], body

    async def page(**args: Any) -> dict[str, Any]:
        body = await gql(client, AGENTS, args, token=token)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["viewer"]["agents"]
        return found

    forward = await page(first=10)
    names = [e["node"]["name"] for e in forward["edges"]]
    assert names[1:] == ["a1", "a2", "a3"]  # the default agent first
    assert forward["totalCount"] == 4
    assert [e["node"]["name"] for e in (await page(last=10))["edges"]] == names
    last = await page(last=2)
    assert [e["node"]["name"] for e in last["edges"]] == ["a2", "a3"]
    assert last["pageInfo"]["hasPreviousPage"] is True
    back = await page(last=2, before=last["edges"][0]["cursor"])
    assert [e["node"]["name"] for e in back["edges"]] == names[:2]
    assert back["pageInfo"]["hasPreviousPage"] is False
    first_cursor = forward["edges"][0]["cursor"]
    assert (await page(last=2, before=first_cursor))["edges"] == []


JOBS_BACK = """
query J($id: ID!, $last: Int, $before: String) {
  viewer { workerStatus(last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasPreviousPage hasNextPage }
  } }
  node(id: $id) { ... on Agent { jobs(last: $last, before: $before) {
    totalCount edges { node { id } }
  } } }
}
"""


async def test_jobs_page_backward_on_both_keyset_lists(client: TestClient) -> None:
    from tests.support.market import Market

    m = await Market(client).setup()
    ids = [(await m.post(reward=1))["job"]["id"] for _ in range(3)]
    newest_first = ids[::-1]

    async def page(**args: Any) -> dict[str, Any]:
        body = await gql(client, JOBS_BACK, {"id": m.agent, **args}, token=m.bob)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]
        return found

    last = await page(last=2)
    status = last["viewer"]["workerStatus"]
    assert [e["node"]["id"] for e in status["edges"]] == newest_first[1:]
    assert (status["totalCount"], status["pageInfo"]["hasPreviousPage"]) == (3, True)
    agent_jobs = last["node"]["jobs"]
    assert [e["node"]["id"] for e in agent_jobs["edges"]] == newest_first[1:]
    assert agent_jobs["totalCount"] == 3
    back = await page(last=2, before=status["edges"][0]["cursor"])
    status = back["viewer"]["workerStatus"]
    assert [e["node"]["id"] for e in status["edges"]] == newest_first[:1]
    assert status["pageInfo"] == {"hasPreviousPage": False, "hasNextPage": True}
    assert [e["node"]["id"] for e in back["node"]["jobs"]["edges"]] == newest_first[:1]
