"""A known profile for the indexing and chat tests, and waiting for its index."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import gql

PROFILE = {
    "username": "ada",
    "fullName": "Ada Lovelace",
    "headline": "Backend engineer",
    "location": "London",
    "bio": "I build reliable payment systems. I enjoy mentoring junior developers.",
    "email": "ada@example.com",
    "showEmail": False,
}
ENTRIES: list[tuple[str, str, dict[str, Any]]] = [
    ("createSkill", "skill", {"name": "Python", "category": "Languages"}),
    ("createSkill", "skill", {"name": "Go", "category": "Languages"}),
    ("createSkill", "skill", {"name": "PostgreSQL", "category": "Databases"}),
    (
        "createExperience",
        "experience",
        {
            "title": "Senior Engineer",
            "company": "Acme Payments",
            "location": "London",
            "startDate": "2019-03",
            "current": True,
            "description": [
                "Built the card settlement service in Python.",
                "Cut settlement time from 6 hours to 40 minutes.",
            ],
        },
    ),
    (
        "createEducation",
        "education",
        {
            "institution": "University of Leeds",
            "degree": "BSc",
            "field": "Mathematics",
            "startDate": "2012",
            "endDate": "2015",
        },
    ),
    (
        "createProject",
        "project",
        {
            "name": "Ledgerline",
            "role": "Author",
            "description": ["An open-source double-entry ledger library."],
        },
    ),
    (
        "createCertification",
        "certification",
        {"name": "AWS Certified Developer", "issuer": "Amazon Web Services"},
    ),
]
# about (name, headline, place), bio, email, two skill groups, one chunk per entry
CHUNKS = 9

UPDATE_PROFILE = """
mutation U($input: UpdateProfileInput!) {
  updateProfile(input: $input) { profile { id } userErrors { code message } }
}
"""
STATUS = """
{ viewer { profile { indexingStatus {
  state indexedChunks totalChunks completeness engine model lastIndexedAt errorCode
} } } }
"""


async def fill_profile(client: TestClient, token: str) -> dict[str, str]:
    """Write the profile; returns the global id of each created entry by
    payload name (the last one of a kind)."""
    body = await gql(client, UPDATE_PROFILE, {"input": PROFILE}, token=token)
    assert body["data"]["updateProfile"]["userErrors"] == []
    ids: dict[str, str] = {}
    for mutation, field, values in ENTRIES:
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        body = await gql(
            client,
            f"mutation M($input: {input_type}!) {{ {mutation}(input: $input) "
            f"{{ {field} {{ id }} userErrors {{ code message }} }} }}",
            {"input": values},
            token=token,
        )
        payload = body["data"][mutation]
        assert payload["userErrors"] == [], payload
        ids[field] = payload[field]["id"]
    return ids


async def status(client: TestClient, token: str) -> dict[str, Any]:
    body = await gql(client, STATUS, token=token)
    result: dict[str, Any] = body["data"]["viewer"]["profile"]["indexingStatus"]
    return result


async def wait_ready(
    client: TestClient, token: str, timeout: float = 20
) -> dict[str, Any]:
    """Poll indexingStatus until READY (or FAILED) with nothing queued."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        current = await status(client, token)
        if current["state"] in ("READY", "FAILED"):
            return current
        assert asyncio.get_running_loop().time() < deadline, current
        await asyncio.sleep(0.05)
