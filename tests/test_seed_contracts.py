"""The seeds' contracts, end to end through the real server: resumAI's `en_US`
locales and its 503 (SERVICE_BUSY), Refleum's resume listing (newest update
first, the master apart), partial updates (JSON merge patch), regeneration for the
resume's job description, the one master, the single-step tailorResume (wait),
and Pro's parallel generation (one run at a time below Pro, stage `queued`)."""

from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from strawberry import relay

import server
from models.accounts import Organization
from models.resumes import Resume
from models.tailoring import Letter, TailorUsage
from settings import Settings
from tests.factories import ready_resume
from tests.fake_openai import fake_openai
from tests.helpers import (
    JOB,
    MASTER,
    STAGES,
    connect,
    count_queries,
    gql,
    receive,
    reset_state,
    set_plan,
    sign_up,
    upload,
    wait_for,
)

UPLOAD = """
mutation U($input: UploadResumeInput!) {
  uploadResume(input: $input) {
    resume { id locale isMaster }
    userErrors { field message code retryAfter }
  }
}
"""
TAILOR = """
mutation T($input: TailorResumeInput!) {
  tailorResume(input: $input) {
    resume {
      id status stage errorCode isMaster parent
      refinementStats { passesCompleted }
    }
    userErrors { field message code retryAfter }
  }
}
"""
LIST = """
query L($first: Int, $after: String, $filter: ResumeFilter, $orderBy: ResumeOrder) {
  resumes(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id title isMaster } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
UPDATE = """
mutation U($input: UpdateResumeInput!) {
  updateResume(input: $input) {
    resume { title tags structuredData }
    userErrors { field message code }
  }
}
"""
DELETE = """
mutation D($id: ID!) {
  deleteResume(input: {id: $id}) { deletedId userErrors { code } }
}
"""


def gid(row_id: int) -> str:
    return relay.to_base64("Resume", row_id)


def db_id(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


def document(name: str) -> bytes:
    data = copy.deepcopy(MASTER)
    data["personalInfo"]["name"] = name
    return json.dumps(data).encode()


async def _credits(client: TestClient, token: str) -> int:
    body = await gql(client, "{ viewer { credits } }", token=token)
    credits: int = body["data"]["viewer"]["credits"]
    return credits


async def _ready(client: TestClient, token: str, name: str) -> str:
    """A READY resume of Ada's named `name` (`client`, `token`: hers)."""
    return await ready_resume(json.loads(document(name)), filename=f"{name}.json")


# -- uploadResume(locale) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("en_US", "en-US"),
        ("pt_br", "pt-BR"),
        ("zh_hant_tw", "zh-Hant-TW"),
        ("es_419", "es-419"),
        ("de", "de"),
        ("EN-gb", "en-GB"),
    ],
)
async def test_upload_locale_in_resumai_form_is_stored_as_bcp_47(
    client: TestClient, given: str, stored: str
) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await upload(
        client, token, document("Ada"), variables={"locale": given}, query=UPLOAD
    )
    payload = body["data"]["uploadResume"]
    assert payload["userErrors"] == []
    assert payload["resume"]["locale"] == stored
    assert (await Resume.get()).locale == stored


@pytest.mark.parametrize("given", ["en__US", "english_United_States", "e", "en_US!"])
async def test_a_malformed_locale_is_refused_and_costs_nothing(
    client: TestClient, given: str
) -> None:
    token = (await sign_up(client))["accessToken"]
    credits = await _credits(client, token)
    body = await upload(
        client, token, document("Ada"), variables={"locale": given}, query=UPLOAD
    )
    assert body["data"]["uploadResume"] == {
        "resume": None,
        "userErrors": [
            {
                "field": ["input", "locale"],
                "message": "locale must be a BCP 47 language tag such as en, pt-BR "
                "or en_US",
                "code": "VALIDATION_ERROR",
                "retryAfter": None,
            }
        ],
    }
    assert await Resume.all().count() == 0
    assert await _credits(client, token) == credits


# -- resumes(orderBy, filter: {includeMaster}) -----------------------------------------


async def _given_resumes(count: int) -> list[Resume]:
    """`count` READY resumes; the first is the master. Updated in another order
    than created: resume i was updated at 10:00 + (i * 7 % count) minutes."""
    org = await Organization.get()
    rows = []
    base = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    for index in range(count):
        row = await Resume.create(
            organization_id=org.id,
            title=f"r{index}",
            kind="json",
            sha256=f"{index:064d}",
            status="READY",
            stage="done",
            is_master=index == 0,
            structured_data=MASTER,
        )
        await Resume.filter(id=row.id).update(
            created_at=base + timedelta(hours=index),
            updated_at=base + timedelta(minutes=index * 7 % count),
        )
        rows.append(await Resume.get(id=row.id))
    return rows


async def _walk(
    client: TestClient, token: str, first: int, **variables: Any
) -> list[str]:
    """Every title, page by page."""
    titles: list[str] = []
    after = None
    for _ in range(50):
        body = await gql(
            client,
            LIST,
            {"first": first, "after": after, **variables},
            token=token,
        )
        page = body["data"]["resumes"]
        titles += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return titles
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pagination does not end")


async def test_resumes_newest_update_first_without_the_master(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    rows = await _given_resumes(5)  # updated: r0 0', r1 2', r2 4', r3 1', r4 3'
    by_update = ["r2", "r4", "r1", "r3"]  # r0 is the master: left out
    assert await _walk(client, token, 2) == by_update
    assert await _walk(client, token, 1) == by_update
    assert await _walk(client, token, 10, filter={"includeMaster": True}) == [
        *by_update,
        "r0",
    ]
    assert await _walk(
        client,
        token,
        2,
        filter={"includeMaster": True},
        orderBy={"field": "UPDATED_AT", "direction": "ASC"},
    ) == ["r0", "r3", "r1", "r4", "r2"]
    assert await _walk(
        client, token, 3, orderBy={"field": "CREATED_AT", "direction": "ASC"}
    ) == ["r1", "r2", "r3", "r4"]
    assert await _walk(client, token, 3, orderBy={"field": "CREATED_AT"}) == [
        "r4",
        "r3",
        "r2",
        "r1",
    ]
    # asking for the master is asking for it
    assert await _walk(client, token, 3, filter={"isMaster": True}) == ["r0"]
    assert await _walk(client, token, 3, filter={"isMaster": False}) == by_update

    # ties on the ordering column: the id decides, and no row is lost or repeated
    same = datetime(2026, 11, 3, 9, 30, 15, 123456, tzinfo=UTC)
    await Resume.all().update(updated_at=same)
    assert await _walk(client, token, 1, filter={"includeMaster": True}) == [
        "r4",
        "r3",
        "r2",
        "r1",
        "r0",
    ]
    assert await _walk(
        client,
        token,
        2,
        orderBy={"field": "UPDATED_AT", "direction": "ASC"},
    ) == ["r1", "r2", "r3", "r4"]
    assert rows[0].is_master

    # a cursor of one ordering is refused by another
    body = await gql(client, LIST, {"first": 1}, token=token)
    cursor = body["data"]["resumes"]["pageInfo"]["endCursor"]
    body = await gql(
        client,
        LIST,
        {"first": 1, "after": cursor, "orderBy": {"field": "CREATED_AT"}},
        token=token,
    )
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert error["message"].endswith("for this orderBy")


async def test_resumes_list_costs_constant_queries(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]

    async def measure(**variables: Any) -> int:
        with count_queries() as seen:
            body = await gql(client, LIST, {"first": 100, **variables}, token=token)
        assert "errors" not in body
        return len(seen)

    await _given_resumes(2)
    small = [
        await measure(),
        await measure(orderBy={"field": "CREATED_AT", "direction": "ASC"}),
    ]
    await Resume.all().delete()
    await _given_resumes(40)
    large = [
        await measure(),
        await measure(orderBy={"field": "CREATED_AT", "direction": "ASC"}),
    ]
    assert large == small


# -- updateResume: a JSON merge patch --------------------------------------------------


async def test_update_resume_merges_a_partial_document(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    resume_id = await _ready(client, token, "Ada Lovelace")
    stored = (await Resume.get()).structured_data
    assert stored is not None

    patch = {
        "personalInfo": {"title": "Staff Engineer", "website": "https://ada.dev"},
        "additional": {"technicalSkills": ["Python", "SQL"]},
    }
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": resume_id, "title": "Main", "structuredData": patch}},
        token=token,
    )
    payload = body["data"]["updateResume"]
    assert payload["userErrors"] == []
    expected = copy.deepcopy(stored)
    expected["personalInfo"]["title"] = "Staff Engineer"
    expected["personalInfo"]["website"] = "https://ada.dev"
    expected["additional"]["technicalSkills"] = ["Python", "SQL"]  # arrays replace
    assert payload["resume"]["structuredData"] == expected
    assert payload["resume"]["title"] == "Main"
    assert (await Resume.get()).structured_data == expected

    # null removes a key
    body = await gql(
        client,
        UPDATE,
        {
            "input": {
                "id": resume_id,
                "structuredData": {"personalInfo": {"website": None}},
            }
        },
        token=token,
    )
    del expected["personalInfo"]["website"]
    assert body["data"]["updateResume"]["resume"]["structuredData"] == expected

    # a merge whose result is not ResumeData changes nothing, title included
    for bad in (
        {"summary": None},  # required
        {"workExperience": [{"id": 1, "title": "Engineer"}]},  # company... missing
        {"personalInfo": {"name": 42}},
    ):
        body = await gql(
            client,
            UPDATE,
            {"input": {"id": resume_id, "title": "Changed", "structuredData": bad}},
            token=token,
        )
        payload = body["data"]["updateResume"]
        assert payload["resume"] is None
        assert payload["userErrors"]
        assert {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]} == {
            (("input", "structuredData"), "VALIDATION_ERROR")
        }
        row = await Resume.get()
        assert (row.title, row.structured_data) == ("Main", expected)

    body = await gql(
        client,
        UPDATE,
        {"input": {"id": resume_id, "structuredData": ["not", "an", "object"]}},
        token=token,
    )
    assert body["data"]["updateResume"]["userErrors"] == [
        {
            "field": ["input", "structuredData"],
            "message": "structuredData must be an object (a JSON merge patch of "
            "ResumeData)",
            "code": "VALIDATION_ERROR",
        }
    ]
    # another organization's resume is not found, and is not changed
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": resume_id, "structuredData": {"summary": "Bob's"}}},
        token=bob,
    )
    assert body["data"]["updateResume"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await Resume.get()).structured_data == expected


async def test_update_resume_refuses_a_patch_while_parsing(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    org = await Organization.get()
    row = await Resume.create(
        organization_id=org.id, title="r", kind="pdf", sha256="p" * 64
    )
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": gid(row.id), "structuredData": {"summary": "x"}}},
        token=token,
    )
    [error] = body["data"]["updateResume"]["userErrors"]
    assert (error["field"], error["code"]) == (
        ["input", "structuredData"],
        "VALIDATION_ERROR",
    )
    assert (await Resume.get(id=row.id)).structured_data is None


# -- the one master --------------------------------------------------------------------


async def _master_id() -> int | None:
    ids = await Resume.filter(is_master=True).values_list("id", flat=True)
    assert len(ids) <= 1, ids
    return int(ids[0]) if ids else None  # type: ignore[call-overload]


async def test_deleting_the_master_hands_the_role_to_the_newest_ready_resume(
    client: TestClient,
) -> None:
    from services import resumes
    from services.accounts import Actor

    token = (await sign_up(client))["accessToken"]
    await set_plan("starter")
    master = await _ready(client, token, "Ada Lovelace")
    other = await _ready(client, token, "Ada L.")
    body = await gql(
        client, TAILOR, {"input": {"jobDescription": JOB, "wait": True}}, token=token
    )
    tailored = body["data"]["tailorResume"]["resume"]
    assert tailored["status"] == "READY"
    assert tailored["parent"] == master
    assert await _master_id() == db_id(master)

    # the tailored resume is the newest READY one: it takes the role
    await gql(client, DELETE, {"id": master}, token=token)
    assert await _master_id() == db_id(tailored["id"])
    await gql(client, DELETE, {"id": tailored["id"]}, token=token)
    assert await _master_id() == db_id(other)

    # a resume still parsing does not take it; it does once it is READY
    org = await Organization.get()
    actor = Actor(kind="session", user_id=1, organization_id=org.id, role="owner")
    parsing = await resumes.upload_resume(
        actor=actor,
        file=resumes.UploadedFile("late.json", "application/json", document("Late")),
        set_as_master=False,
        tags=[],
        locale=None,
        title=None,
    )
    await gql(client, DELETE, {"id": other}, token=token)
    assert await _master_id() is None
    await client.app[server.RUNTIME_KEY].jobs.enqueue_parse(parsing.id)
    assert (await wait_for(client, token, gid(parsing.id)))["status"] == "READY"
    assert await _master_id() == parsing.id
    body = await gql(client, LIST, {"filter": {"isMaster": True}}, token=token)
    assert [e["node"]["id"] for e in body["data"]["resumes"]["edges"]] == [
        gid(parsing.id)
    ]


# -- letters regenerate for the resume's job description -------------------------------

REGENERATE = """
mutation R($input: RegenerateLetterInput!) {
  %s(input: $input) {
    %s { id company jobDescription }
    userErrors { field message code }
  }
}
"""
GENERATE = """
mutation G($input: GenerateLetterInput!) {
  %s(input: $input) { %s { id company } userErrors { code } }
}
"""
LETTERS = [
    ("generateCoverLetter", "regenerateCoverLetter", "coverLetter"),
    ("generateOutreachMessage", "regenerateOutreachMessage", "outreachMessage"),
]


@pytest.mark.parametrize(("generate", "regenerate", "field"), LETTERS)
async def test_regenerating_without_a_job_description_uses_the_resumes(
    client: TestClient, generate: str, regenerate: str, field: str
) -> None:
    token = (await sign_up(client))["accessToken"]
    await set_plan("starter")
    master = await _ready(client, token, "Ada Lovelace")
    body = await gql(
        client, TAILOR, {"input": {"jobDescription": JOB, "wait": True}}, token=token
    )
    tailored = body["data"]["tailorResume"]["resume"]["id"]  # written for Initech
    umbrella = JOB.replace("Initech", "Umbrella")
    body = await gql(
        client,
        GENERATE % (generate, field),
        {"input": {"resumeId": tailored, "jobDescription": umbrella}},
        token=token,
    )
    letter = body["data"][generate][field]
    assert letter["company"] == "Umbrella"

    body = await gql(
        client,
        REGENERATE % (regenerate, field),
        {"input": {"id": letter["id"]}},
        token=token,
    )
    again = body["data"][regenerate]
    assert again["userErrors"] == []
    assert again[field]["id"] == letter["id"]
    assert again[field]["company"] == "Initech"  # the resume's job, not the letter's
    assert again[field]["jobDescription"] == JOB

    # a resume without a job description: NO_JOB_DESCRIPTION, the letter unchanged
    body = await gql(
        client,
        GENERATE % (generate, field),
        {"input": {"resumeId": master, "jobDescription": umbrella}},
        token=token,
    )
    on_master = body["data"][generate][field]
    body = await gql(
        client,
        REGENERATE % (regenerate, field),
        {"input": {"id": on_master["id"]}},
        token=token,
    )
    assert body["data"][regenerate] == {
        # refused: the letter as it stands, so a client keeps showing it
        field: {
            "id": on_master["id"],
            "company": "Umbrella",
            "jobDescription": umbrella,
        },
        "userErrors": [
            {
                "field": ["input", "jobDescription"],
                "message": "Pass jobDescription: this resume has no job description "
                "of its own",
                "code": "NO_JOB_DESCRIPTION",
            }
        ],
    }
    row = await Letter.get(id=db_id(on_master["id"]))
    assert (row.company, row.job_description) == ("Umbrella", umbrella)


# -- backpressure: SERVICE_BUSY --------------------------------------------------------


async def test_a_full_queue_refuses_uploads_and_tailoring_without_charging(
    aiohttp_client: Any, settings: Settings
) -> None:
    app = server.create_app(
        replace(settings, queue_max_pending=2, queue_retry_after=45)
    )
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    token = (await sign_up(client))["accessToken"]
    await set_plan("starter")
    await _ready(client, token, "Ada Lovelace")
    org = await Organization.get()
    # given: two jobs wait for a worker (rows as uploads leave them, not started)
    waiting = [
        await Resume.create(
            organization_id=org.id, title=f"w{i}", kind="pdf", sha256=f"{i}" * 64
        )
        for i in range(2)
    ]
    credits = await _credits(client, token)
    count = await Resume.all().count()
    busy = {
        "message": "The job queue is full (2 jobs waiting); try again in 45 s",
        "code": "SERVICE_BUSY",
        "retryAfter": 45,
    }

    body = await upload(client, token, document("Grace"), query=UPLOAD)
    assert body["data"]["uploadResume"] == {
        "resume": None,
        "userErrors": [{"field": None, **busy}],
    }
    body = await gql(client, TAILOR, {"input": {"jobDescription": JOB}}, token=token)
    assert body["data"]["tailorResume"] == {
        "resume": None,
        "userErrors": [{"field": None, **busy}],
    }
    assert await _credits(client, token) == credits
    assert await Resume.all().count() == count
    assert await TailorUsage.filter(organization_id=org.id).count() == 0

    # one job got a worker: there is room again
    await Resume.filter(id=waiting[0].id).update(stage="extracting", progress=10)
    body = await upload(client, token, document("Grace"), query=UPLOAD)
    assert body["data"]["uploadResume"]["userErrors"] == []
    assert await _credits(client, token) == credits - 1


# -- tailorResume(wait: true) ----------------------------------------------------------


async def test_tailor_with_wait_answers_with_the_finished_resume(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    await set_plan("starter")
    await _ready(client, token, "Ada Lovelace")
    body = await gql(
        client, TAILOR, {"input": {"jobDescription": JOB, "wait": True}}, token=token
    )
    payload = body["data"]["tailorResume"]
    assert payload["userErrors"] == []
    resume = payload["resume"]
    assert (resume["status"], resume["stage"], resume["errorCode"]) == (
        "READY",
        "DONE",
        None,
    )
    assert resume["refinementStats"] == {"passesCompleted": 3}
    # without wait nothing changes: the answer comes at once, PROCESSING
    body = await gql(client, TAILOR, {"input": {"jobDescription": JOB}}, token=token)
    resume = body["data"]["tailorResume"]["resume"]
    assert (resume["status"], resume["refinementStats"]) == ("PROCESSING", None)
    assert (await wait_for(client, token, resume["id"], timeout=60))["status"] == (
        "READY"
    )


async def _with_model(
    aiohttp_client: Any, settings: Settings, fake: web.Application, **values: Any
) -> tuple[TestClient, TestServer]:
    fake_server = TestServer(fake)
    await fake_server.start_server()
    app = server.create_app(
        replace(
            settings,
            llm_provider="openai",
            openai_base_url=str(fake_server.make_url("/v1")),
            openai_api_key="sk-test",
            llm_model="test-model",
            **values,
        )
    )
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    return client, fake_server


async def test_tailor_with_wait_answers_timeout_after_tailor_timeout(
    aiohttp_client: Any, settings: Settings
) -> None:
    client, fake_server = await _with_model(
        aiohttp_client,
        settings,
        fake_openai("slow", delay=3.0),
        tailor_timeout=1.0,
        llm_timeout=10.0,
    )
    try:
        token = (await sign_up(client))["accessToken"]
        await set_plan("starter")
        await _ready(client, token, "Ada Lovelace")
        body = await gql(
            client,
            TAILOR,
            {"input": {"jobDescription": JOB, "wait": True}},
            token=token,
        )
        payload = body["data"]["tailorResume"]
        assert payload["userErrors"] == [
            {
                "field": ["input", "wait"],
                "message": "The run did not end within 1 s; it goes on: follow it "
                "with tailoringEvents",
                "code": "TIMEOUT",
                "retryAfter": None,
            }
        ]
        assert payload["resume"]["status"] == "PROCESSING"
        done = await wait_for(client, token, payload["resume"]["id"], timeout=30)
        assert (done["status"], done["errorCode"]) == ("FAILED", "TIMEOUT")
    finally:
        await fake_server.close()


async def test_tailor_with_wait_reports_a_failed_run(
    aiohttp_client: Any, settings: Settings
) -> None:
    client, fake_server = await _with_model(
        aiohttp_client, settings, fake_openai("garbage")
    )
    try:
        token = (await sign_up(client))["accessToken"]
        await set_plan("starter")
        await _ready(client, token, "Ada Lovelace")
        body = await gql(
            client,
            TAILOR,
            {"input": {"jobDescription": JOB, "wait": True}},
            token=token,
        )
        payload = body["data"]["tailorResume"]
        assert payload["resume"]["status"] == "FAILED"
        assert payload["resume"]["errorCode"] == "LLM_UNAVAILABLE"
        [error] = payload["userErrors"]
        assert (error["field"], error["code"]) == (None, "LLM_UNAVAILABLE")
    finally:
        await fake_server.close()


# -- parallel generation: one run at a time below Pro, 4 on Pro ------------------------


def _counting(fake: web.Application) -> dict[str, int]:
    """Count the tailoring (chat) requests in flight at once at the fake server;
    the profile index's embedding requests run beside them and are not counted."""
    seen = {"now": 0, "most": 0}

    @web.middleware
    async def count(request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.endswith("/chat/completions"):
            return await handler(request)
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        try:
            return await handler(request)
        finally:
            seen["now"] -= 1

    fake.middlewares.append(count)
    return seen


async def _stages(client: TestClient, token: str, resume_id: str) -> list[str]:
    ws = await connect(client, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription S($id: ID!) { tailoringEvents(resumeId: $id) "
                "{ status stage } }",
                "variables": {"id": resume_id},
            },
        }
    )
    stages: list[str] = []
    while True:
        message = await receive(ws, timeout=60)
        if message["type"] == "complete":
            break
        event = message["payload"]["data"]["tailoringEvents"]
        stages.append(event["stage"])
        if event["status"] != "PROCESSING":
            assert event["status"] == "READY", event
    await ws.close()
    return stages


@pytest.mark.parametrize(
    ("plan", "runs", "at_once"), [("starter", 2, 1), ("pro", 3, 3)]
)
async def test_parallel_generation_is_a_pro_feature(
    aiohttp_client: Any, settings: Settings, plan: str, runs: int, at_once: int
) -> None:
    fake = fake_openai("slow", delay=0.8)
    seen = _counting(fake)
    client, fake_server = await _with_model(aiohttp_client, settings, fake)
    try:
        token = (await sign_up(client))["accessToken"]
        await set_plan(plan)
        await _ready(client, token, "Ada Lovelace")
        ids = []
        for _ in range(runs):
            body = await gql(
                client, TAILOR, {"input": {"jobDescription": JOB}}, token=token
            )
            assert body["data"]["tailorResume"]["userErrors"] == []
            ids.append(body["data"]["tailorResume"]["resume"]["id"])
        last = await _stages(client, token, ids[-1])
        for resume_id in ids:
            done = await wait_for(client, token, resume_id, timeout=60)
            assert done["status"] == "READY", done
        assert seen["most"] == at_once
        if at_once == 1:  # the second run waited its turn, visibly
            assert last[0] in ("RECEIVED", "QUEUED"), last
            assert last[last.index("QUEUED") + 1 :] == STAGES[1:], last
        else:
            assert "QUEUED" not in last
    finally:
        await fake_server.close()


async def test_a_queued_run_starts_when_the_running_one_fails(
    aiohttp_client: Any, settings: Settings
) -> None:
    """The slot is given back whatever the end: a run that fails (TIMEOUT)
    wakes the next, which starts only then."""
    client, fake_server = await _with_model(
        aiohttp_client,
        settings,
        fake_openai("slow", delay=3.0),
        tailor_timeout=1.0,
        llm_timeout=10.0,
    )
    try:
        token = (await sign_up(client))["accessToken"]
        await set_plan("starter")
        await _ready(client, token, "Ada Lovelace")
        ids = []
        for _ in range(2):
            body = await gql(
                client, TAILOR, {"input": {"jobDescription": JOB}}, token=token
            )
            ids.append(body["data"]["tailorResume"]["resume"]["id"])
        ws = await connect(client, {"Authorization": f"Bearer {token}"})
        assert await receive(ws) == {"type": "connection_ack"}
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {
                    "query": "subscription S($id: ID!) { tailoringEvents(resumeId: "
                    "$id) { stage errorCode } }",
                    "variables": {"id": ids[1]},
                },
            }
        )
        stages = []
        first_when_second_started = None
        while True:
            message = await receive(ws, timeout=30)
            if message["type"] == "complete":
                break
            event = message["payload"]["data"]["tailoringEvents"]
            stages.append(event["stage"])
            if event["stage"] == "KEYWORDS":
                first = await Resume.get(id=db_id(ids[0]))
                first_when_second_started = (first.status, first.error_code)
        await ws.close()
        assert "QUEUED" in stages, stages
        assert stages[stages.index("QUEUED") + 1 :][:1] == ["KEYWORDS"], stages
        assert stages[-1] == "FAILED"
        assert first_when_second_started == ("FAILED", "TIMEOUT")
        for resume_id in ids:
            done = await wait_for(client, token, resume_id, timeout=30)
            assert (done["status"], done["errorCode"]) == ("FAILED", "TIMEOUT")
    finally:
        await fake_server.close()


async def _until_queued(resume_id: str) -> None:
    for _ in range(200):
        if (await Resume.get(id=db_id(resume_id))).stage == "queued":
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the run was never queued")


async def test_deleting_a_running_tailoring_frees_its_slot(
    aiohttp_client: Any, settings: Settings
) -> None:
    client, fake_server = await _with_model(
        aiohttp_client, settings, fake_openai("slow", delay=1.0)
    )
    try:
        token = (await sign_up(client))["accessToken"]
        await set_plan("starter")
        await _ready(client, token, "Ada Lovelace")
        ids = []
        for _ in range(2):
            body = await gql(
                client, TAILOR, {"input": {"jobDescription": JOB}}, token=token
            )
            ids.append(body["data"]["tailorResume"]["resume"]["id"])
        await _until_queued(ids[1])
        await gql(client, DELETE, {"id": ids[0]}, token=token)
        done = await wait_for(client, token, ids[1], timeout=30)
        assert done["status"] == "READY", done
    finally:
        await fake_server.close()


async def test_a_master_whose_parse_fails_hands_the_role_back(
    client: TestClient,
) -> None:
    from tests.helpers import text_pdf

    token = (await sign_up(client))["accessToken"]
    ready = await _ready(client, token, "Ada Lovelace")
    body = await upload(
        client,
        token,
        text_pdf(["Ada Lovelace", "Engineer"])[:200],  # truncated: CORRUPT_FILE
        variables={"setAsMaster": True},
        query=UPLOAD,
    )
    broken = body["data"]["uploadResume"]["resume"]
    assert broken["isMaster"] is True  # asked for, while it is parsed
    done = await wait_for(client, token, broken["id"])
    assert (done["status"], done["errorCode"]) == ("FAILED", "CORRUPT_FILE")
    assert await _master_id() == db_id(ready)


@pytest.mark.parametrize(("plan", "started"), [("starter", 1), ("pro", 4)])
async def test_concurrent_runs_claim_no_more_slots_than_the_plan_has(
    client: TestClient, settings: Settings, plan: str, started: int
) -> None:
    """Six runs of one organization start at the same moment (six jobs, each on
    its own database connection): the plan's slots are taken once each, the
    rest wait in `queued`, and every run ends READY as slots free up."""
    from services.accounts import Actor
    from services.tailoring import pipeline

    token = (await sign_up(client))["accessToken"]
    await set_plan(plan)
    await _ready(client, token, "Ada Lovelace")
    org = await Organization.get()
    actor = Actor(kind="session", user_id=1, organization_id=org.id, role="owner")
    rows = [
        await pipeline.request_tailoring(
            actor=actor,
            settings=settings,
            resume_id=None,
            job_description=JOB,
            strategy="NUDGE",
            output_language=None,
            generate_pdf=False,
        )
        for _ in range(6)
    ]
    deps = client.app[server.RUNTIME_KEY].jobs.tailor_deps  # wakes queued runs
    ends = await asyncio.gather(
        *(pipeline.tailor(resume_id=row.id, deps=deps) for row in rows)
    )
    assert sorted(ends) == sorted(["READY"] * started + ["QUEUED"] * (6 - started))
    for row in rows:
        done = await wait_for(client, token, gid(row.id), timeout=60)
        assert done["status"] == "READY", done


async def test_concurrent_master_changes_leave_exactly_one(client: TestClient) -> None:
    """setMasterResume on five resumes at once, and the first uploads of an
    organization at once: one master each time (the organization's lock)."""
    token = (await sign_up(client))["accessToken"]
    rows = await _given_resumes(5)
    await asyncio.gather(
        *(
            gql(
                client,
                "mutation M($id: ID!) { setMasterResume(input: {id: $id}) "
                "{ userErrors { code } } }",
                {"id": gid(row.id)},
                token=token,
            )
            for row in rows
        )
    )
    assert await Resume.filter(is_master=True).count() == 1

    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    await asyncio.gather(
        *(upload(client, bob, document(f"Bob {i}"), query=UPLOAD) for i in range(4))
    )
    from models.accounts import User

    bobs = (await User.get(email="bob@example.com")).default_organization_id
    assert await Resume.filter(organization_id=bobs).count() == 4
    assert await Resume.filter(organization_id=bobs, is_master=True).count() == 1
