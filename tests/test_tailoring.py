"""tailorResume end to end through the real server: checks, quota, the live
stages over a WebSocket, the three passes, truthfulness against an adversarial
model (the real openai SDK against a local fake), timeouts, and cover letters
and outreach messages."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import server
from models.accounts import Organization
from models.tailoring import Letter, TailorUsage
from settings import Settings
from tests.factories import ready_resume
from tests.fake_openai import (
    CALLS,
    INVENTED_CERT,
    INVENTED_EMPLOYER,
    INVENTED_METRICS,
    INVENTED_SCHOOL,
    INVENTED_SKILLS,
    INVENTED_YEAR,
    fake_openai,
)
from tests.helpers import (
    JOB,
    MASTER,
    STAGES,
    connect,
    gql,
    receive,
    reset_state,
    set_plan,
    sign_up,
    upload,
    wait_for,
)

TAILOR = """
mutation T($input: TailorResumeInput!) {
  tailorResume(input: $input) {
    resume { id status stage parent strategy outputLanguage jobDescription }
    userErrors { field message code }
  }
}
"""
TAILORED = """
query R($id: ID!) {
  resume(id: $id) {
    id status stage progress errorCode errorMessage engine warnings parent
    structuredData text pdfReady strategy outputLanguage
    jobKeywords { requiredSkills preferredSkills }
    refinementStats {
      passesCompleted keywordsInjected injectedKeywords aiPhrasesRemoved
      alignmentViolationsFixed violations { kind value location }
      initialMatchPercentage finalMatchPercentage engine
      before { percentage missing } after { percentage matched missing }
    }
    coverLetters {
      edges { node { id content company jobTitle removed { kind value } } }
    }
    outreachMessages { edges { node { id content company } } }
  }
}
"""


async def _master(client: TestClient, email: str = "ada@example.com") -> str:
    token: str = (await sign_up(client, email))["accessToken"]
    await ready_resume(MASTER, email=email)
    return token


async def _tailor(client: TestClient, token: str, **values: Any) -> dict[str, Any]:
    body = await gql(
        client, TAILOR, {"input": {"jobDescription": JOB, **values}}, token=token
    )
    payload: dict[str, Any] = body["data"]["tailorResume"]
    return payload


async def _finished(client: TestClient, token: str, resume_id: str) -> dict[str, Any]:
    await wait_for(client, token, resume_id, timeout=60)
    body = await gql(client, TAILORED, {"id": resume_id}, token=token)
    resume: dict[str, Any] = body["data"]["resume"]
    return resume


def _everything(resume: dict[str, Any]) -> str:
    letters = [e["node"]["content"] for e in resume["coverLetters"]["edges"]]
    letters += [e["node"]["content"] for e in resume["outreachMessages"]["edges"]]
    return json.dumps(resume["structuredData"]) + "\n".join(letters)


async def test_offline_tailoring_streams_every_stage_and_invents_nothing(
    client: TestClient,
) -> None:
    token = await _master(client)
    await set_plan("starter")
    # a one-page cut of the master without Redis: tailoring it may add Redis
    # back (the master shows it) but never Kubernetes (nothing shows it)
    short = json.loads(json.dumps(MASTER))
    short["workExperience"][0]["description"].pop(1)
    short["additional"]["technicalSkills"].remove("Redis")
    short_id = await ready_resume(short, filename="one-page.json")
    payload = await _tailor(client, token, strategy="FULL", resumeId=short_id)
    assert payload["userErrors"] == []
    resume = payload["resume"]
    assert resume["status"] == "PROCESSING"
    assert resume["strategy"] == "FULL"
    assert resume["parent"] is not None
    assert resume["jobDescription"] == JOB

    ws = await connect(client, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription S($id: ID!) { tailoringEvents(resumeId: $id) "
                "{ status stage progress } }",
                "variables": {"id": resume["id"]},
            },
        }
    )
    seen: list[dict[str, Any]] = []
    while True:
        message = await receive(ws, timeout=30)
        if message["type"] == "complete":
            break
        seen.append(message["payload"]["data"]["tailoringEvents"])
    await ws.close()
    stages = [event["stage"] for event in seen]
    # the subscription may start after the first stages ran: what it sends is
    # the current state, then every later stage in order, ending on done
    assert stages == STAGES[STAGES.index(stages[0]) :], stages
    assert seen[-1]["status"] == "READY"
    progress = [event["progress"] for event in seen]
    assert progress == sorted(progress)

    done = await _finished(client, token, resume["id"])
    assert done["status"] == "READY", done
    assert done["engine"] == "OFFLINE"
    stats = done["refinementStats"]
    assert stats["passesCompleted"] == 3
    assert "Redis" in stats["injectedKeywords"]  # the master shows it
    assert stats["keywordsInjected"] == len(stats["injectedKeywords"])
    for term in ("Kubernetes", "Terraform", "Go"):
        assert term not in stats["injectedKeywords"]
        assert term in stats["after"]["missing"]
    assert "spearheaded" in stats["aiPhrasesRemoved"]
    assert "results-driven" in stats["aiPhrasesRemoved"]
    assert "leveraged" not in stats["aiPhrasesRemoved"]  # the job says it
    assert stats["alignmentViolationsFixed"] == 0
    assert stats["finalMatchPercentage"] >= stats["initialMatchPercentage"]
    assert stats["before"]["percentage"] == stats["initialMatchPercentage"]

    data = done["structuredData"]
    assert data["personalInfo"] == MASTER["personalInfo"]
    assert [j["company"] for j in data["workExperience"]] == ["Acme Corp", "Initrode"]
    assert [j["years"] for j in data["workExperience"]] == [
        "2019 - Present",
        "2015 - 2019",
    ]
    bullets = data["workExperience"][0]["description"]
    assert "Led the migration of 12 services to FastAPI" in bullets
    assert any(b.startswith("Leveraged PostgreSQL") for b in bullets)
    skills = data["additional"]["technicalSkills"]
    assert skills[0] in ("Python", "PostgreSQL")  # required terms first
    assert "Kubernetes" not in skills
    assert "Redis" in skills
    assert "Python" in data["summary"]
    assert "Results-driven" not in data["summary"]
    assert done["jobKeywords"]["requiredSkills"]

    # letters written during tailoring, grounded, named after the employer
    letter = done["coverLetters"]["edges"][0]["node"]
    assert letter["company"] == "Initech"
    assert "Initech" in letter["content"]
    assert "Ada Lovelace" in letter["content"]
    assert "Acme Corp" in letter["content"]
    assert letter["removed"] == []
    outreach = done["outreachMessages"]["edges"][0]["node"]
    assert "Senior Backend Engineer" in outreach["content"]
    text = _everything(done)
    for invented in ("Kubernetes", "Terraform"):
        assert invented not in text

    # the month's count went up by one, visible in the database
    org = await Organization.get()
    usage = await TailorUsage.get(organization_id=org.id)
    assert usage.count == 1


async def test_tailoring_checks(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    payload = await _tailor(client, token)
    assert payload["userErrors"][0]["code"] == "PLAN_REQUIRED"  # free plan
    await set_plan("starter")
    payload = await _tailor(client, token)
    assert payload["userErrors"][0]["code"] == "NO_MASTER_RESUME"
    assert payload["userErrors"][0]["field"] == ["input", "resumeId"]

    body = await upload(
        client, token, json.dumps(MASTER).encode(), filename="resume.json"
    )
    master_id = body["data"]["uploadResume"]["resume"]["id"]
    payload = await _tailor(client, token)
    assert payload["userErrors"][0]["code"] == "VALIDATION_ERROR"  # not READY yet
    assert "PROCESSING" in payload["userErrors"][0]["message"]
    await wait_for(client, token, master_id)
    short = await gql(
        client,
        TAILOR,
        {"input": {"jobDescription": "Python engineer wanted. " * 10}},
        token=token,
    )
    error = short["data"]["tailorResume"]["userErrors"][0]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["field"] == ["input", "jobDescription"]
    assert "100" in error["message"]
    long = await gql(
        client, TAILOR, {"input": {"jobDescription": "word " * 8001}}, token=token
    )
    assert long["data"]["tailorResume"]["userErrors"][0]["code"] == "VALIDATION_ERROR"

    payload = await _tailor(client, token, outputLanguage="es")
    assert payload["userErrors"][0]["code"] == "PLAN_REQUIRED"  # Pro translates
    assert payload["userErrors"][0]["field"] == ["input", "outputLanguage"]
    payload = await _tailor(client, token, outputLanguage="not a tag")
    assert payload["userErrors"][0]["code"] == "PLAN_REQUIRED" or (
        payload["userErrors"][0]["code"] == "VALIDATION_ERROR"
    )

    # quota: the starter plan's 200 calls a month
    org = await Organization.get()
    month = datetime.now(UTC).strftime("%Y-%m")
    await TailorUsage.create(organization_id=org.id, month=month, count=200)
    payload = await _tailor(client, token)
    assert payload["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
    assert await Organization.get(id=org.id).count() == 1
    await TailorUsage.filter(organization_id=org.id).update(count=199)
    payload = await _tailor(client, token)
    assert payload["userErrors"] == []
    assert (await TailorUsage.get(organization_id=org.id)).count == 200

    # another organization's resume is not found
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    await set_plan("starter", "bob@example.com")
    payload = await _tailor(client, bob, resumeId=payload["resume"]["parent"])
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.fixture
async def model_client(
    aiohttp_client: Any, settings: Settings, request: pytest.FixtureRequest
) -> Any:
    """The server with the instance model pointed at a fake in `request.param`
    mode; yields (client, fake app)."""
    mode, extra = request.param
    fake = fake_openai(mode, delay=extra.pop("delay", 5.0))
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
                **extra,
            )
        )
        client: TestClient = await aiohttp_client(app)
        await reset_state(settings)
        yield client, fake
    finally:
        await fake_server.close()


@pytest.mark.parametrize("model_client", [("adversarial", {})], indirect=True)
async def test_an_adversarial_model_invents_nothing_that_lands(
    model_client: Any,
) -> None:
    client, fake = model_client
    token = await _master(client)
    await set_plan("starter")
    payload = await _tailor(client, token, strategy="FULL")
    done = await _finished(client, token, payload["resume"]["id"])
    assert done["status"] == "READY", done
    assert done["engine"] == "OPENAI"
    text = _everything(done)
    for invented in (
        *INVENTED_SKILLS,
        INVENTED_EMPLOYER,
        INVENTED_SCHOOL,
        INVENTED_CERT,
        *INVENTED_METRICS,
        INVENTED_YEAR,
        "Globex",
    ):
        assert invented not in text, invented
    # the truthful content is kept
    data = done["structuredData"]
    assert [j["company"] for j in data["workExperience"]] == ["Acme Corp", "Initrode"]
    assert data["workExperience"][0]["years"] == "2019 - Present"
    assert (
        "Reduced p95 latency by 40% with Redis caching"
        in (data["workExperience"][0]["description"])
    )
    assert data["additional"]["certificationsTraining"] == ["PostgreSQL Associate"]
    assert "Python" in data["additional"]["technicalSkills"]
    # and every invention is counted
    stats = done["refinementStats"]
    kinds = {(v["kind"], v["value"]) for v in stats["violations"]}
    assert ("EMPLOYER", INVENTED_EMPLOYER) in kinds
    assert ("SCHOOL", INVENTED_SCHOOL) in kinds
    assert ("CERTIFICATION", INVENTED_CERT) in kinds
    assert {("SKILL", s) for s in INVENTED_SKILLS} <= kinds
    assert ("DATE", f"{INVENTED_YEAR} - Present") in kinds
    assert any(kind == "NUMBER" for kind, _ in kinds)
    assert stats["alignmentViolationsFixed"] == len(stats["violations"])
    assert stats["alignmentViolationsFixed"] >= 10
    letter = done["coverLetters"]["edges"][0]["node"]
    assert {r["kind"] for r in letter["removed"]} >= {"NUMBER", "TERM"}
    assert "Ada Lovelace" in letter["content"]  # the true sentences stay
    calls = fake[CALLS]
    assert calls[0]["model"] == "test-model"
    assert {c["response_format"]["json_schema"]["name"] for c in calls} == {
        "ResumeData",
        "Letter",
    }


@pytest.mark.parametrize("model_client", [("garbage", {}), ("down", {})], indirect=True)
async def test_a_broken_model_fails_with_llm_unavailable_and_gives_the_call_back(
    model_client: Any,
) -> None:
    client, _ = model_client
    token = await _master(client)
    await set_plan("starter")
    payload = await _tailor(client, token)
    done = await _finished(client, token, payload["resume"]["id"])
    assert done["status"] == "FAILED"
    assert done["errorCode"] == "LLM_UNAVAILABLE"
    assert done["structuredData"] is None
    org = await Organization.get()
    assert (await TailorUsage.get(organization_id=org.id)).count == 0
    # letters say so too, as a userError
    body = await gql(
        client,
        GENERATE_COVER,
        {"input": {"resumeId": done["parent"], "jobDescription": JOB}},
        token=token,
    )
    error = body["data"]["generateCoverLetter"]["userErrors"][0]
    assert error["code"] == "LLM_UNAVAILABLE"
    assert await Letter.all().count() == 0


@pytest.mark.parametrize(
    "model_client",
    [("slow", {"delay": 3.0, "tailor_timeout": 1.0, "llm_timeout": 10.0})],
    indirect=True,
)
async def test_tailoring_past_its_hard_timeout_fails_with_timeout(
    model_client: Any,
) -> None:
    client, _ = model_client
    token = await _master(client)
    await set_plan("starter")
    payload = await _tailor(client, token)
    done = await _finished(client, token, payload["resume"]["id"])
    assert done["status"] == "FAILED"
    assert done["errorCode"] == "TIMEOUT"
    org = await Organization.get()
    assert (await TailorUsage.get(organization_id=org.id)).count == 0


# -- cover letters and outreach -------------------------------------------------------

GENERATE_COVER = """
mutation G($input: GenerateLetterInput!) {
  generateCoverLetter(input: $input) {
    coverLetter { id content subject company jobTitle resumeId engine removed { kind } }
    userErrors { field message code }
  }
}
"""
GENERATE_OUTREACH = """
mutation G($input: GenerateLetterInput!) {
  generateOutreachMessage(input: $input) {
    outreachMessage { id content company }
    userErrors { field message code }
  }
}
"""
REGENERATE_COVER = """
mutation G($input: RegenerateLetterInput!) {
  regenerateCoverLetter(input: $input) {
    coverLetter { id content company }
    userErrors { field message code }
  }
}
"""
DELETE_COVER = """
mutation D($input: DeleteLetterInput!) {
  deleteCoverLetter(input: $input) { deletedId userErrors { code } }
}
"""
MASTER_ID = "{ resumes(first: 1, filter: {isMaster: true}) { edges { node { id } } } }"


async def test_cover_letters_and_outreach(client: TestClient) -> None:
    token = await _master(client)
    body = await gql(client, MASTER_ID, token=token)
    resume_id = body["data"]["resumes"]["edges"][0]["node"]["id"]
    variables = {"input": {"resumeId": resume_id, "jobDescription": JOB}}
    body = await gql(client, GENERATE_COVER, variables, token=token)
    assert body["data"]["generateCoverLetter"]["userErrors"][0]["code"] == (
        "PLAN_REQUIRED"
    )
    await set_plan("starter")
    body = await gql(
        client, GENERATE_COVER, {"input": {"resumeId": resume_id}}, token=token
    )
    error = body["data"]["generateCoverLetter"]["userErrors"][0]
    assert error["code"] == "NO_JOB_DESCRIPTION"

    body = await gql(client, GENERATE_COVER, variables, token=token)
    letter = body["data"]["generateCoverLetter"]["coverLetter"]
    assert letter["company"] == "Initech"
    assert letter["jobTitle"] == "Senior Backend Engineer"
    assert letter["resumeId"] == resume_id
    assert letter["content"].startswith("Dear Initech team,")
    assert "Ada Lovelace" in letter["content"]
    assert "Kubernetes" not in letter["content"]
    body = await gql(client, GENERATE_OUTREACH, variables, token=token)
    outreach = body["data"]["generateOutreachMessage"]["outreachMessage"]
    assert outreach["content"].startswith("Hi Initech team")
    assert len(outreach["content"]) < 600

    # regenerate in place with another job: same id, new employer
    other = JOB.replace("Initech", "Umbrella")
    body = await gql(
        client,
        REGENERATE_COVER,
        {"input": {"id": letter["id"], "jobDescription": other}},
        token=token,
    )
    again = body["data"]["regenerateCoverLetter"]["coverLetter"]
    assert again["id"] == letter["id"]
    assert again["company"] == "Umbrella"
    assert "Umbrella" in again["content"]
    # fetched by node id and listed on the resume
    body = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { ... on CoverLetter { id company } } }",
        {"id": letter["id"]},
        token=token,
    )
    assert body["data"]["node"] == {"id": letter["id"], "company": "Umbrella"}
    for _ in range(2):
        await gql(client, GENERATE_COVER, variables, token=token)
    page = await gql(
        client,
        "query R($id: ID!) { resume(id: $id) { coverLetters(first: 2) { edges "
        "{ cursor node { id } } pageInfo { hasNextPage endCursor } } } }",
        {"id": resume_id},
        token=token,
    )
    letters = page["data"]["resume"]["coverLetters"]
    assert len(letters["edges"]) == 2
    assert letters["pageInfo"]["hasNextPage"]
    rest = await gql(
        client,
        "query R($id: ID!, $after: String) { resume(id: $id) { coverLetters("
        "first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } "
        "} }",
        {"id": resume_id, "after": letters["pageInfo"]["endCursor"]},
        token=token,
    )
    tail = rest["data"]["resume"]["coverLetters"]
    assert len(tail["edges"]) == 1
    assert not tail["pageInfo"]["hasNextPage"]
    assert tail["edges"][0]["node"]["id"] == letter["id"]  # the oldest

    # another organization sees nothing
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    await set_plan("starter", "bob@example.com")
    body = await gql(client, DELETE_COVER, {"input": {"id": letter["id"]}}, token=bob)
    assert body["data"]["deleteCoverLetter"]["userErrors"][0]["code"] == "NOT_FOUND"
    body = await gql(
        client,
        REGENERATE_COVER,
        {"input": {"id": letter["id"]}},
        token=bob,
    )
    assert body["data"]["regenerateCoverLetter"]["userErrors"][0]["code"] == (
        "NOT_FOUND"
    )
    body = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { id } }",
        {"id": letter["id"]},
        token=bob,
    )
    assert body["data"]["node"] is None

    body = await gql(client, DELETE_COVER, {"input": {"id": letter["id"]}}, token=token)
    assert body["data"]["deleteCoverLetter"]["deletedId"] == letter["id"]
    assert await Letter.filter(kind="COVER_LETTER").count() == 2
    # deleting the resume deletes its letters
    await gql(
        client,
        "mutation D($id: ID!) { deleteResume(input: {id: $id}) { deletedId } }",
        {"id": resume_id},
        token=token,
    )
    assert await Letter.all().count() == 0


# -- PDF ------------------------------------------------------------------------------

RENDER = """
mutation P($input: RenderResumePdfInput!) {
  renderResumePdf(input: $input) {
    pdf { url expiresAt theme contentHash cached pages size }
    userErrors { field message code }
  }
}
"""


async def test_tailored_pdf_is_rendered_cached_and_served_by_signed_link(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from pypdf import PdfReader

    token = await _master(client)
    await set_plan("starter")
    payload = await _tailor(client, token, generatePdf=True)
    done = await _finished(client, token, payload["resume"]["id"])
    assert done["status"] == "READY", done
    assert done["pdfReady"] is True
    body = await gql(client, RENDER, {"input": {"resumeId": done["id"]}}, token=token)
    pdf = body["data"]["renderResumePdf"]["pdf"]
    assert pdf["cached"] is True  # rendered during tailoring
    assert pdf["theme"] == "CLASSIC"
    assert pdf["pages"] == 1
    path = pdf["url"].split("/files/", 1)[1]
    response = await client.get(f"/files/{path}")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/pdf")
    data = await response.read()
    assert len(data) == pdf["size"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for fact in ("Ada Lovelace", "Acme Corp", "Initrode", "University of Waterloo"):
        assert fact in text, fact
    forged = await client.get(f"/files/{path[:-4]}AAAA")
    assert forged.status == 404

    # another theme is another rendering; premium themes need the plan
    body = await gql(
        client,
        RENDER,
        {"input": {"resumeId": done["id"], "theme": "NOTO"}},
        token=token,
    )
    noto = body["data"]["renderResumePdf"]["pdf"]
    assert noto["cached"] is False
    assert noto["contentHash"] != pdf["contentHash"]
    await set_plan("free")
    body = await gql(
        client,
        RENDER,
        {"input": {"resumeId": done["id"], "theme": "EXECUTIVE"}},
        token=token,
    )
    assert body["data"]["renderResumePdf"]["userErrors"][0]["code"] == "PLAN_REQUIRED"
    body = await gql(
        client,
        RENDER,
        {"input": {"resumeId": done["id"], "theme": "comic-sans"}},
        token=token,
    )
    assert body["data"] is None  # not a ThemeKey: a variable error
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    # a renderer failure is PDF_RENDER_FAILED, and nothing is cached
    from weasyprint.document import Document

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(Document, "write_pdf", broken)
    body = await gql(
        client,
        RENDER,
        {"input": {"resumeId": done["id"], "theme": "MODERN"}},
        token=token,
    )
    error = body["data"]["renderResumePdf"]["userErrors"][0]
    assert error["code"] == "PDF_RENDER_FAILED"
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    body = await gql(client, RENDER, {"input": {"resumeId": done["id"]}}, token=bob)
    assert body["data"]["renderResumePdf"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_an_organizations_own_model_serves_tailoring_and_parsing(
    aiohttp_client: Any, settings: Settings
) -> None:
    from tests.helpers import RESUME_LINES, text_pdf

    fake = fake_openai("good")
    fake_server = TestServer(fake)
    await fake_server.start_server()
    try:
        app = server.create_app(replace(settings, allow_private_llm_hosts=True))
        client: TestClient = await aiohttp_client(app)
        await reset_state(settings)
        token = await _master(client)  # parsed offline: nothing configured yet
        assert fake[CALLS] == []
        await set_plan("starter")
        body = await gql(
            client,
            "mutation U($input: UpdateLlmConfigInput!) { updateLlmConfig(input: "
            "$input) { llmConfig { provider apiKey } userErrors { code message } } }",
            {
                "input": {
                    "provider": "OPENAI",
                    "model": "org-model",
                    "apiKey": "sk-org-secret-1234",
                    "apiBase": str(fake_server.make_url("/v1")),
                }
            },
            token=token,
        )
        assert body["data"]["updateLlmConfig"]["userErrors"] == []
        assert body["data"]["updateLlmConfig"]["llmConfig"]["apiKey"] == "••••1234"
        payload = await _tailor(client, token)
        done = await _finished(client, token, payload["resume"]["id"])
        assert done["status"] == "READY", done
        assert done["engine"] == "OPENAI"
        assert done["refinementStats"]["alignmentViolationsFixed"] == 0
        calls = fake[CALLS]
        assert {c["model"] for c in calls} == {"org-model"}
        assert {c["authorization"] for c in calls} == {"Bearer sk-org-secret-1234"}
        # parsing uses it too
        asked = len(calls)
        body = await upload(client, token, text_pdf(RESUME_LINES))
        parsed = await wait_for(
            client, token, body["data"]["uploadResume"]["resume"]["id"]
        )
        assert parsed["engine"] == "OPENAI"
        assert len(fake[CALLS]) == asked + 1
    finally:
        await fake_server.close()


async def test_a_lost_tailoring_job_is_requeued_by_the_sweeper(
    client: TestClient,
) -> None:
    from datetime import timedelta

    from models.resumes import Resume

    token = await _master(client)
    await set_plan("starter")
    master = await Resume.get(is_master=True)
    lost = await Resume.create(  # as tailorResume leaves it, its job never ran
        organization_id=master.organization_id,
        parent_id=master.id,
        kind="tailored",
        status="PROCESSING",
        job_description=JOB,
        strategy="KEYWORDS",
        output_language="en",
        charged=True,
    )
    old = datetime.now(UTC) - timedelta(hours=1)
    await Resume.filter(id=lost.id).update(updated_at=old)
    runtime = client.app[server.RUNTIME_KEY]
    assert await server.requeue_stuck(runtime, timedelta(minutes=10)) == 1
    from strawberry import relay

    done = await _finished(client, token, relay.to_base64("Resume", lost.id))
    assert done["status"] == "READY", done
    assert done["refinementStats"]["passesCompleted"] == 3
