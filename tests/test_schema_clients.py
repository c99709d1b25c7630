"""The schema as client developers meet it (issue 16): Relay's store rules checked by
introspection, ids that name one record each, and payloads that keep a normalized
cache right without hand-written updaters."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import gql, sign_up, text_pdf, upload, wait_for_resume

INTROSPECT = """
query Types {
  __schema {
    types {
      kind name
      interfaces { name }
      fields(includeDeprecated: true) {
        name
        type { kind name ofType { kind name } }
      }
    }
  }
}
"""
IDS = """
query Ids {
  viewer {
    id __typename
    user { id __typename }
    organization { id __typename }
    plan { id __typename key }
    profile { id __typename }
    theme { catalog { id __typename key } }
    layout { fonts { id __typename key } }
  }
  plans { id __typename key }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id __typename } }"
SET_MASTER = """
mutation M($id: ID!) {
  setMasterResume(input: {id: $id}) {
    resume { id isMaster }
    changedResumes { id isMaster }
    userErrors { field message code }
  }
}
"""
RESUMES = """
query R {
  resumes(first: 10, filter: {includeMaster: true}, orderBy: {field: CREATED_AT}) {
    nodes { id isMaster }
  }
}
"""


async def test_every_type_with_an_id_is_a_node_with_an_id_of_type_id(
    client: TestClient,
) -> None:
    body = await gql(client, INTROSPECT)
    types = body["data"]["__schema"]["types"]
    offenders = []
    for entry in types:
        if entry["kind"] != "OBJECT" or entry["name"].startswith("__"):
            continue
        fields = {f["name"]: f["type"] for f in entry["fields"]}
        if "id" not in fields:
            continue
        id_type = fields["id"]
        is_id = id_type["kind"] == "NON_NULL" and id_type["ofType"] == {
            "kind": "SCALAR",
            "name": "ID",
        }
        implements_node = {"name": "Node"} in entry["interfaces"]
        if not (is_id and implements_node):
            offenders.append(entry["name"])
    assert offenders == []
    # the Node types include the ones that used to break the store
    nodes = {t["name"] for t in types if {"name": "Node"} in (t["interfaces"] or [])}
    assert {"Viewer", "Plan", "ThemeOption", "FontOption", "ImportPreview"} <= nodes


async def test_no_two_records_share_an_id_and_each_id_refetches_its_type(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, IDS, token=token)
    viewer = body["data"]["viewer"]
    records: list[dict[str, Any]] = [
        viewer,
        viewer["user"],
        viewer["organization"],
        viewer["plan"],
        viewer["profile"],
        *viewer["theme"]["catalog"],
        *viewer["layout"]["fonts"],
    ]
    records += [p for p in body["data"]["plans"] if p["id"] != viewer["plan"]["id"]]
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)) == 1 + 1 + 1 + 4 + 1 + 5 + 4
    # each global id names its own type, so two types never answer one id
    for record in records:
        type_name = base64.b64decode(record["id"]).decode().split(":", 1)[0]
        assert type_name == record["__typename"]
    # the names moved to `key` fields
    assert viewer["plan"]["key"] == "FREE"
    assert [p["key"] for p in body["data"]["plans"]] == [
        "FREE",
        "STARTER",
        "PRO",
        "ENTERPRISE",
    ]
    assert [t["key"] for t in viewer["theme"]["catalog"]] == [
        "CLASSIC",
        "MODERN",
        "NOTO",
        "TERMINAL",
        "EXECUTIVE",
    ]
    # every one of them refetches through node(id:) as the same record
    for record in records:
        found = await gql(client, NODE, {"id": record["id"]}, token=token)
        assert found == {
            "data": {"node": {"id": record["id"], "__typename": record["__typename"]}}
        }


async def test_another_callers_viewer_id_answers_null(client: TestClient) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    ada_viewer = (await gql(client, "{ viewer { id } }", token=ada))["data"]["viewer"]
    assert await gql(client, NODE, {"id": ada_viewer["id"]}, token=bob) == {
        "data": {"node": None}
    }
    assert await gql(client, NODE, {"id": ada_viewer["id"]}) == {"data": {"node": None}}


async def test_anonymous_viewer_is_null_and_the_rest_of_the_page_answers(
    client: TestClient,
) -> None:
    body = await gql(
        client,
        "{ viewer { id } plans { key } "
        'publicProfile(username: "nobody") { username } }',
    )
    assert body["data"] == {
        "viewer": None,
        "plans": [
            {"key": "FREE"},
            {"key": "STARTER"},
            {"key": "PRO"},
            {"key": "ENTERPRISE"},
        ],
        "publicProfile": None,
    }
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (
        ["viewer"],
        "UNAUTHENTICATED",
    )


async def test_set_master_resume_returns_the_new_and_the_former_master(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    ids = []
    for name in ("Jane Doe", "John Roe"):
        lines = [name, "Engineer", "Experience", "Engineer, Acme Corp", "2020 - 2022"]
        body = await upload(client, token, text_pdf(lines))
        ids.append(body["data"]["uploadResume"]["resume"]["id"])
        assert (await wait_for_resume(client, token, ids[-1]))["status"] == "READY"
    listing = await gql(client, RESUMES, token=token)
    assert listing["data"]["resumes"]["nodes"] == [
        {"id": ids[1], "isMaster": False},
        {"id": ids[0], "isMaster": True},  # the first READY resume became the master
    ]

    body = await gql(client, SET_MASTER, {"id": ids[1]}, token=token)

    # a normalized cache updates both records from this payload alone
    assert body["data"]["setMasterResume"] == {
        "resume": {"id": ids[1], "isMaster": True},
        "changedResumes": [
            {"id": ids[1], "isMaster": True},
            {"id": ids[0], "isMaster": False},
        ],
        "userErrors": [],
    }
    listing = await gql(client, RESUMES, token=token)
    assert listing["data"]["resumes"]["nodes"] == [
        {"id": ids[1], "isMaster": True},
        {"id": ids[0], "isMaster": False},
    ]
    # setting the master again changes no other record
    again = await gql(client, SET_MASTER, {"id": ids[1]}, token=token)
    assert again["data"]["setMasterResume"]["changedResumes"] == [
        {"id": ids[1], "isMaster": True}
    ]


CREATE_SKILL = """
mutation C($input: CreateSkillInput!) {
  createSkill(input: $input) {
    skill { id name }
    profile { id skills { id name } }
    userErrors { field code }
  }
}
"""
DELETE_SKILL = """
mutation D($input: DeleteSectionEntryInput!) {
  deleteSkill(input: $input) {
    deletedId
    profile { skills { name } }
    userErrors { field code }
  }
}
"""


async def test_section_mutations_return_the_profile_list_the_entry_joins(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    first = await gql(client, CREATE_SKILL, {"input": {"name": "Go"}}, token=token)
    second = await gql(client, CREATE_SKILL, {"input": {"name": "SQL"}}, token=token)
    go, sql = first["data"]["createSkill"], second["data"]["createSkill"]
    assert [s["name"] for s in go["profile"]["skills"]] == ["Go"]
    assert sql["profile"]["skills"] == [go["skill"], sql["skill"]]
    assert sql["profile"]["id"] == go["profile"]["id"]

    body = await gql(
        client, DELETE_SKILL, {"input": {"id": go["skill"]["id"]}}, token=token
    )
    assert body["data"]["deleteSkill"] == {
        "deletedId": go["skill"]["id"],
        "profile": {"skills": [{"name": "SQL"}]},
        "userErrors": [],
    }
    # a refused mutation has no profile to merge
    body = await gql(client, CREATE_SKILL, {"input": {"name": ""}}, token=token)
    assert body["data"]["createSkill"]["profile"] is None
    assert body["data"]["createSkill"]["userErrors"][0]["code"] == "VALIDATION_ERROR"


CONTENT = """
query C($id: ID!) {
  resume(id: $id) {
    content {
      personalInfo { name title email website }
      summary
      workExperience { number title company years description }
      education { number institution degree }
      additional { technicalSkills languages }
      customSections { key title items }
    }
  }
}
"""
UPDATE_CONTENT = """
mutation U($input: UpdateResumeInput!) {
  updateResume(input: $input) {
    resume { content { personalInfo { name title } summary
                       additional { technicalSkills languages }
                       customSections { key title items } } }
    userErrors { field message code }
  }
}
"""


async def test_resume_content_is_typed_and_updates_partially(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    doc = {
        "basics": {"name": "Jane Doe", "email": "jane@example.com", "label": "Eng"},
        "work": [{"name": "Acme", "position": "Engineer", "startDate": "2020-01"}],
        "education": [{"institution": "MIT", "studyType": "BSc"}],
        "skills": [{"name": "Backend", "keywords": ["Python", "Go"]}],
    }
    body = await upload(client, token, json.dumps(doc).encode(), filename="r.json")
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    assert (await wait_for_resume(client, token, resume_id))["status"] == "READY"
    content = (await gql(client, CONTENT, {"id": resume_id}, token=token))["data"][
        "resume"
    ]["content"]
    assert content["personalInfo"] == {
        "name": "Jane Doe",
        "title": "Eng",
        "email": "jane@example.com",
        "website": "",
    }
    [job] = content["workExperience"]
    assert (job["number"], job["title"], job["company"]) == (1, "Engineer", "Acme")
    assert [e["institution"] for e in content["education"]] == ["MIT"]
    assert content["customSections"] == []

    # a left-out field keeps, null clears, a given list replaces
    update = {
        "id": resume_id,
        "content": {
            "personalInfo": {"title": "Staff Engineer"},
            "summary": None,
            "additional": {"languages": ["English"]},
            "customSections": [{"key": "talks", "title": "Talks", "items": ["PyCon"]}],
        },
    }
    body = await gql(client, UPDATE_CONTENT, {"input": update}, token=token)
    payload = body["data"]["updateResume"]
    assert payload["userErrors"] == []
    assert payload["resume"]["content"] == {
        "personalInfo": {"name": "Jane Doe", "title": "Staff Engineer"},
        "summary": "",
        "additional": {
            "technicalSkills": content["additional"]["technicalSkills"],
            "languages": ["English"],
        },
        "customSections": [{"key": "talks", "title": "Talks", "items": ["PyCon"]}],
    }
    # the deprecated JSON field reads the same document
    legacy = await gql(
        client,
        "query L($id: ID!) { resume(id: $id) { structuredData } }",
        {"id": resume_id},
        token=token,
    )
    data = legacy["data"]["resume"]["structuredData"]
    assert data["personalInfo"]["title"] == "Staff Engineer"
    assert data["customSections"] == {"talks": {"title": "Talks", "items": ["PyCon"]}}

    # both inputs at once: refused, nothing written
    both = {**update, "structuredData": {"summary": "x"}, "content": {"summary": "y"}}
    body = await gql(client, UPDATE_CONTENT, {"input": both}, token=token)
    assert body["data"]["updateResume"] == {
        "resume": None,
        "userErrors": [
            {
                "field": ["input", "content"],
                "message": "Give content or structuredData, not both",
                "code": "VALIDATION_ERROR",
            }
        ],
    }
    # a bad document changes nothing and names the content input
    too_long = {"id": resume_id, "content": {"summary": "x" * 10_001}}
    body = await gql(client, UPDATE_CONTENT, {"input": too_long}, token=token)
    [error] = body["data"]["updateResume"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "content"], "VALIDATION_ERROR")
    after = await gql(client, CONTENT, {"id": resume_id}, token=token)
    assert after["data"]["resume"]["content"]["summary"] == ""


FIRST_ARGS = """
query Args {
  __schema {
    types {
      name
      fields { name type { name ofType { name } } args { name description } }
    }
  }
}
"""


async def test_every_connection_states_the_range_of_first(client: TestClient) -> None:
    body = await gql(client, FIRST_ARGS)
    undescribed = []
    connections = 0
    for entry in body["data"]["__schema"]["types"]:
        for field in entry["fields"] or []:
            named = field["type"]["name"] or (field["type"]["ofType"] or {})["name"]
            if not (named or "").endswith("Connection"):
                continue
            connections += 1
            args = {arg["name"]: arg["description"] for arg in field["args"]}
            if "0 to 100 (default 20)" not in (args.get("first") or ""):
                undescribed.append(f"{entry['name']}.{field['name']}")
    assert undescribed == []
    assert connections == 10


SCALARS = """
query S {
  dt: __type(name: "DateTime") { description specifiedByURL }
  d: __type(name: "Date") { specifiedByURL }
}
"""


async def test_date_time_is_rfc_3339_in_utc(client: TestClient) -> None:
    body = await gql(client, SCALARS)
    assert body["data"]["dt"]["specifiedByURL"] == (
        "https://datatracker.ietf.org/doc/html/rfc3339"
    )
    assert "UTC" in body["data"]["dt"]["description"]
    assert body["data"]["d"]["specifiedByURL"] is not None
    token = (await sign_up(client))["accessToken"]
    keys = await gql(
        client, "{ viewer { securityEvents { nodes { createdAt } } } }", token=token
    )
    [event] = keys["data"]["viewer"]["securityEvents"]["nodes"]
    assert event["createdAt"].endswith("+00:00")
    # an input with another offset is the same instant in UTC
    listing = await gql(
        client,
        "query R($since: DateTime) { resumes(filter: {updatedSince: $since}) "
        "{ nodes { id } } }",
        {"since": "2020-01-01T02:00:00+02:00"},
        token=token,
    )
    assert listing == {"data": {"resumes": {"nodes": []}}}
