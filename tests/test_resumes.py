"""Resume intake end to end: multipart upload, background parsing with live events
over a real WebSocket, credits, duplicates, hostile files, the master resume,
listing, editing, display rows, and the model engine against a local
OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import server
from models.accounts import Organization
from models.resumes import Resume
from settings import Settings
from tests.fake_openai import completion
from tests.helpers import (
    RESUME_LINES,
    connect,
    gql,
    receive,
    reset_state,
    sign_up,
    text_pdf,
    upload,
    wait_for,
    wait_until,
)

RESUME = """
query R($id: ID!) {
  resume(id: $id) {
    id status stage progress isMaster errorCode errorMessage engine warnings
    structuredData text
  }
}
"""


async def _token(client: TestClient, email: str = "jane@example.com") -> str:
    token: str = (await sign_up(client, email, "Jane"))["accessToken"]
    return token


async def _credits(token: str, client: TestClient) -> int:
    body = await gql(client, "{ viewer { credits } }", token=token)
    credits: int = body["data"]["viewer"]["credits"]
    return credits


async def test_upload_parses_in_the_background(client: TestClient) -> None:
    token = await _token(client)
    before = await _credits(token, client)
    body = await upload(
        client,
        token,
        text_pdf(RESUME_LINES),
        filename="cv.PNG",  # the name does not matter, the content does
        variables={"tags": ["Backend", "backend", "go"], "locale": "en-US"},
    )
    payload = body["data"]["uploadResume"]
    assert payload["userErrors"] == []
    created = payload["resume"]
    assert created["status"] == "PROCESSING"
    assert created["isMaster"] is True  # the first upload becomes the master
    assert created["fileType"] == "PDF"
    assert created["tags"] == ["backend", "go"]
    assert created["locale"] == "en-US"
    assert await _credits(token, client) == before - 1

    done = await wait_for(client, token, created["id"])
    assert done["status"] == "READY", done
    assert (done["stage"], done["progress"]) == ("DONE", 100)
    assert done["engine"] == "OFFLINE"
    data = done["structuredData"]
    assert data["personalInfo"]["name"] == "Jane Doe"
    assert data["personalInfo"]["email"] == "jane.doe@example.com"
    companies = " ".join(job["company"] for job in data["workExperience"])
    assert "Acme" in companies
    assert "Globex" in companies
    assert "Acme Corp" in done["text"]
    assert await _credits(token, client) == before - 1  # charged once


async def test_second_upload_of_the_same_file_is_a_duplicate(
    client: TestClient,
) -> None:
    token = await _token(client)
    pdf = text_pdf(RESUME_LINES)
    first = (await upload(client, token, pdf))["data"]["uploadResume"]["resume"]
    credits = await _credits(token, client)
    body = await upload(client, token, pdf, filename="again.pdf")
    payload = body["data"]["uploadResume"]
    assert payload["resume"]["id"] == first["id"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "file"], "DUPLICATE_UPLOAD")
    ]
    assert await _credits(token, client) == credits  # not charged
    # another organization may upload the same file
    other = await _token(client, "bob@example.com")
    body = await upload(client, other, pdf)
    assert body["data"]["uploadResume"]["userErrors"] == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\x00" * 100, "UNSUPPORTED_MEDIA_TYPE"),
        (b"", "VALIDATION_ERROR"),
        (b"just some text, not a resume format", "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
async def test_refused_uploads_cost_nothing(
    client: TestClient, data: bytes, code: str
) -> None:
    token = await _token(client)
    credits = await _credits(token, client)
    body = await upload(client, token, data, filename="resume.pdf")
    payload = body["data"]["uploadResume"]
    assert payload["resume"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "file"], code)
    ]
    assert await _credits(token, client) == credits
    assert await Resume.all().count() == 0


async def test_oversized_upload_is_refused_while_streaming(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, max_upload_bytes=64 * 1024))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = await _token(client)
    body = await upload(client, token, b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    payload = body["data"]["uploadResume"]
    assert payload["resume"] is None
    assert payload["userErrors"] == [
        {
            "field": ["input", "file"],
            "message": "The file is larger than the limit of 64 KiB",
            "code": "PAYLOAD_TOO_LARGE",
        }
    ]
    assert await Resume.all().count() == 0


async def test_insufficient_credits(client: TestClient) -> None:
    token = await _token(client)
    await Organization.all().update(credits=0)
    body = await upload(client, token, text_pdf(RESUME_LINES))
    payload = body["data"]["uploadResume"]
    assert payload["resume"] is None
    assert payload["userErrors"][0]["code"] == "INSUFFICIENT_CREDITS"
    assert await Resume.all().count() == 0


async def test_multipart_needs_a_preflight_header(client: TestClient) -> None:
    token = await _token(client)
    body = await upload(
        client, token, text_pdf(RESUME_LINES), preflight=False, status=400
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "Preflight" in body["errors"][0]["message"]
    assert await Resume.all().count() == 0


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(RESUME_LINES))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _many_pages(count: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(120):
                member.write(chunk)
    return out.getvalue()


HOSTILE = {
    "encrypted": (_encrypted_pdf, "ENCRYPTED_PDF"),
    "truncated": (lambda: text_pdf(RESUME_LINES)[:200], "CORRUPT_FILE"),
    "500 pages": (lambda: _many_pages(500), "TOO_MANY_PAGES"),
    "zip bomb": (_zip_bomb, "ARCHIVE_TOO_LARGE"),
    "deep json": (lambda: b"[" * 10_000 + b"]" * 10_000, "JSON_TOO_DEEP"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_files_end_failed_with_a_code(
    client: TestClient, name: str
) -> None:
    make, code = HOSTILE[name]
    token = await _token(client)
    credits = await _credits(token, client)
    body = await upload(client, token, make(), filename="resume.pdf")
    payload = body["data"]["uploadResume"]
    assert payload["userErrors"] == [], payload
    # the server keeps answering while the file is handled
    pong = await gql(client, "{ plans { id } }")
    assert pong["data"]["plans"]
    done = await wait_for(client, token, payload["resume"]["id"])
    assert (done["status"], done["errorCode"]) == ("FAILED", code), done
    assert done["errorMessage"]
    # the file's own fault: the credit stays spent
    assert await _credits(token, client) == credits - 1


async def test_resume_events_stream_every_stage(client: TestClient) -> None:
    from services import resumes
    from services.accounts import Actor

    token = await _token(client)
    user_org = await Organization.get()
    actor = Actor(kind="session", user_id=1, organization_id=user_org.id, role="owner")
    row = await resumes.upload_resume(
        actor=actor,
        file=resumes.UploadedFile("cv.pdf", "application/pdf", text_pdf(RESUME_LINES)),
        set_as_master=False,
        tags=[],
        locale=None,
        title=None,
    )
    from strawberry import relay

    resume_id = relay.to_base64("Resume", row.id)
    ws = await connect(client, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription S($id: ID!) { resumeEvents(resumeId: $id) "
                "{ resumeId status stage progress errorCode "
                "resume { id status stage progress } } }",
                "variables": {"id": resume_id},
            },
        }
    )
    first = await receive(ws)
    state = {"status": "PROCESSING", "stage": "RECEIVED", "progress": 0}
    assert first["payload"]["data"]["resumeEvents"] == {
        "resumeId": resume_id,
        **state,
        "errorCode": None,
        # the event carries the resume object: caches update it by id
        "resume": {"id": resume_id, **state},
    }
    await client.app[server.RUNTIME_KEY].jobs.enqueue_parse(row.id)
    stages = []
    while True:
        message = await receive(ws, timeout=30)
        if message["type"] == "complete":
            break
        event = message["payload"]["data"]["resumeEvents"]
        stages.append((event["stage"], event["progress"], event["status"]))
        last_resume = event["resume"]
    assert stages == [
        ("EXTRACTING", 10, "PROCESSING"),
        ("STRUCTURING", 50, "PROCESSING"),
        ("SAVING", 90, "PROCESSING"),
        ("DONE", 100, "READY"),
    ]
    assert last_resume == {
        "id": resume_id,
        "status": "READY",
        "stage": "DONE",
        "progress": 100,
    }
    # a late subscriber gets the final state at once, then the end
    await ws.send_json(
        {
            "id": "2",
            "type": "subscribe",
            "payload": {
                "query": "subscription S($id: ID!) { resumeEvents(resumeId: $id) "
                "{ status } }",
                "variables": {"id": resume_id},
            },
        }
    )
    message = await receive(ws)
    assert message["payload"]["data"]["resumeEvents"] == {"status": "READY"}
    assert (await receive(ws))["type"] == "complete"
    await ws.close()


async def test_other_organizations_resumes_are_not_found(client: TestClient) -> None:
    bob = await _token(client, "bob@example.com")
    body = await upload(client, bob, text_pdf(RESUME_LINES))
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    await wait_for(client, bob, resume_id)
    token = await _token(client)
    assert (await gql(client, RESUME, {"id": resume_id}, token=token))["data"][
        "resume"
    ] is None
    for mutation in ("deleteResume", "setMasterResume", "retryResumeParse"):
        body = await gql(
            client,
            f"mutation M($id: ID!) {{ {mutation}(input: {{id: $id}}) "
            "{ userErrors { field code } } }",
            {"id": resume_id},
            token=token,
        )
        assert body["data"][mutation]["userErrors"] == [
            {"field": ["input", "id"], "code": "NOT_FOUND"}
        ]
    assert await Resume.all().count() == 1


async def test_master_list_update_delete_and_rows(client: TestClient) -> None:
    token = await _token(client)
    ids = []
    for index in range(3):
        lines = [*RESUME_LINES, f"Variant {index}"]
        body = await upload(
            client, token, text_pdf(lines), variables={"tags": [f"t{index}"]}
        )
        ids.append(body["data"]["uploadResume"]["resume"]["id"])
    for resume_id in ids:
        assert (await wait_for(client, token, resume_id))["status"] == "READY"

    body = await gql(
        client,
        "mutation M($id: ID!) { setMasterResume(input: {id: $id}) "
        "{ resume { isMaster } changedResumes { id isMaster } userErrors { code } } }",
        {"id": ids[2]},
        token=token,
    )
    assert body["data"]["setMasterResume"]["resume"] == {"isMaster": True}
    # the first READY resume was the master: both records come back
    assert body["data"]["setMasterResume"]["changedResumes"] == [
        {"id": ids[2], "isMaster": True},
        {"id": ids[0], "isMaster": False},
    ]
    assert await Resume.filter(is_master=True).count() == 1

    listing = await gql(
        client,
        "query { resumes(first: 2, filter: {includeMaster: true}, orderBy: "
        "{field: CREATED_AT}) { nodes { id isMaster } pageInfo { hasNextPage "
        "endCursor } } }",
        token=token,
    )
    page = listing["data"]["resumes"]
    assert [n["id"] for n in page["nodes"]] == [ids[2], ids[1]]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        client,
        "query Q($after: String) { resumes(first: 2, after: $after, filter: "
        "{includeMaster: true}, orderBy: {field: CREATED_AT}) "
        "{ nodes { id } pageInfo { hasNextPage } } }",
        {"after": page["pageInfo"]["endCursor"]},
        token=token,
    )
    assert [n["id"] for n in rest["data"]["resumes"]["nodes"]] == [ids[0]]
    filtered = await gql(
        client,
        'query { resumes(filter: {tags: ["t1"], status: READY}) { nodes { id } } }',
        token=token,
    )
    assert [n["id"] for n in filtered["data"]["resumes"]["nodes"]] == [ids[1]]
    masters = await gql(
        client,
        "query { resumes(filter: {isMaster: true}) { nodes { id } } }",
        token=token,
    )
    assert [n["id"] for n in masters["data"]["resumes"]["nodes"]] == [ids[2]]

    # structuredData is validated as ResumeData
    body = await gql(
        client,
        "mutation M($id: ID!, $data: JSON) { updateResume(input: "
        '{id: $id, title: "Main", structuredData: $data}) '
        "{ resume { title } userErrors { field code } } }",
        {"id": ids[0], "data": {"personalInfo": "not an object"}},
        token=token,
    )
    errors = body["data"]["updateResume"]["userErrors"]
    assert errors
    assert all(
        e == {"field": ["input", "structuredData"], "code": "VALIDATION_ERROR"}
        for e in errors
    )
    assert (await Resume.get(id=1)).title != "Main"

    rows = await gql(
        client,
        "query { resumeRows(first: 10) { nodes { name email currentCompany "
        "skills tags status isMaster } } }",
        token=token,
    )
    first_row = rows["data"]["resumeRows"]["nodes"][0]
    assert first_row["name"] == "Jane Doe"
    assert first_row["email"] == "jane.doe@example.com"
    assert first_row["tags"] == ["t2"]

    export = await gql(
        client,
        "mutation { exportResumeRows(input: {}) { url rows userErrors { code } } }",
        token=token,
    )
    payload = export["data"]["exportResumeRows"]
    assert payload["rows"] == 3
    response = await client.get(payload["url"][payload["url"].index("/files/") :])
    text = await response.text()
    assert text.splitlines()[0].startswith("resume_id,title,status,name,email")
    assert len(text.splitlines()) == 4

    # deleting the master hands the role to the newest remaining resume
    body = await gql(
        client,
        "mutation M($id: ID!) { deleteResume(input: {id: $id}) "
        "{ deletedId changedResumes { id isMaster } } }",
        {"id": ids[2]},
        token=token,
    )
    assert body["data"]["deleteResume"]["deletedId"] == ids[2]
    assert body["data"]["deleteResume"]["changedResumes"] == [
        {"id": ids[1], "isMaster": True}
    ]
    remaining = await Resume.all().order_by("id")
    assert [r.is_master for r in remaining] == [False, True]


async def test_json_resume_upload(client: TestClient) -> None:
    token = await _token(client)
    doc = {
        "basics": {"name": "Jane Doe", "email": "jane@example.com", "label": "Eng"},
        "work": [{"name": "Acme", "position": "Engineer", "startDate": "2020-01"}],
        "education": [{"institution": "MIT", "studyType": "BSc"}],
        "skills": [{"name": "Backend", "keywords": ["Python", "Go"]}],
    }
    body = await upload(client, token, json.dumps(doc).encode(), filename="resume.json")
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    done = await wait_for(client, token, resume_id)
    assert done["status"] == "READY", done
    data = done["structuredData"]
    assert data["personalInfo"]["name"] == "Jane Doe"
    assert data["workExperience"][0]["company"] == "Acme"
    assert data["education"][0]["institution"] == "MIT"


# -- the model engine, through the real openai SDK against a local server --------------


CALLS = web.AppKey("calls", list)


def fake_openai(mode: str) -> web.Application:
    """An OpenAI-compatible `/v1/chat/completions`: `good` answers ResumeData,
    `garbage` malformed JSON, `down` HTTP 503."""
    calls: list[dict[str, Any]] = []

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append(body)
        if mode == "down":
            return web.json_response({"error": {"message": "overloaded"}}, status=503)
        if mode == "garbage":
            content = '{"personalInfo": {"name": "Jane'
        else:
            content = json.dumps(
                {
                    "personalInfo": {
                        "name": "Jane Doe (model)",
                        "title": "Engineer",
                        "email": "jane.doe@example.com",
                        "phone": "",
                        "location": "",
                    },
                    "summary": "",
                    "workExperience": [
                        {
                            "id": 1,
                            "title": "Senior Backend Engineer",
                            "company": "Acme Corp",
                            "years": "2020 - Present",
                            "description": [],
                        }
                    ],
                    "education": [],
                    "personalProjects": [],
                    "additional": {
                        "technicalSkills": ["Python"],
                        "languages": [],
                        "certificationsTraining": [],
                        "awards": [],
                    },
                    "customSections": {},
                }
            )
        return completion(body["model"], content)

    app = web.Application()
    app[CALLS] = calls
    app.router.add_post("/v1/chat/completions", completions)
    return app


@pytest.mark.parametrize(
    ("mode", "engine", "name"),
    [
        ("good", "OPENAI", "Jane Doe (model)"),
        ("garbage", "OFFLINE_FALLBACK", "Jane Doe"),
        ("down", "OFFLINE_FALLBACK", "Jane Doe"),
    ],
)
async def test_model_engine(
    aiohttp_client: Any, settings: Settings, mode: str, engine: str, name: str
) -> None:
    fake = fake_openai(mode)
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
        token = await _token(client)
        body = await upload(client, token, text_pdf(RESUME_LINES))
        done = await wait_for(
            client, token, body["data"]["uploadResume"]["resume"]["id"]
        )
        assert done["status"] == "READY", done
        assert done["engine"] == engine
        assert done["structuredData"]["personalInfo"]["name"] == name
        assert bool(done["warnings"]) == (mode != "good")
        calls = fake[CALLS]
        assert calls
        assert calls[0]["model"] == "test-model"
        assert calls[0]["response_format"]["type"] == "json_schema"
        assert "Acme Corp" in calls[0]["messages"][-1]["content"]
    finally:
        await fake_server.close()


PREVIEW = """
mutation P($input: PreviewImportInput!) {
  previewImport(input: $input) {
    preview {
      id
      profile { field current proposed action }
      sections {
        section add keep
        change { entryId values entry { __typename ... on Skill { id name } } }
      }
    }
    userErrors { field message code }
  }
}
"""
COMMIT = """
mutation C($input: CommitImportInput!) {
  commitImport(input: $input) {
    profile { fullName experience { title company startDate current } }
    userErrors { field message code }
  }
}
"""


async def test_import_preview_then_commit(client: TestClient) -> None:
    token = await _token(client)
    body = await upload(client, token, text_pdf(RESUME_LINES))
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    assert (await wait_for(client, token, resume_id))["status"] == "READY"
    # an existing skill is detected as a duplicate
    created = await gql(
        client,
        'mutation { createSkill(input: {name: "python"}) { skill { id } } }',
        token=token,
    )
    skill_id = created["data"]["createSkill"]["skill"]["id"]

    body = await gql(client, PREVIEW, {"input": {"resumeId": resume_id}}, token=token)
    payload = body["data"]["previewImport"]
    assert payload["userErrors"] == []
    preview = payload["preview"]
    sections = {s["section"]: s for s in preview["sections"]}
    experience = sections["EXPERIENCE"]["add"]
    assert [job["company"] for job in experience] == ["Acme Corp", "Globex"]
    acme = next(job for job in experience if job["company"] == "Acme Corp")
    assert (acme["startDate"], acme["current"]) == ("2020-01", True)
    skills = sections["SKILLS"]
    # the same skill in another case: a duplicate that would change the spelling
    assert [c["values"] for c in skills["change"]] == [{"name": "Python"}]
    # the change points to its entry (its own id stays the entry's, not reused)
    assert [(c["entryId"], c["entry"]) for c in skills["change"]] == [
        (skill_id, {"__typename": "Skill", "id": skill_id, "name": "python"})
    ]
    assert "Python" not in [s["name"] for s in skills["add"]]
    names = {f["field"]: f for f in preview["profile"]}
    assert names["fullName"]["proposed"] == "Jane Doe"
    assert names["fullName"]["action"] == "ADD"

    # nothing is written until the commit
    read = await gql(
        client, "{ viewer { profile { experience { id } } } }", token=token
    )
    assert read["data"]["viewer"]["profile"]["experience"] == []

    body = await gql(
        client,
        COMMIT,
        {"input": {"previewId": preview["id"], "sections": ["EXPERIENCE"]}},
        token=token,
    )
    payload = body["data"]["commitImport"]
    assert payload["userErrors"] == []
    assert payload["profile"]["fullName"] == "Jane Doe"
    companies = [job["company"] for job in payload["profile"]["experience"]]
    assert "Acme Corp" in companies
    again = await gql(
        client, COMMIT, {"input": {"previewId": preview["id"]}}, token=token
    )
    assert again["data"]["commitImport"]["userErrors"][0]["code"] == "CONFLICT"

    # a second preview finds the committed rows as duplicates
    body = await gql(client, PREVIEW, {"input": {"resumeId": resume_id}}, token=token)
    sections = {
        s["section"]: s for s in body["data"]["previewImport"]["preview"]["sections"]
    }
    assert sections["EXPERIENCE"]["add"] == []
    assert len(sections["EXPERIENCE"]["keep"]) == len(companies)

    # another organization cannot preview or commit these
    bob = await _token(client, "bob@example.com")
    body = await gql(client, PREVIEW, {"input": {"resumeId": resume_id}}, token=bob)
    assert body["data"]["previewImport"]["userErrors"][0]["code"] == "NOT_FOUND"
    body = await gql(client, COMMIT, {"input": {"previewId": preview["id"]}}, token=bob)
    assert body["data"]["commitImport"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_import_preview_from_a_file(client: TestClient) -> None:
    token = await _token(client)
    body = await upload(client, token, text_pdf(RESUME_LINES), query=PREVIEW)
    payload = body["data"]["previewImport"]
    assert payload["userErrors"] == []
    sections = {s["section"]: s for s in payload["preview"]["sections"]}
    assert any(job["company"] == "Globex" for job in sections["EXPERIENCE"]["add"])
    assert await Resume.all().count() == 0  # a preview stores no resume


async def test_server_side_failure_refunds_and_retry_parses(
    aiohttp_client: Any, settings: Settings
) -> None:
    """A parse killed by the wall clock ends FAILED/TIMEOUT and gives the credit
    back (once); retryResumeParse runs it again."""
    app = server.create_app(replace(settings, parse_timeout=0.001))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = await _token(client)
    credits = await _credits(token, client)
    body = await upload(client, token, text_pdf(RESUME_LINES))
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    done = await wait_for(client, token, resume_id)
    assert (done["status"], done["errorCode"]) == ("FAILED", "TIMEOUT"), done
    assert await _credits(token, client) == credits  # refunded

    # the operator raised PARSE_TIMEOUT
    app[server.RUNTIME_KEY].jobs.parse_deps.timeout = 30.0
    body = await gql(
        client,
        "mutation M($id: ID!) { retryResumeParse(input: {id: $id}) "
        "{ resume { status stage progress } userErrors { code } } }",
        {"id": resume_id},
        token=token,
    )
    assert body["data"]["retryResumeParse"] == {
        "resume": {"status": "PROCESSING", "stage": "RECEIVED", "progress": 0},
        "userErrors": [],
    }
    done = await wait_for(client, token, resume_id)
    assert done["status"] == "READY", done
    assert done["errorCode"] is None
    # the retry is free: the credit was charged once and refunded once
    assert await _credits(token, client) == credits


async def test_a_superseded_run_writes_nothing(client: TestClient) -> None:
    """Two runs of the same parse (a requeue while the first still runs): the
    newer owns the resume; the older stops without writing, and a failure of the
    newer is not overwritten by the older's READY."""
    from services import resumes
    from services.pubsub import MemoryPubSub

    await _token(client)  # Jane and her organization
    org = await Organization.get()
    actor_row = await Resume.create(
        organization_id=org.id,
        title="r",
        kind="pdf",
        source=text_pdf(RESUME_LINES),
        sha256="x" * 64,
        charged=True,
    )
    slow = resumes.ParseDeps(pubsub=MemoryPubSub(), fault_delay=1.0)
    first = asyncio.create_task(resumes.parse(resume_id=actor_row.id, deps=slow))
    # the first run has claimed it and sleeps (fault_delay) in "extracting"
    await wait_until(
        lambda: Resume.filter(id=actor_row.id, stage="extracting").exists()
    )
    broken = resumes.ParseDeps(pubsub=MemoryPubSub(), timeout=0.001)
    assert await resumes.parse(resume_id=actor_row.id, deps=broken) == "FAILED"
    assert await first == "SUPERSEDED"
    row = await Resume.get(id=actor_row.id)
    assert (row.status, row.error_code, row.refunded) == ("FAILED", "TIMEOUT", True)


async def test_multipart_limits_hold_for_the_whole_request(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(replace(settings, max_upload_bytes=64 * 1024))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = await _token(client)
    headers = {"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1"}
    query = (
        "mutation M($a: Upload!, $b: Upload!) { a: uploadResume(input: {file: $a}) "
        "{ userErrors { code } } b: uploadResume(input: {file: $b}) "
        "{ userErrors { code } } }"
    )
    operations = json.dumps({"query": query, "variables": {"a": None, "b": None}})
    mapping = json.dumps({"0": ["variables.a"], "1": ["variables.b"]})

    def form(parts: list[tuple[str, bytes]]) -> Any:
        from aiohttp import FormData

        data = FormData()
        data.add_field("operations", operations)
        data.add_field("map", mapping)
        for name, blob in parts:
            data.add_field(name, blob, filename=f"{name}.pdf")
        return data

    # two files of 40 KiB each: each under the limit, together over it
    half = b"GIF89a" + b"0" * (40 * 1024)  # refused at once: no job
    response = await client.post(
        "/graphql", data=form([("0", half), ("1", half + b"1")]), headers=headers
    )
    body = await response.json()
    codes = [body["data"][k]["userErrors"][0]["code"] for k in ("a", "b")]
    assert codes == ["UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"]
    # the same part twice
    response = await client.post(
        "/graphql", data=form([("0", b"a"), ("0", b"b")]), headers=headers
    )
    assert response.status == 400
    # a body cut off before its closing boundary
    boundary = "cgboundary"
    raw = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        f"{json.dumps({'query': UPLOAD_ONE, 'variables': {'f': None}})}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        f'{{"0": ["variables.f"]}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; '
        f'filename="x.json"\r\n\r\n{{"a":'
    ).encode()
    response = await client.post(
        "/graphql",
        data=raw,
        headers={
            **headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert response.status == 400, await response.text()
    assert await Resume.all().count() == 0


UPLOAD_ONE = (
    "mutation M($f: Upload!) { uploadResume(input: {file: $f}) "
    "{ resume { id } userErrors { code } } }"
)


async def test_deleting_a_resume_ends_its_event_stream(client: TestClient) -> None:
    from strawberry import relay

    token = await _token(client)
    org = await Organization.get()
    row = await Resume.create(
        organization_id=org.id, title="r", kind="pdf", sha256="y" * 64
    )
    resume_id = relay.to_base64("Resume", row.id)
    ws = await connect(client, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription S($id: ID!) { resumeEvents(resumeId: $id) "
                "{ status stage errorCode } }",
                "variables": {"id": resume_id},
            },
        }
    )
    first = await receive(ws)
    assert first["payload"]["data"]["resumeEvents"]["status"] == "PROCESSING"
    await gql(
        client,
        "mutation M($id: ID!) { deleteResume(input: {id: $id}) { deletedId } }",
        {"id": resume_id},
        token=token,
    )
    last = await receive(ws)
    assert last["payload"]["data"]["resumeEvents"] == {
        "status": "FAILED",
        "stage": "DELETED",
        "errorCode": "DELETED",
    }
    assert (await receive(ws))["type"] == "complete"
    await ws.close()
