"""Owner profiles end to end: profile fields, the five sections, ordering, theme and
layout with plan gates, the public face and its insights, exports behind signed
links, import, reset, tenancy and the SQL cost of a full profile."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from tortoise import Tortoise

import server
from models.profiles import Profile, ProfileView, Skill
from services.documents import jsonresume
from settings import Settings
from tests.helpers import TABLES, count_queries, gql, reset_state, set_plan
from tests.support.profiles import (
    PROFILE_FIELDS,
    REORDER,
    SECTIONS,
    UPDATE_LAYOUT,
    UPDATE_PROFILE,
)
from tests.support.profiles import create_entry as _create
from tests.support.profiles import section_mutation as _mutation
from tests.support.profiles import token_for as _token

FULL_PROFILE = f"""
query Full {{
  viewer {{
    profile {{
      {PROFILE_FIELDS}
      skills {{ id name category level years position }}
      experience {{ id title company location startDate endDate current description }}
      education {{ id institution degree field startDate endDate description courses }}
      projects {{ id name role startDate endDate urls description }}
      certifications {{ id name issuer issued expires credentialUrl }}
    }}
    theme {{ themeId effectiveThemeId accentColor available effectivePlan }}
    layout {{ sectionOrder hiddenSections font }}
  }}
}}
"""
# -- the profile -----------------------------------------------------------------------


async def test_update_profile_then_read_it(client: TestClient) -> None:
    token = await _token(client)
    values = {
        "username": "Ada-L",
        "fullName": "Ada Lovelace",
        "headline": "Analyst",
        "bio": "Notes on the engine.",
        "location": "London",
        "email": "ada@example.org",
        "phone": "+44 20 7946 0000",
        "website": "https://ada.example.org",
        "githubUrl": "https://github.com/ada",
        "linkedinUrl": "https://www.linkedin.com/in/ada",
        "openToWork": True,
        "showEmail": True,
    }
    body = await gql(client, UPDATE_PROFILE, {"input": values}, token=token)
    payload = body["data"]["updateProfile"]
    assert payload["userErrors"] == []
    profile = payload["profile"]
    assert profile["username"] == "ada-l"  # stored lowercase
    assert {k: profile[k] for k in values if k != "username"} == {
        k: v for k, v in values.items() if k != "username"
    }
    assert profile["showPhone"] is False

    # left-out fields keep their values; null clears one
    body = await gql(client, UPDATE_PROFILE, {"input": {"headline": None}}, token=token)
    profile = body["data"]["updateProfile"]["profile"]
    assert profile["headline"] is None
    assert profile["bio"] == "Notes on the engine."
    assert profile["openToWork"] is True

    read = await gql(client, FULL_PROFILE, token=token)
    assert read["data"]["viewer"]["profile"]["fullName"] == "Ada Lovelace"


async def test_open_to_work_is_false_until_set(client: TestClient) -> None:
    token = await _token(client)
    read = await gql(client, FULL_PROFILE, token=token)
    profile = read["data"]["viewer"]["profile"]
    assert profile["openToWork"] is False
    assert profile["skills"] == []


async def test_bad_profile_input_reports_every_field_and_writes_nothing(
    client: TestClient,
) -> None:
    token = await _token(client)
    await gql(client, UPDATE_PROFILE, {"input": {"bio": "before"}}, token=token)
    body = await gql(
        client,
        UPDATE_PROFILE,
        {
            "input": {
                "bio": "x" * 5001,
                "website": "javascript:alert(1)",
                "githubUrl": "ftp://github.com/ada",
                "fullName": "Ada",
            }
        },
        token=token,
    )
    payload = body["data"]["updateProfile"]
    assert payload["profile"] is None
    assert payload["userErrors"] == [
        {
            "field": ["input", "bio"],
            "message": "bio must be at most 5000 characters",
            "code": "VALIDATION_ERROR",
        },
        {
            "field": ["input", "website"],
            "message": "website must be an http(s) URL",
            "code": "VALIDATION_ERROR",
        },
        {
            "field": ["input", "githubUrl"],
            "message": "githubUrl must be an http(s) URL",
            "code": "VALIDATION_ERROR",
        },
    ]
    row = await Profile.get()
    assert (row.bio, row.full_name, row.website) == ("before", None, None)


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("ab", "VALIDATION_ERROR"),
        ("has space", "VALIDATION_ERROR"),
        ("-dash", "VALIDATION_ERROR"),
        ("graphql", "VALIDATION_ERROR"),
        ("Taken", "CONFLICT"),
    ],
)
async def test_username_rules(client: TestClient, username: str, code: str) -> None:
    other = await _token(client, "bob@example.com")
    await gql(client, UPDATE_PROFILE, {"input": {"username": "taken"}}, token=other)
    token = await _token(client)
    body = await gql(
        client, UPDATE_PROFILE, {"input": {"username": username}}, token=token
    )
    [error] = body["data"]["updateProfile"]["userErrors"]
    assert error["code"] == code
    assert error["field"] == ["input", "username"]
    assert await Profile.filter(username__isnull=False).count() == 1


# -- sections --------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", list(SECTIONS))
async def test_section_create_update_delete(client: TestClient, type_name: str) -> None:
    spec = SECTIONS[type_name]
    token = await _token(client)
    created = await _create(client, token, type_name, spec["create"])
    assert {k: created[k] for k in spec["create"]} == spec["create"]

    fields = " ".join([*spec["create"], *spec["update"]])
    body = await gql(
        client,
        _mutation("Update", type_name, fields),
        {"input": {"id": created["id"], **spec["update"]}},
        token=token,
    )
    payload = body["data"][f"update{type_name}"]
    assert payload["userErrors"] == []
    updated = payload[spec["field"]]
    assert {k: updated[k] for k in spec["update"]} == spec["update"]
    # fields the update left out are unchanged
    assert {k: updated[k] for k in spec["create"] if k not in spec["update"]} == {
        k: v for k, v in spec["create"].items() if k not in spec["update"]
    }

    node = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { id } }",
        {"id": created["id"]},
        token=token,
    )
    assert node["data"]["node"] == {"id": created["id"]}

    delete = f"""
    mutation D($input: DeleteSectionEntryInput!) {{
      delete{type_name}(input: $input) {{ deletedId userErrors {{ code }} }}
    }}"""
    body = await gql(client, delete, {"input": {"id": created["id"]}}, token=token)
    assert body["data"][f"delete{type_name}"] == {
        "deletedId": created["id"],
        "userErrors": [],
    }
    body = await gql(client, delete, {"input": {"id": created["id"]}}, token=token)
    assert body["data"][f"delete{type_name}"]["userErrors"] == [{"code": "NOT_FOUND"}]
    read = await gql(client, FULL_PROFILE, token=token)
    assert read["data"]["viewer"]["profile"][spec["list"]] == []


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"title": "T", "company": "C", "startDate": "2019/03"},
            "startDate",
            "startDate must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (
            {"title": "T", "company": "C", "startDate": "2020-13"},
            "startDate",
            "startDate must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (
            {"title": "T", "company": "C", "startDate": "2020", "endDate": "2019-12"},
            "endDate",
            "endDate must not be before startDate",
        ),
        (
            {"title": "T", "company": "C", "current": True, "endDate": "2020"},
            "endDate",
            "endDate must be empty when current is true",
        ),
        ({"title": " ", "company": "C"}, "title", "title is required"),
        (
            {"title": "T", "company": "C", "description": ["x" * 1001]},
            "description",
            "description entries must be at most 1000 characters",
        ),
    ],
)
async def test_bad_experience_is_refused(
    client: TestClient, values: dict[str, Any], field: str, message: str
) -> None:
    token = await _token(client)
    body = await gql(
        client,
        _mutation("Create", "Experience", "title"),
        {"input": values},
        token=token,
    )
    assert body["data"]["createExperience"] == {
        "experience": None,
        "userErrors": [
            {"field": ["input", field], "message": message, "code": "VALIDATION_ERROR"}
        ],
    }
    read = await gql(client, FULL_PROFILE, token=token)
    assert read["data"]["viewer"]["profile"]["experience"] == []


async def test_reorder_section(client: TestClient) -> None:
    token = await _token(client)
    ids = [
        (await _create(client, token, "Skill", {"name": name}))["id"]
        for name in ("Go", "Rust", "SQL")
    ]
    body = await gql(
        client,
        REORDER,
        {"input": {"section": "SKILLS", "ids": [ids[2], ids[0], ids[1]]}},
        token=token,
    )
    payload = body["data"]["reorderSection"]
    assert payload["userErrors"] == []
    assert payload["profile"]["skills"] == [
        {"name": "SQL", "position": 0},
        {"name": "Go", "position": 1},
        {"name": "Rust", "position": 2},
    ]
    # a new entry goes last
    await _create(client, token, "Skill", {"name": "C++"})
    read = await gql(client, FULL_PROFILE, token=token)
    names = [s["name"] for s in read["data"]["viewer"]["profile"]["skills"]]
    assert names == ["SQL", "Go", "Rust", "C++"]


async def test_reorder_refuses_foreign_missing_and_repeated_ids(
    client: TestClient,
) -> None:
    bob = await _token(client, "bob@example.com")
    foreign = (await _create(client, bob, "Skill", {"name": "Bob's"}))["id"]
    token = await _token(client)
    ids = [
        (await _create(client, token, "Skill", {"name": name}))["id"]
        for name in ("Go", "Rust")
    ]
    cases = [
        ([ids[1], foreign], ["input", "ids", "1"], "NOT_FOUND"),
        ([ids[1]], ["input", "ids"], "VALIDATION_ERROR"),
        ([ids[1], ids[1], ids[0]], ["input", "ids", "1"], "VALIDATION_ERROR"),
        ([ids[1], "not-an-id"], ["input", "ids", "1"], "NOT_FOUND"),
    ]
    for given, field, code in cases:
        body = await gql(
            client, REORDER, {"input": {"section": "SKILLS", "ids": given}}, token=token
        )
        payload = body["data"]["reorderSection"]
        assert payload["profile"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (field, code)
        ]
    positions = await Skill.filter(name__in=["Go", "Rust"]).order_by("position")
    assert [s.name for s in positions] == ["Go", "Rust"]
    assert (await Skill.get(name="Bob's")).position == 0


async def test_other_organizations_entries_are_not_found(client: TestClient) -> None:
    bob = await _token(client, "bob@example.com")
    skill = await _create(client, bob, "Skill", {"name": "Secret"})
    token = await _token(client)
    body = await gql(
        client,
        _mutation("Update", "Skill", "name"),
        {"input": {"id": skill["id"], "name": "Mine now"}},
        token=token,
    )
    assert body["data"]["updateSkill"] == {
        "skill": None,
        "userErrors": [
            {
                "field": ["input", "id"],
                "message": "Skill not found",
                "code": "NOT_FOUND",
            }
        ],
    }
    node = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { id } }",
        {"id": skill["id"]},
        token=token,
    )
    assert node["data"]["node"] is None
    # an id of another type is not found either
    body = await gql(
        client,
        _mutation("Update", "Experience", "title"),
        {"input": {"id": skill["id"], "title": "x"}},
        token=token,
    )
    assert body["data"]["updateExperience"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await Skill.get()).name == "Secret"


async def test_full_profile_costs_constant_queries(client: TestClient) -> None:
    token = await _token(client)

    async def fill(count: int) -> None:
        for type_name, spec in SECTIONS.items():
            for _ in range(count):
                await _create(client, token, type_name, spec["create"])

    async def measure() -> int:
        with count_queries() as seen:
            body = await gql(client, FULL_PROFILE, token=token)
        assert "errors" not in body
        return len(seen)

    await fill(1)
    one = await measure()
    await fill(19)
    twenty = await measure()
    read = await gql(client, FULL_PROFILE, token=token)
    assert len(read["data"]["viewer"]["profile"]["skills"]) == 20
    assert one == twenty
    assert twenty == 7  # profile, organization, one per section


# -- theme and layout ------------------------------------------------------------------

UPDATE_THEME = """
mutation T($input: UpdateThemeInput!) {
  updateTheme(input: $input) {
    theme { themeId effectiveThemeId accentColor available effectivePlan
            catalog { key premium available } }
    userErrors { field message code }
  }
}
"""


async def test_premium_theme_needs_a_plan(client: TestClient) -> None:
    token = await _token(client)
    body = await gql(
        client,
        UPDATE_THEME,
        {"input": {"themeId": "TERMINAL", "accentColor": "#00D4FF"}},
        token=token,
    )
    payload = body["data"]["updateTheme"]
    # the refused mutation returns the current, unchanged theme (caches stay right)
    current = {key: payload["theme"][key] for key in ("themeId", "accentColor")}
    assert current == {"themeId": "CLASSIC", "accentColor": "#2563eb"}
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["input", "themeId"], "PLAN_REQUIRED")
    read = await gql(client, FULL_PROFILE, token=token)
    assert read["data"]["viewer"]["theme"] == {
        "themeId": "CLASSIC",
        "effectiveThemeId": "CLASSIC",
        "accentColor": "#2563eb",
        "available": False,
        "effectivePlan": "FREE",
    }

    await set_plan("starter")
    body = await gql(
        client,
        UPDATE_THEME,
        {"input": {"themeId": "TERMINAL", "accentColor": "#00D4FF"}},
        token=token,
    )
    theme = body["data"]["updateTheme"]["theme"]
    assert (theme["themeId"], theme["effectiveThemeId"]) == ("TERMINAL", "TERMINAL")
    assert theme["accentColor"] == "#00d4ff"
    assert theme["available"] is True
    assert {t["key"]: t["available"] for t in theme["catalog"]}["TERMINAL"] is True

    # a downgrade keeps the choice but renders the default, and says so
    await set_plan("free")
    read = await gql(client, FULL_PROFILE, token=token)
    assert read["data"]["viewer"]["theme"]["themeId"] == "TERMINAL"
    assert read["data"]["viewer"]["theme"]["effectiveThemeId"] == "CLASSIC"
    assert read["data"]["viewer"]["theme"]["available"] is False


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"accentColor": "red"}, "accentColor"),
        ({"accentColor": "#12345"}, "accentColor"),
    ],
)
async def test_bad_theme_input(
    client: TestClient, values: dict[str, str], field: str
) -> None:
    token = await _token(client)
    body = await gql(client, UPDATE_THEME, {"input": values}, token=token)
    [error] = body["data"]["updateTheme"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", field], "VALIDATION_ERROR")


async def test_a_stored_theme_outside_the_enum_reads_as_classic(
    client: TestClient,
) -> None:
    token = await _token(client)
    await gql(client, UPDATE_THEME, {"input": {"themeId": "MODERN"}}, token=token)
    await Profile.all().update(theme_id="retro")  # written before the set was closed
    body = await gql(
        client, "{ viewer { theme { themeId effectiveThemeId } } }", token=token
    )
    assert body["data"]["viewer"]["theme"] == {
        "themeId": "CLASSIC",
        "effectiveThemeId": "CLASSIC",
    }


@pytest.mark.parametrize("theme", ["nope", "modern"])  # values are the enum's names
async def test_an_unknown_theme_is_a_variable_error(
    client: TestClient, theme: str
) -> None:
    token = await _token(client)
    body = await gql(client, UPDATE_THEME, {"input": {"themeId": theme}}, token=token)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert f"Value '{theme}' does not exist in 'ThemeKey' enum" in error["message"]


LAYOUT_STATE = """
{ viewer { layout { font effectiveFont available effectivePlan
  fonts { key premium available } } } }
"""


async def test_layout(client: TestClient) -> None:
    token = await _token(client)
    await set_plan("starter")
    body = await gql(
        client,
        UPDATE_LAYOUT,
        {
            "input": {
                "sectionOrder": ["PROJECTS", "EXPERIENCE"],
                "hiddenSections": ["CERTIFICATIONS"],
                "font": "IBM_PLEX_MONO",
            }
        },
        token=token,
    )
    assert body["data"]["updateLayout"] == {
        "layout": {
            "sectionOrder": [
                "PROJECTS",
                "EXPERIENCE",
                "SKILLS",
                "EDUCATION",
                "CERTIFICATIONS",
            ],
            "hiddenSections": ["CERTIFICATIONS"],
            "font": "IBM_PLEX_MONO",
        },
        "userErrors": [],
    }
    body = await gql(
        client,
        UPDATE_LAYOUT,
        {"input": {"sectionOrder": ["SKILLS", "SKILLS"]}},
        token=token,
    )
    [error] = body["data"]["updateLayout"]["userErrors"]
    assert error["field"] == ["input", "sectionOrder"]
    read = await gql(client, FULL_PROFILE, token=token)
    assert read["data"]["viewer"]["layout"]["sectionOrder"][0] == "PROJECTS"


async def test_layout_options_are_plan_aware(client: TestClient) -> None:
    """Like themes: explicit availability, PLAN_REQUIRED for a premium font, and
    after a downgrade the stored choice stays while the rendered one falls back."""
    token = await _token(client)
    fonts_free = [
        {"key": "INTER", "premium": False, "available": True},
        {"key": "SOURCE_SERIF", "premium": False, "available": True},
        {"key": "NOTO_SANS_CJK", "premium": False, "available": True},
        {"key": "IBM_PLEX_MONO", "premium": True, "available": False},
    ]
    body = await gql(client, LAYOUT_STATE, token=token)
    assert body["data"]["viewer"]["layout"] == {
        "font": "INTER",
        "effectiveFont": "INTER",
        "available": False,
        "effectivePlan": "FREE",
        "fonts": fonts_free,
    }
    # a premium font on free: refused, and nothing of the input is applied
    body = await gql(
        client,
        UPDATE_LAYOUT,
        {"input": {"sectionOrder": ["PROJECTS"], "font": "IBM_PLEX_MONO"}},
        token=token,
    )
    assert body["data"]["updateLayout"] == {
        "layout": {
            "sectionOrder": [
                "SKILLS",
                "EXPERIENCE",
                "EDUCATION",
                "PROJECTS",
                "CERTIFICATIONS",
            ],
            "hiddenSections": [],
            "font": "INTER",
        },
        "userErrors": [
            {
                "field": ["input", "font"],
                "message": "The IBM Plex Mono font needs a plan with premium themes "
                "(starter or above); this organization is on free",
                "code": "PLAN_REQUIRED",
            }
        ],
    }
    profile = await Profile.get()
    assert (profile.font, profile.section_order) == ("INTER", [])
    # free fonts are free
    body = await gql(
        client, UPDATE_LAYOUT, {"input": {"font": "SOURCE_SERIF"}}, token=token
    )
    assert body["data"]["updateLayout"]["userErrors"] == []
    assert body["data"]["updateLayout"]["layout"]["font"] == "SOURCE_SERIF"

    await set_plan("starter")
    body = await gql(
        client, UPDATE_LAYOUT, {"input": {"font": "IBM_PLEX_MONO"}}, token=token
    )
    assert body["data"]["updateLayout"]["userErrors"] == []
    body = await gql(client, LAYOUT_STATE, token=token)
    layout = body["data"]["viewer"]["layout"]
    assert (layout["font"], layout["effectiveFont"], layout["available"]) == (
        "IBM_PLEX_MONO",
        "IBM_PLEX_MONO",
        True,
    )
    assert [f["available"] for f in layout["fonts"]] == [True, True, True, True]

    await set_plan("free")  # a downgrade keeps the choice, renders the default
    body = await gql(client, LAYOUT_STATE, token=token)
    layout = body["data"]["viewer"]["layout"]
    assert (layout["font"], layout["effectiveFont"], layout["available"]) == (
        "IBM_PLEX_MONO",
        "INTER",
        False,
    )
    assert layout["effectivePlan"] == "FREE"
    await gql(
        client,
        'mutation { updateProfile(input: {username: "ada-l"}) '
        "{ userErrors { code } } }",
        token=token,
    )
    public = await gql(client, '{ publicProfile(username: "ada-l") { font } }')
    assert public["data"]["publicProfile"] == {"font": "INTER"}


# -- public face and insights ----------------------------------------------------------

PUBLIC = """
query P($username: String!) {
  publicProfile(username: $username) {
    username fullName email phone openToWork themeId sections
    skills { name } experience { title } certifications { name }
  }
}
"""


RECORD_VIEW = """
mutation R($input: RecordProfileViewInput!) {
  recordProfileView(input: $input) { counted userErrors { field message code } }
}
"""


async def test_public_profile_shows_only_what_is_public(client: TestClient) -> None:
    token = await _token(client)
    await gql(
        client,
        UPDATE_PROFILE,
        {
            "input": {
                "username": "ada",
                "fullName": "Ada Lovelace",
                "email": "ada@example.org",
                "phone": "+44 1",
                "showPhone": True,
            }
        },
        token=token,
    )
    await _create(client, token, "Skill", {"name": "Python"})
    await _create(client, token, "Certification", {"name": "CKA"})
    await gql(
        client,
        UPDATE_LAYOUT,
        {"input": {"hiddenSections": ["CERTIFICATIONS"]}},
        token=token,
    )
    body = await gql(client, PUBLIC, {"username": "ADA"})  # no credentials
    assert body["data"]["publicProfile"] == {
        "username": "ada",
        "fullName": "Ada Lovelace",
        "email": None,
        "phone": "+44 1",
        "openToWork": False,
        "themeId": "CLASSIC",
        "sections": ["SKILLS", "EXPERIENCE", "EDUCATION", "PROJECTS"],
        "skills": [{"name": "Python"}],
        "experience": [],
        "certifications": None,
    }
    missing = await gql(client, PUBLIC, {"username": "nobody"})
    assert missing["data"]["publicProfile"] is None

    today = datetime.now(UTC).date().isoformat()
    month_ago = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()

    async def insights() -> dict[str, Any]:
        body = await gql(
            client,
            """query I($from: Date!, $to: Date!) {
             viewer { insights(from: $from, to: $to) { totalViews days { day views } } }
           }""",
            {"from": month_ago, "to": today},
            token=token,
        )
        result: dict[str, Any] = body["data"]["viewer"]["insights"]
        return result

    # publicProfile is a pure read: refetches count nothing
    assert (await insights())["totalViews"] == 0
    # a visit counts once per IP and day, however often the front end calls
    for expected in (True, False):
        body = await gql(client, RECORD_VIEW, {"input": {"username": "ADA"}})
        assert body["data"]["recordProfileView"] == {
            "counted": expected,
            "userErrors": [],
        }
    body = await gql(client, RECORD_VIEW, {"input": {"username": "nobody"}})
    assert body["data"]["recordProfileView"] == {
        "counted": None,
        "userErrors": [
            {
                "field": ["input", "username"],
                "message": "No public profile with this username",
                "code": "NOT_FOUND",
            }
        ],
    }
    result = await insights()
    assert result["totalViews"] == 1
    assert len(result["days"]) == 31
    assert result["days"][-1] == {"day": today, "views": 1}
    assert sum(d["views"] for d in result["days"][:-1]) == 0


async def test_insights_range_is_bounded(client: TestClient) -> None:
    token = await _token(client)
    body = await gql(
        client,
        '{ viewer { insights(from: "2020-01-01", to: "2022-01-01") { totalViews } } }',
        token=token,
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


# -- exports, import, reset ------------------------------------------------------------

EXPORT = """
mutation E($format: ExportFormat!) {
  exportProfile(input: {format: $format}) {
    url expiresAt filename contentType data content
    userErrors { field message code }
  }
}
"""
IMPORT = """
mutation I($input: ImportProfileInput!) {
  importProfile(input: $input) {
    profile { fullName skills { name } }
    userErrors { field message code }
  }
}
"""


async def _fill_profile(client: TestClient, token: str) -> None:
    await gql(
        client,
        UPDATE_PROFILE,
        {
            "input": {
                "fullName": "Ada Lovelace",
                "headline": "Analyst",
                "location": "London",
                "githubUrl": "https://github.com/ada",
            }
        },
        token=token,
    )
    for type_name, spec in SECTIONS.items():
        await _create(client, token, type_name, spec["create"])


async def _download(client: TestClient, url: str) -> tuple[int, str, str]:
    path = url[url.index("/files/") :]
    response = await client.get(path)
    return (
        response.status,
        response.headers.get("Content-Type", ""),
        await response.text(),
    )


async def test_export_formats_and_signed_links(client: TestClient) -> None:
    token = await _token(client)
    await _fill_profile(client, token)
    for fmt in ("JSON", "JSON_RESUME", "CSV"):
        body = await gql(client, EXPORT, {"format": fmt}, token=token)
        payload = body["data"]["exportProfile"]
        assert payload["userErrors"] == []
        status, content_type, text = await _download(client, payload["url"])
        assert status == 200
        assert content_type.startswith(payload["contentType"].split(";")[0])
        assert text == payload["content"]
        if fmt == "JSON_RESUME":
            doc = payload["data"]
            assert jsonresume.validate(doc) == []
            assert doc["basics"]["name"] == "Ada Lovelace"
            assert (
                doc["work"][0]["highlights"]
                == SECTIONS["Experience"]["create"]["description"]
            )
            assert "endDate" not in doc["work"][0]  # current
            assert doc["education"][0]["courses"] == ["Distributed Systems"]
        if fmt == "CSV":
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[0][0] == "section"
            assert [r[0] for r in rows[1:]] == [
                "skill",
                "experience",
                "education",
                "project",
                "certification",
            ]
        if fmt == "JSON":
            assert json.loads(text)["skills"][0]["name"] == "Python"

    # forged, altered or foreign-signed links are 404s that say nothing more
    body = await gql(client, EXPORT, {"format": "JSON"}, token=token)
    url = body["data"]["exportProfile"]["url"]
    token_part = url.rsplit("/", 1)[1]
    for bad in (token_part[:-2] + "xx", "nope", token_part.split(".")[0] + ".e30.x"):
        response = await client.get(f"/files/{bad}")
        assert response.status == 404


async def test_json_resume_export_import_export_is_lossless(client: TestClient) -> None:
    token = await _token(client)
    await _fill_profile(client, token)
    first = (await gql(client, EXPORT, {"format": "JSON_RESUME"}, token=token))["data"][
        "exportProfile"
    ]["data"]

    other = await _token(client, "bob@example.com")
    body = await gql(
        client,
        IMPORT,
        {"input": {"format": "JSON_RESUME", "data": first}},
        token=other,
    )
    assert body["data"]["importProfile"]["userErrors"] == []
    second = (await gql(client, EXPORT, {"format": "JSON_RESUME"}, token=other))[
        "data"
    ]["exportProfile"]["data"]
    assert second == first


async def test_json_resume_sample_round_trips_through_the_api(
    client: TestClient,
) -> None:
    """The official JSON Resume sample: import, export, and every field is back."""
    from pathlib import Path

    sample = json.loads(
        (Path(__file__).parent / "fixtures" / "jsonresume.sample.json").read_text()
    )
    token = await _token(client)
    body = await gql(
        client,
        IMPORT,
        {"input": {"format": "JSON_RESUME", "data": sample}},
        token=token,
    )
    assert body["data"]["importProfile"]["userErrors"] == []
    exported = (await gql(client, EXPORT, {"format": "JSON_RESUME"}, token=token))[
        "data"
    ]["exportProfile"]["data"]
    assert exported == sample


async def test_json_export_import_round_trip(client: TestClient) -> None:
    token = await _token(client)
    await _fill_profile(client, token)
    first = (await gql(client, EXPORT, {"format": "JSON"}, token=token))["data"][
        "exportProfile"
    ]["data"]
    other = await _token(client, "bob@example.com")
    body = await gql(
        client, IMPORT, {"input": {"format": "JSON", "data": first}}, token=other
    )
    assert body["data"]["importProfile"]["userErrors"] == []
    second = (await gql(client, EXPORT, {"format": "JSON"}, token=other))["data"][
        "exportProfile"
    ]["data"]
    assert second == first


async def test_bad_import_writes_nothing(client: TestClient) -> None:
    token = await _token(client)
    await _create(client, token, "Skill", {"name": "Keep me"})
    doc = {
        "basics": {"name": "X"},
        "skills": [{"name": "New"}],
        "work": [{"name": "Acme", "position": "Dev", "startDate": "2019/03/01"}],
    }
    body = await gql(
        client, IMPORT, {"input": {"format": "JSON_RESUME", "data": doc}}, token=token
    )
    payload = body["data"]["importProfile"]
    assert payload["profile"] is None
    assert payload["userErrors"][0]["code"] == "VALIDATION_ERROR"
    assert payload["userErrors"][0]["field"] == ["input", "data"]
    assert [s.name for s in await Skill.all()] == ["Keep me"]

    body = await gql(
        client, IMPORT, {"input": {"format": "JSON", "data": [1, 2]}}, token=token
    )
    assert body["data"]["importProfile"]["userErrors"][0]["code"] == "VALIDATION_ERROR"


async def test_reset_resume_content(client: TestClient) -> None:
    token = await _token(client)
    await _fill_profile(client, token)
    body = await gql(
        client,
        "mutation { resetResumeContent { deleted { skills experience education "
        "projects certifications } userErrors { code } } }",
        token=token,
    )
    assert body["data"]["resetResumeContent"] == {
        "deleted": {
            "skills": 1,
            "experience": 1,
            "education": 1,
            "projects": 1,
            "certifications": 1,
        },
        "userErrors": [],
    }
    read = await gql(client, FULL_PROFILE, token=token)
    profile = read["data"]["viewer"]["profile"]
    assert profile["fullName"] == "Ada Lovelace"  # settings stay
    assert all(
        profile[k] == []
        for k in ("skills", "experience", "education", "projects", "certifications")
    )
    events = await gql(
        client,
        "{ viewer { securityEvents(first: 1) { nodes { kind } } } }",
        token=token,
    )
    assert events["data"]["viewer"]["securityEvents"]["nodes"] == [
        {"kind": "RESUME_CONTENT_RESET"}
    ]


async def test_profile_needs_authentication(client: TestClient) -> None:
    body = await gql(client, FULL_PROFILE)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_every_table_is_reset_between_tests(client: TestClient) -> None:
    """conftest's TABLES must name every model table, or state leaks across tests."""
    tables = {m._meta.db_table for m in Tortoise.apps["models"].values()}
    assert tables == set(TABLES)


async def test_public_profile_scraping_is_limited_per_ip(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, anonymous_rate_limit=3))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = await _token(client)  # anonymous request 1 of 3 (signUp)
    await gql(client, UPDATE_PROFILE, {"input": {"username": "ada"}}, token=token)
    statuses, counted = [], []
    for _ in range(3):
        response = await client.post(
            "/graphql",
            json={"query": RECORD_VIEW, "variables": {"input": {"username": "ada"}}},
        )
        statuses.append(response.status)
        if response.status == 200:
            body = await response.json()
            counted.append(body["data"]["recordProfileView"]["counted"])
        assert response.headers["X-RateLimit-Limit"] == "3"
    assert statuses == [200, 200, 429]
    assert counted == [True, False]  # one visit per IP and day
    views = await ProfileView.all().values_list("count", flat=True)
    assert views == [1]  # neither the repeat nor the refused request counted


async def test_expired_file_link_is_refused(
    client: TestClient, settings: Settings
) -> None:
    from models.files import StoredFile
    from services.files import Signer

    token = await _token(client)
    body = await gql(client, EXPORT, {"format": "CSV"}, token=token)
    assert body["data"]["exportProfile"]["userErrors"] == []
    stored = await StoredFile.get()
    signer = Signer(settings.secret_key, ttl=60)
    fresh, _ = signer.sign(stored.id)
    stale, _ = signer.sign(stored.id, now=time.time() - 61)
    assert (await client.get(f"/files/{fresh}")).status == 200
    assert (await client.get(f"/files/{stale}")).status == 404
    # a link signed with another secret is refused too
    foreign, _ = Signer("another secret", ttl=60).sign(stored.id)
    assert (await client.get(f"/files/{foreign}")).status == 404
