"""The import preview's typed drafts (issue 16): `SectionImport.adds`/`keeps` and
`SectionChange.proposed`/`currentValues` carry the same values as the deprecated
JSON fields `add`/`keep`/`values`/`current`, typed per section."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import RESUME_LINES, gql, sign_up, text_pdf, upload

DRAFT = """
fragment Draft on SectionDraft {
  __typename
  ... on SkillDraft { name category level years }
  ... on ExperienceDraft {
    title company location startDate endDate current description
  }
  ... on EducationDraft {
    institution degree field startDate endDate description courses
  }
  ... on ProjectDraft { name role startDate endDate urls description }
  ... on CertificationDraft { name issuer issued expires credentialUrl }
}
"""
PREVIEW = (
    """
mutation P($input: PreviewImportInput!) {
  previewImport(input: $input) {
    preview {
      sections {
        section add keep adds { ...Draft } keeps { ...Draft }
        change {
          entryId values current
          proposed { ...Draft } currentValues { ...Draft }
        }
      }
    }
    userErrors { field message code }
  }
}
"""
    + DRAFT
)
TYPENAMES = {
    "SKILLS": "SkillDraft",
    "EXPERIENCE": "ExperienceDraft",
    "EDUCATION": "EducationDraft",
    "PROJECTS": "ProjectDraft",
    "CERTIFICATIONS": "CertificationDraft",
}


def _typed(
    section: str, values: dict[str, Any], draft: dict[str, Any], *, whole: bool
) -> None:
    """`draft` is `values` typed: the same values under the same names, the
    section's typename, and for every field `values` lacks null (a whole entry's
    lists: empty, as the commit writes them)."""
    assert draft["__typename"] == TYPENAMES[section]
    fields = {k: v for k, v in draft.items() if k != "__typename"}
    assert set(values) <= set(fields), (values, fields)
    for name, value in fields.items():
        if name in values:
            assert value == values[name], (name, values, draft)
        else:
            assert value in (([], None) if whole else (None,)), (name, draft)


async def test_typed_drafts_equal_the_json_values(client: TestClient) -> None:
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    setup = [
        # another spelling of an imported skill: a change of its name
        'createSkill(input: {name: "python", category: "Languages"}) { skill { id } }',
        # the same skill: kept
        'createSkill(input: {name: "Go"}) { skill { id } }',
        # the same job without dates or bullets: a change bringing them
        'createExperience(input: {title: "Software Engineer", company: "Globex"})'
        " { experience { id } }",
    ]
    for mutation in setup:
        body = await gql(client, "mutation { " + mutation + " }", token=token)
        assert "errors" not in body, body

    body = await upload(client, token, text_pdf(RESUME_LINES), query=PREVIEW)
    payload = body["data"]["previewImport"]
    assert payload["userErrors"] == []
    sections = {s["section"]: s for s in payload["preview"]["sections"]}
    assert set(sections) == set(TYPENAMES)
    for kind, section in sections.items():
        assert len(section["adds"]) == len(section["add"])
        for values, draft in zip(section["add"], section["adds"], strict=True):
            _typed(kind, values, draft, whole=True)
        assert len(section["keeps"]) == len(section["keep"])
        for values, draft in zip(section["keep"], section["keeps"], strict=True):
            _typed(kind, values, draft, whole=True)
        for change in section["change"]:
            _typed(kind, change["values"], change["proposed"], whole=False)
            _typed(kind, change["current"], change["currentValues"], whole=True)
            assert set(change["current"]) == set(change["currentValues"]) - {
                "__typename"
            }

    skills = sections["SKILLS"]
    [python] = skills["change"]
    assert python["proposed"] == {
        "__typename": "SkillDraft",
        "name": "Python",
        "category": None,  # not changing (kept as it is), not cleared
        "level": None,
        "years": None,
    }
    assert python["currentValues"] == {
        "__typename": "SkillDraft",
        "name": "python",
        "category": "Languages",
        "level": None,
        "years": None,
    }
    assert [k["name"] for k in skills["keeps"]] == ["Go"]
    assert {"PostgreSQL", "Redis"} <= {a["name"] for a in skills["adds"]}

    experience = sections["EXPERIENCE"]
    [globex] = experience["change"]
    assert globex["proposed"]["__typename"] == "ExperienceDraft"
    assert (globex["proposed"]["startDate"], globex["proposed"]["endDate"]) == (
        "2016-06",
        "2019-12",
    )
    assert globex["proposed"]["title"] is None  # the same title: not changing
    assert globex["currentValues"]["title"] == "Software Engineer"
    assert globex["currentValues"]["startDate"] is None
    [acme] = experience["adds"]
    assert acme["company"] == "Acme Corp"
    assert (acme["startDate"], acme["endDate"], acme["current"]) == (
        "2020-01",
        None,
        True,
    )
    assert acme["description"] == ["Cut p95 latency by 40% across the billing API"]

    [school] = sections["EDUCATION"]["adds"]
    assert school["__typename"] == "EducationDraft"
    assert school["institution"] == "Stanford University"
    assert "courses" not in sections["EDUCATION"]["add"][0]
    assert school["courses"] == []  # what the commit writes
