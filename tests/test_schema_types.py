"""Issue 16's types as a client meets them: the `Letter` interface, refused
mutations that still answer the current object, and `indexingEvents` carrying the
profile."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.factories import ready_resume
from tests.helpers import JOB, connect, gql, receive, set_plan, sign_up
from tests.helpers import MASTER as MASTER_RESUME

LETTER_TYPE = """
{ __type(name: "Letter") {
  kind possibleTypes { name } interfaces { name } fields { name }
} }
"""
MASTER = "{ resumes(first: 1, filter: {isMaster: true}) { edges { node { id } } } }"
TAILOR = """
mutation T($input: TailorResumeInput!) {
  tailorResume(input: $input) {
    resume { id } sourceResume { id isMaster } userErrors { code }
  }
}
"""
GENERATE = """
mutation G($input: GenerateLetterInput!) {
  generateCoverLetter(input: $input) {
    coverLetter { id } resume { id } userErrors { code }
  }
}
"""
REGENERATE = """
mutation R($input: RegenerateLetterInput!) {
  regenerateCoverLetter(input: $input) {
    coverLetter { id content } resume { id } userErrors { code }
  }
}
"""
RENDER = """
mutation P($input: RenderResumePdfInput!) {
  renderResumePdf(input: $input) { pdf { url } resume { id } userErrors { code } }
}
"""
LETTER = """
query L($id: ID!) { node(id: $id) {
  __typename
  ... on Letter { id resumeId subject engine removed { kind } }
} }
"""
EVENTS = """
subscription { indexingEvents {
  state profile { id indexingStatus { state stage } }
} }
"""
PROFILE_ID = "{ viewer { profile { id } } }"


async def _master(client: TestClient, email: str = "ada@example.com") -> str:
    """A signed-up owner with a READY master resume; their access token."""
    token: str = (await sign_up(client, email))["accessToken"]
    await ready_resume(MASTER_RESUME, email=email)
    return token


async def test_letter_is_an_interface_of_both_letter_types(client: TestClient) -> None:
    body = await gql(client, LETTER_TYPE)
    letter = body["data"]["__type"]
    assert letter["kind"] == "INTERFACE"
    assert {t["name"] for t in letter["possibleTypes"]} == {
        "CoverLetter",
        "OutreachMessage",
    }
    assert letter["interfaces"] == [{"name": "Node"}]
    assert {"resumeId", "subject", "content", "engine", "removed"} <= {
        f["name"] for f in letter["fields"]
    }


async def _call(client: TestClient, token: str, op: str, **input: Any) -> Any:
    body = await gql(client, op, {"input": input}, token=token)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def test_refused_mutations_answer_the_object_they_were_asked_about(
    client: TestClient,
) -> None:
    token = await _master(client)  # free plan: no tailoring, no letters
    body = await gql(client, MASTER, token=token)
    master = body["data"]["resumes"]["edges"][0]["node"]["id"]

    tailored = await _call(client, token, TAILOR, jobDescription=JOB)
    assert tailored == {
        "resume": None,
        "sourceResume": {"id": master, "isMaster": True},
        "userErrors": [{"code": "PLAN_REQUIRED"}],
    }
    generated = await _call(client, token, GENERATE, resumeId=master)
    assert generated == {
        "coverLetter": None,
        "resume": {"id": master},
        "userErrors": [{"code": "PLAN_REQUIRED"}],
    }
    rendered = await _call(client, token, RENDER, resumeId=master, theme="EXECUTIVE")
    assert rendered == {
        "pdf": None,
        "resume": {"id": master},
        "userErrors": [{"code": "PLAN_REQUIRED"}],
    }

    await set_plan("starter")
    generated = await _call(
        client, token, GENERATE, resumeId=master, jobDescription=JOB
    )
    assert generated["userErrors"] == []
    letter_id = generated["coverLetter"]["id"]
    body = await gql(client, LETTER, {"id": letter_id}, token=token)
    letter = body["data"]["node"]
    assert (letter["__typename"], letter["id"], letter["resumeId"]) == (
        "CoverLetter",
        letter_id,
        master,
    )
    assert letter["engine"] == "OFFLINE"

    await set_plan("free")
    regenerated = await _call(client, token, REGENERATE, id=letter_id)
    assert regenerated["userErrors"] == [{"code": "PLAN_REQUIRED"}]
    assert regenerated["resume"] == {"id": master}
    # the letter as it stands (unchanged), so the client keeps showing it
    assert regenerated["coverLetter"]["id"] == letter_id
    unknown = await _call(client, token, REGENERATE, id="bad")
    assert (unknown["coverLetter"], unknown["resume"]) == (None, None)


async def test_indexing_events_carry_the_profile(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    profile_id = (await gql(client, PROFILE_ID, token=token))["data"]["viewer"][
        "profile"
    ]["id"]
    ws = await connect(client, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}})
    first = (await receive(ws))["payload"]["data"]["indexingEvents"]
    assert first == {
        "state": "IDLE",
        "profile": {
            "id": profile_id,
            "indexingStatus": {"state": "IDLE", "stage": "IDLE"},
        },
    }
    await ws.close()
