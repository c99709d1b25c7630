"""Truthfulness by default-deny (issue 9, finding 4): the model plants an invented
sentence in EVERY string field of ResumeData (the list of fields is read from the
schema itself, so a field added later is planted too) and in the letters; none of
it survives tailoring, and every planted field is reported."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import server
from services.documents.resumedata import RESUME_DATA_SCHEMA, validate_resume_data
from settings import Settings
from tests.factories import ready_resume
from tests.fake_openai import PLANTED, fake_openai
from tests.helpers import (
    JOB,
    MASTER,
    gql,
    reset_state,
    set_plan,
    sign_up,
    wait_for,
)

EACH = "[]"  # every item of an array
ANY_KEY = "{}"  # every value of an open map (custom sections)
# what gives the planted sentence away, wherever it lands
MARKERS = ("47%", "CKA", "Certified Administrator", "Increased revenue")

SOURCE: dict[str, Any] = {
    **copy.deepcopy(MASTER),
    "personalInfo": {
        **MASTER["personalInfo"],
        "website": "https://ada.example",
        "linkedin": "https://linkedin.com/in/ada",
        "github": "https://github.com/ada",
    },
    "education": [
        {
            **MASTER["education"][0],
            "description": "Thesis on query planning in PostgreSQL.",
        }
    ],
    "personalProjects": [
        {
            "id": 1,
            "name": "pgwatch",
            "role": "Author",
            "years": "2021",
            "github": "https://github.com/ada/pgwatch",
            "website": "https://pgwatch.example",
            "description": ["A PostgreSQL monitoring tool written in Python"],
        }
    ],
    "additional": {
        **MASTER["additional"],
        "awards": ["Employee of the year at Acme Corp"],
    },
    "customSections": {
        "talks": {"title": "Talks", "items": ["Caching with Redis, PyCon 2022"]}
    },
}

TAILORED = """
query R($id: ID!) {
  resume(id: $id) {
    status text structuredData
    refinementStats { alignmentViolationsFixed violations { kind value location } }
    coverLetters { edges { node { subject content removed { kind value } } } }
    outreachMessages { edges { node { subject content removed { kind value } } } }
  }
}
"""


def string_fields(
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """The path of every string the schema allows."""
    kind = schema.get("type")
    if kind == "string":
        yield path
    elif kind == "array":
        yield from string_fields(schema["items"], (*path, EACH))
    elif kind == "object":
        for key, sub in schema.get("properties", {}).items():
            yield from string_fields(sub, (*path, key))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from string_fields(extra, (*path, ANY_KEY))


FIELDS = sorted(string_fields(RESUME_DATA_SCHEMA))


def _planted(value: Any) -> str:
    return f"{value} {PLANTED}" if isinstance(value, str) and value else PLANTED


def plant_at(node: Any, path: tuple[str, ...]) -> None:
    """Append the invention to every string at `path` under `node` (setting it
    where the field is absent), and add it as an item of every string list."""
    head, rest = path[0], path[1:]
    if head == EACH and isinstance(node, list):
        if not rest:
            node[:] = [_planted(v) for v in node] + [PLANTED]
        for item in node if rest else ():
            plant_at(item, rest)
    elif head == ANY_KEY and isinstance(node, dict):
        for item in node.values():
            plant_at(item, rest)
    elif isinstance(node, dict):
        if not rest:
            node[head] = _planted(node.get(head))
        elif head in node:
            plant_at(node[head], rest)


# the fields that match a draft's entry to the source: planting there makes the
# entry unknown, so it is dropped and comes back whole from the source, which would
# also wipe what was planted in its other fields; they are planted in a run of
# their own
ENTRY_KEYS = [
    ("workExperience", EACH, "company"),
    ("education", EACH, "institution"),
    ("personalProjects", EACH, "name"),
]
GROUPS = {
    "every_other_field": [f for f in FIELDS if f not in ENTRY_KEYS],
    "entry_keys": ENTRY_KEYS,
}


def planter(fields: list[tuple[str, ...]]) -> Any:
    def plant(resume: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(resume)
        for path in fields:
            plant_at(data, path)
        return data

    return plant


def test_the_plant_reaches_every_string_field_of_the_schema() -> None:
    """The fake model's answer really carries the invention in every field."""
    planted = planter(FIELDS)(SOURCE)
    assert validate_resume_data(planted) == []
    for path in FIELDS:
        values = list(_values_at(planted, path))
        assert values, path  # the source has an entry for every field
        assert all(PLANTED in v for v in values), path
    assert len(FIELDS) >= 30


def _values_at(node: Any, path: tuple[str, ...]) -> Iterator[str]:
    if not path:
        if isinstance(node, str):
            yield node
        return
    head, rest = path[0], path[1:]
    if head == EACH and isinstance(node, list):
        for item in node:
            yield from _values_at(item, rest)
    elif head == ANY_KEY and isinstance(node, dict):
        for item in node.values():
            yield from _values_at(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from _values_at(node[head], rest)


def _location(path: tuple[str, ...]) -> str:
    return ".".join(p for p in path if p not in (EACH, ANY_KEY))


@pytest.fixture
async def planting_client(
    aiohttp_client: Any, settings: Settings, request: pytest.FixtureRequest
) -> Any:
    fake = fake_openai("plant", plant=planter(GROUPS[request.param]))
    fake_server = TestServer(fake)
    await fake_server.start_server()
    try:
        app = server.create_app(
            replace(
                settings,
                llm_provider="openai",
                openai_base_url=str(fake_server.make_url("/v1")),
                openai_api_key="sk-test",
                llm_model="test-model",
            )
        )
        client: TestClient = await aiohttp_client(app)
        await reset_state(settings)
        yield client
    finally:
        await fake_server.close()


@pytest.mark.parametrize("planting_client", list(GROUPS), indirect=True)
async def test_an_invention_planted_in_every_field_never_survives(
    planting_client: TestClient, request: pytest.FixtureRequest
) -> None:
    client = planting_client
    planted = GROUPS[request.node.callspec.params["planting_client"]]
    token = (await sign_up(client))["accessToken"]
    await ready_resume(SOURCE)
    await set_plan("starter")
    started = await gql(
        client,
        "mutation T($input: TailorResumeInput!) { tailorResume(input: $input) "
        "{ resume { id } userErrors { code } } }",
        {"input": {"jobDescription": JOB, "strategy": "FULL"}},
        token=token,
    )
    assert started["data"]["tailorResume"]["userErrors"] == []
    resume_id = started["data"]["tailorResume"]["resume"]["id"]
    await wait_for(client, token, resume_id, timeout=60)
    done = (await gql(client, TAILORED, {"id": resume_id}, token=token))["data"][
        "resume"
    ]
    assert done["status"] == "READY", done
    data = done["structuredData"]
    letters = [
        edge["node"]
        for kind in ("coverLetters", "outreachMessages")
        for edge in done[kind]["edges"]
    ]
    assert len(letters) == 2
    everything = json.dumps(data) + done["text"]
    everything += "".join(f"{x['subject']}\n{x['content']}" for x in letters)
    for marker in MARKERS:
        assert marker not in everything, marker
    # the truth stays: the source's own values at their places
    assert data["personalInfo"] == SOURCE["personalInfo"]
    assert data["customSections"] == SOURCE["customSections"]
    assert data["education"][0]["description"] == SOURCE["education"][0]["description"]
    assert [j["company"] for j in data["workExperience"]] == ["Acme Corp", "Initrode"]
    assert data["personalProjects"][0]["name"] == "pgwatch"
    # a list item that carried the invention goes (it has no place in the source)
    awards = SOURCE["additional"]["awards"]
    assert data["additional"]["awards"] == (
        [] if ("additional", "awards", EACH) in planted else awards
    )
    # every planted field is reported at its place (entries whose key field was
    # changed are reported, and dropped, as a whole: at their section)
    stats = done["refinementStats"]
    reported = {v["location"] for v in stats["violations"]}
    for path in planted:
        location = _location(path)
        assert location in reported or location.split(".")[0] in reported, location
    assert stats["alignmentViolationsFixed"] == len(stats["violations"])
    for letter in letters:
        assert any(
            r["kind"] == "NUMBER" and r["value"] == "47%" for r in letter["removed"]
        )
        assert letter["subject"] == "Application."


def test_the_issues_case_a_description_keeps_its_truth_and_loses_the_invention() -> (
    None
):
    """The finding as reported: the sentence appended to `education[0].description`
    goes, the user's own sentence stays, and the removal names its field."""
    from services.tailoring import refine

    source = copy.deepcopy(SOURCE)
    draft = copy.deepcopy(SOURCE)
    own = SOURCE["education"][0]["description"]
    draft["education"][0]["description"] = f"{own} {PLANTED}"
    draft["workExperience"][1]["location"] = PLANTED  # absent from the source
    draft["customSections"]["talks"]["items"].append(PLANTED)
    evidence = refine.Evidence(source)
    data, structural = refine.safety_nets(draft, source=source, evidence=evidence)
    violations = [*structural, *refine.align(data, source=source, evidence=evidence)]
    assert data["education"][0]["description"] == own
    assert data["workExperience"][1]["location"] == ""
    assert data["customSections"] == SOURCE["customSections"]
    assert {(v.kind, v.value, v.location) for v in violations} == {
        ("number", "47%", "education.description"),
        ("name", "Initech", "education.description"),
        ("term", "Kubernetes", "education.description"),
        ("name", "Kubernetes", "education.description"),
        ("name", "Certified", "education.description"),
        ("name", "Administrator", "education.description"),
        ("name", "CKA", "education.description"),
        ("number", "47%", "workExperience.location"),
        ("name", "Initech", "workExperience.location"),
        ("term", "Kubernetes", "workExperience.location"),
        ("name", "Kubernetes", "workExperience.location"),
        ("name", "Certified", "workExperience.location"),
        ("name", "Administrator", "workExperience.location"),
        ("name", "CKA", "workExperience.location"),
        ("restored", PLANTED, "customSections.items"),
    }
