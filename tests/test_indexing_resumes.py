"""The master resume in the index: its parse (and choosing another master)
re-indexes the profile; its chunks are the owner's, never a visitor's. And the
index job across real processes: a worker indexes, a server streams it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from models.indexing import ProfileChunk, ProfileIndex
from settings import Settings
from tests.helpers import RESUME_LINES, gql, sign_up, text_pdf, upload, wait_until
from tests.indexing_helpers import CHUNKS, PROFILE, fill_profile, status, wait_ready
from tests.support.chat import ask, chat_server
from tests.support.processes import free_port as _free_port
from tests.support.processes import needs_redis
from tests.support.processes import start as _start
from tests.support.processes import wait_port as _wait_port

MASTER = """
mutation M($id: ID!) { setMasterResume(input: {id: $id}) { userErrors { code } } }
"""


async def _runs_after(runs: int) -> bool:
    return (await ProfileIndex.get()).attempts > runs


@pytest.fixture
async def chat_client(aiohttp_client: Any, settings: Settings) -> TestClient:
    return await chat_server(aiohttp_client, settings)


async def _parsed(
    client: TestClient, token: str, lines: list[str], master: bool
) -> str:
    body = await upload(
        client, token, text_pdf(lines), variables={"setAsMaster": master}
    )
    resume_id: str = body["data"]["uploadResume"]["resume"]["id"]
    deadline = time.monotonic() + 30
    while True:
        read = await gql(
            client,
            "query R($id: ID!) { resume(id: $id) { status } }",
            {"id": resume_id},
            token=token,
        )
        if read["data"]["resume"]["status"] == "READY":
            return resume_id
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


async def test_the_master_resume_is_indexed_for_the_owner_only(
    chat_client: TestClient,
) -> None:
    token = (await sign_up(chat_client))["accessToken"]
    await fill_profile(chat_client, token)
    await wait_ready(chat_client, token)
    await _parsed(chat_client, token, RESUME_LINES, master=True)
    # the parse's end marked the profile: a run indexes the resume
    await wait_until(lambda: ProfileChunk.filter(section="resume").exists())
    current = await wait_ready(chat_client, token)
    resume_chunks = await ProfileChunk.filter(section="resume")
    assert resume_chunks, "the master resume was not indexed"
    assert current["totalChunks"] == CHUNKS + len(resume_chunks)
    assert {c.visibility for c in resume_chunks} == {"owner"}
    assert any("Globex" in c.text for c in resume_chunks)
    # Globex is only in the (private) master resume: a visitor never gets it
    answer = await ask(chat_client, "Did she work at Globex?")
    assert "Globex" not in json.dumps(answer)
    assert "RESUME" not in [c["section"] for c in answer["citations"]]

    # another resume becomes the master: indexed again, with its content
    other = await _parsed(
        chat_client, token, ["Ada Lovelace", "Skills", "Fortran, COBOL"], master=False
    )
    runs = (await ProfileIndex.get()).attempts
    body = await gql(chat_client, MASTER, {"id": other}, token=token)
    assert body["data"]["setMasterResume"]["userErrors"] == []
    await wait_until(lambda: _runs_after(runs))
    await wait_ready(chat_client, token)
    assert (await ProfileIndex.get()).attempts == runs + 1
    texts = " ".join(c.text for c in await ProfileChunk.filter(section="resume"))
    assert "COBOL" in texts
    assert "Globex" not in texts


@needs_redis
async def test_a_worker_indexes_and_a_server_streams_it(
    client: TestClient, settings: Settings
) -> None:
    """`serve` (no jobs) takes the edits and the subscription; `worker` runs the
    debounced index job; the events reach the subscriber through Redis."""
    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {"QUEUE_NAME": queue, "INDEX_DEBOUNCE": "0.5"}
    serve = _start(settings, "serve", PORT=str(port), JOBS_IN_SERVER="0", **env)
    worker = _start(settings, "worker", **env)
    try:
        _wait_port(port)
        url = f"http://127.0.0.1:{port}"
        token = (await sign_up(client))["accessToken"]
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(
                f"{url}/graphql", protocols=["graphql-transport-ws"]
            )
            await ws.send_json(
                {"type": "connection_init", "payload": {"authorization": token}}
            )
            assert json.loads((await ws.receive(timeout=10)).data)["type"] == (
                "connection_ack"
            )
            await ws.send_json(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {
                        "query": "subscription { indexingEvents { state stage "
                        "indexedChunks totalChunks } }"
                    },
                }
            )
            first = json.loads((await ws.receive(timeout=10)).data)
            assert first["payload"]["data"]["indexingEvents"]["state"] == "IDLE"
            response = await session.post(
                f"{url}/graphql",
                json={
                    "query": "mutation U($input: UpdateProfileInput!) { "
                    "updateProfile(input: $input) { userErrors { code } } }",
                    "variables": {"input": PROFILE},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            assert (await response.json())["data"]["updateProfile"] == {
                "userErrors": []
            }
            seen: list[dict[str, Any]] = []
            while True:
                message = json.loads((await ws.receive(timeout=60)).data)
                if message["type"] == "complete":
                    break
                seen.append(message["payload"]["data"]["indexingEvents"])
            await ws.close()
        # about, bio and email: the profile fields only
        assert [e["stage"] for e in seen] == [
            "QUEUED",
            "CHUNKING",
            "EMBEDDING",
            "EMBEDDING",
            "SAVING",
            "DONE",
        ]
        assert seen[-1] == {
            "state": "READY",
            "stage": "DONE",
            "indexedChunks": 3,
            "totalChunks": 3,
        }
        assert (await status(client, token))["state"] == "READY"
    finally:
        for proc in (serve, worker):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            finally:
                proc.kill()
