"""Profile indexing end to end: edits are indexed automatically (debounced into
one run) and the run streams over a real WebSocket; status, reindexProfile, the
reset, and a model change re-indexing with the organization's embeddings."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import server
from models.indexing import ProfileChunk, ProfileIndex
from services import indexing
from settings import Settings
from tests.fake_models import CALLS, EMBED_DIM, fake_models
from tests.helpers import connect, gql, receive, sign_up
from tests.indexing_helpers import CHUNKS, fill_profile, status, wait_ready
from tests.support.chat import use_model

EVENTS = """
subscription { indexingEvents {
  state stage progress indexedChunks totalChunks engine model errorCode
} }
"""
REINDEX = """
mutation { reindexProfile { indexingStatus { state } userErrors { code } } }
"""
RESET = "mutation { resetResumeContent { deleted { skills } } }"


@pytest.fixture
async def fast(aiohttp_client: Any, settings: Settings) -> TestClient:
    """The server with a short debounce (1 s of quiet before a run: long enough
    that a loaded CI machine does not split a burst of test edits in two)."""
    from tests.helpers import reset_state

    app = server.create_app(replace(settings, index_debounce=1.0))
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    return client


def _event(state: str, stage: str, progress: int, done: int, total: int) -> Any:
    offline = state not in ("IDLE", "QUEUED") and stage != "chunking"
    return {
        "state": state,
        "stage": stage.upper() or "IDLE",
        "progress": progress,
        "indexedChunks": done,
        "totalChunks": total,
        "engine": "OFFLINE" if offline else None,
        "model": indexing.embeddings.OFFLINE_MODEL if offline else None,
        "errorCode": None,
    }


async def test_a_burst_of_edits_is_one_run_streamed_to_ready(fast: TestClient) -> None:
    token = (await sign_up(fast))["accessToken"]
    ws = await connect(fast, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}})
    first = await receive(ws)
    assert first["payload"]["data"]["indexingEvents"] == _event("IDLE", "", 0, 0, 0)

    await fill_profile(fast, token)  # eight mutations in a row

    seen = []
    while True:
        message = await receive(ws, timeout=20)
        if message["type"] == "complete":
            break
        seen.append(message["payload"]["data"]["indexingEvents"])
    assert seen == [
        _event("QUEUED", "queued", 0, 0, 0),
        _event("INDEXING", "chunking", 5, 0, 0),
        _event("INDEXING", "embedding", 10, 0, CHUNKS),
        _event("INDEXING", "embedding", 90, CHUNKS, CHUNKS),
        _event("INDEXING", "saving", 95, CHUNKS, CHUNKS),
        _event("READY", "done", 100, CHUNKS, CHUNKS),
    ]
    await ws.close()
    row = await ProfileIndex.get()
    assert row.attempts == 1  # eight edits, one run
    current = await status(fast, token)
    assert current["lastIndexedAt"] is not None
    assert {k: v for k, v in current.items() if k != "lastIndexedAt"} == {
        "state": "READY",
        "indexedChunks": CHUNKS,
        "totalChunks": CHUNKS,
        "completeness": 1.0,
        "engine": "OFFLINE",
        "model": "wordllama-l2_supercat-256",
        "errorCode": None,
    }
    chunks = await ProfileChunk.all().order_by("position")
    assert [c.section for c in chunks] == [
        "about",
        "about",
        "contact",
        "skills",
        "skills",
        "experience",
        "education",
        "projects",
        "certifications",
    ]
    assert chunks[3].text == "Skills (Languages): Python, Go."
    assert chunks[6].text == "BSc in Mathematics at University of Leeds (2012 to 2015)."
    assert {c.dim for c in chunks} == {256}
    assert {(c.engine, c.model) for c in chunks} == {
        ("offline", "wordllama-l2_supercat-256")
    }


async def test_a_late_subscriber_gets_the_current_state_and_ends(
    fast: TestClient,
) -> None:
    token = (await sign_up(fast))["accessToken"]
    await fill_profile(fast, token)
    await wait_ready(fast, token)
    ws = await connect(fast, {"Authorization": f"Bearer {token}"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}})
    message = await receive(ws)
    assert message["payload"]["data"]["indexingEvents"]["state"] == "READY"
    assert (await receive(ws)) == {"id": "1", "type": "complete"}
    await ws.close()


async def test_reindex_on_demand_and_an_edit_after_ready(fast: TestClient) -> None:
    token = (await sign_up(fast))["accessToken"]
    await fill_profile(fast, token)
    await wait_ready(fast, token)
    # one run for the burst of edits, or two when a slow machine spaced them past
    # the debounce: count from here
    before = (await ProfileIndex.get()).attempts
    body = await gql(fast, REINDEX, token=token)
    assert body["data"]["reindexProfile"] == {
        "indexingStatus": {"state": "QUEUED"},
        "userErrors": [],
    }
    assert (await wait_ready(fast, token))["totalChunks"] == CHUNKS
    assert (await ProfileIndex.get()).attempts == before + 1
    # a presentation change (theme) is not indexed; a new entry is
    await gql(
        fast,
        "mutation { updateTheme(input: {themeId: CLASSIC}) { userErrors { code } } }",
        token=token,
    )
    await asyncio.sleep(1.6)  # past the debounce: a run would have claimed
    assert (await ProfileIndex.get()).attempts == before + 1
    await gql(
        fast,
        'mutation { createSkill(input: {name: "Rust", category: "Hobby"}) '
        "{ userErrors { code } } }",
        token=token,
    )
    assert (await status(fast, token))["state"] == "QUEUED"
    assert (await wait_ready(fast, token))["totalChunks"] == CHUNKS + 1
    assert (await ProfileIndex.get()).attempts == before + 2


async def test_reset_clears_chunks_and_embeddings(fast: TestClient) -> None:
    token = (await sign_up(fast))["accessToken"]
    await fill_profile(fast, token)
    await wait_ready(fast, token)
    body = await gql(fast, RESET, token=token)
    assert body["data"]["resetResumeContent"]["deleted"] == {"skills": 3}
    assert await ProfileChunk.all().count() == 0  # at once, before any re-index
    current = await wait_ready(fast, token)  # what is left: the profile fields
    assert (current["state"], current["totalChunks"]) == ("READY", 3)
    sections = await ProfileChunk.all().values_list("section", flat=True)
    assert sorted(sections) == ["about", "about", "contact"]


@pytest.fixture
async def model_server(request: pytest.FixtureRequest) -> Any:
    fake = TestServer(fake_models(request.param))
    await fake.start_server()
    yield fake
    await fake.close()


@pytest.fixture
async def private(aiohttp_client: Any, settings: Settings) -> TestClient:
    """`fast`, and organizations may use models on loopback (the fakes)."""
    from tests.helpers import reset_state

    app = server.create_app(
        replace(settings, index_debounce=0.3, allow_private_llm_hosts=True)
    )
    client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    return client


@pytest.mark.parametrize("model_server", ["good"], indirect=True)
async def test_the_organizations_embedding_model_reindexes(
    private: TestClient, model_server: TestServer
) -> None:
    token = (await sign_up(private))["accessToken"]
    await fill_profile(private, token)
    assert (await wait_ready(private, token))["engine"] == "OFFLINE"
    await use_model(private, token, model_server)
    assert (await status(private, token))["state"] == "QUEUED"
    current = await wait_ready(private, token)
    assert (current["state"], current["engine"], current["model"]) == (
        "READY",
        "OPENAI",
        "text-embedding-3-small",
    )
    chunks = await ProfileChunk.all()
    assert len(chunks) == CHUNKS
    assert {(c.dim, c.engine) for c in chunks} == {(EMBED_DIM, "openai")}
    embedded = [c for c in model_server.app[CALLS] if c["path"] == "embeddings"]
    assert sum(len(c["input"]) for c in embedded) == CHUNKS


@pytest.mark.parametrize("model_server", ["down"], indirect=True)
async def test_a_model_that_is_down_fails_the_run_and_keeps_the_old_index(
    private: TestClient, model_server: TestServer
) -> None:
    token = (await sign_up(private))["accessToken"]
    await fill_profile(private, token)
    await wait_ready(private, token)
    await use_model(private, token, model_server)
    current = await wait_ready(private, token)
    assert (current["state"], current["errorCode"]) == (
        "FAILED",
        "EMBEDDING_UNAVAILABLE",
    )
    assert await ProfileChunk.all().count() == CHUNKS  # the old index still serves
    assert {c.engine for c in await ProfileChunk.all()} == {"offline"}


async def test_a_run_lost_with_its_process_is_queued_again(fast: TestClient) -> None:
    """A profile left INDEXING (its process died mid-run) is claimed again by the
    sweeper once it is older than STUCK_AFTER, and ends READY."""
    from datetime import UTC, datetime, timedelta

    token = (await sign_up(fast))["accessToken"]
    await fill_profile(fast, token)
    await wait_ready(fast, token)
    row = await ProfileIndex.get()
    await ProfileIndex.filter(id=row.id).update(
        state="INDEXING",
        stage="embedding",
        progress=10,
        updated_at=datetime.now(UTC) - timedelta(minutes=20),
    )
    runtime = fast.app[server.RUNTIME_KEY]
    assert await server.requeue_stuck(runtime, timedelta(minutes=10)) == 0  # no resumes
    current = await wait_ready(fast, token)
    assert (current["state"], current["totalChunks"]) == ("READY", CHUNKS)
    assert (await ProfileIndex.get()).attempts == row.attempts + 1
    # a fresh run is not taken from its owner
    await ProfileIndex.filter(id=row.id).update(state="INDEXING")
    await server.requeue_stuck(runtime, timedelta(minutes=10))
    await asyncio.sleep(0.3)
    assert (await ProfileIndex.get()).attempts == row.attempts + 1
