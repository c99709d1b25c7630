"""Profile operations the profile tests share (tests/test_profiles.py,
tests/test_profile_cache.py): the mutations, one sample row per section, creating
an entry through the API."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import gql, sign_up

PROFILE_FIELDS = """
  id username fullName headline bio location email phone website githubUrl
  linkedinUrl openToWork showEmail showPhone
"""
UPDATE_PROFILE = f"""
mutation Update($input: UpdateProfileInput!) {{
  updateProfile(input: $input) {{
    profile {{ {PROFILE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
SECTIONS: dict[str, dict[str, Any]] = {
    "Skill": {
        "field": "skill",
        "list": "skills",
        "create": {"name": "Python", "category": "Languages", "level": "Expert"},
        "update": {"years": 7.5},
    },
    "Experience": {
        "field": "experience",
        "list": "experience",
        "create": {
            "title": "Backend Engineer",
            "company": "Acme",
            "location": "Berlin",
            "startDate": "2019-03",
            "current": True,
            "description": ["Cut p95 latency by 40%", "Led the billing rewrite"],
        },
        "update": {"title": "Staff Engineer"},
    },
    "Education": {
        "field": "education",
        "list": "education",
        "create": {
            "institution": "TU Berlin",
            "degree": "MSc",
            "field": "Computer Science",
            "startDate": "2014",
            "endDate": "2016",
            "courses": ["Distributed Systems"],
        },
        "update": {"degree": "MSc (distinction)"},
    },
    "Project": {
        "field": "project",
        "list": "projects",
        "create": {
            "name": "careergraph",
            "role": "Maintainer",
            "urls": ["https://example.com/careergraph"],
            "description": ["GraphQL API"],
        },
        "update": {"role": "Author"},
    },
    "Certification": {
        "field": "certification",
        "list": "certifications",
        "create": {
            "name": "CKA",
            "issuer": "CNCF",
            "issued": "2021-06",
            "credentialUrl": "https://cncf.io/cert/123",
        },
        "update": {"expires": "2024-06"},
    },
}


def section_mutation(verb: str, type_name: str, fields: str) -> str:
    payload_field = SECTIONS[type_name]["field"]
    return f"""
mutation M($input: {verb}{type_name}Input!) {{
  {verb.lower()}{type_name}(input: $input) {{
    {payload_field} {{ id {fields} }}
    userErrors {{ field message code }}
  }}
}}
"""


async def create_entry(
    client: TestClient, token: str, type_name: str, values: dict[str, Any]
) -> dict[str, Any]:
    fields = " ".join(values)
    body = await gql(
        client,
        section_mutation("Create", type_name, fields),
        {"input": values},
        token=token,
    )
    payload = body["data"][f"create{type_name}"]
    assert payload["userErrors"] == [], payload
    node: dict[str, Any] = payload[SECTIONS[type_name]["field"]]
    return node


async def token_for(client: TestClient, email: str = "ada@example.com") -> str:
    token: str = (await sign_up(client, email, email.split("@")[0]))["accessToken"]
    return token


REORDER = """
mutation R($input: ReorderSectionInput!) {
  reorderSection(input: $input) {
    profile { skills { name position } }
    userErrors { field message code }
  }
}
"""
UPDATE_LAYOUT = """
mutation L($input: UpdateLayoutInput!) {
  updateLayout(input: $input) {
    layout { sectionOrder hiddenSections font }
    userErrors { field message code }
  }
}
"""
