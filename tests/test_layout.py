"""The production layout, started with plain processes (deploy/layout.py): nginx
on loopback in front of 2 `serve` processes, 2 workers, an own PostgreSQL database
and an own Redis server. Uploads go through nginx; then a worker is SIGKILLed
under load, a server is SIGKILLed under load, and Redis restarts: no job is lost,
none is left PROCESSING, none ran twice at once, no credit is charged twice, and
every subscription either finishes or closes with a code the client acts on."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import pytest

from deploy.layout import Layout
from tests.helpers import BACKEND, PASSWORD, POSTGRES_URL, SIGN_UP, UPLOAD, text_pdf

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="needs PostgreSQL and Redis"
)

SIGN_UP_INPUT = {"email": "ops@example.com", "password": PASSWORD, "name": "Ops"}
EVENTS = "subscription S($id: ID!) { resumeEvents(resumeId: $id) { status stage } }"
# what a client does with a close code: 1000 done, 1001/1006/1011/1012 reconnect
ACTIONABLE = {1000, 1001, 1006, 1011, 1012, 4401, 4403}
DEADLINE = 120  # seconds for everything to settle after the last fault


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """An own PostgreSQL database, dropped afterwards."""
    name = f"careergraph_layout_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def layout(database: str) -> Any:
    with Layout(
        database_url=database,
        servers=2,
        workers=2,
        queue_name=f"layout-{uuid.uuid4().hex[:8]}",
        env={
            "SECRET_KEY": "layout-test-secret-key-of-enough-length-0123456789",
            "JOB_IDLE_TIMEOUT_MS": "2000",
            "STUCK_AFTER": "30",
            "PARSE_FAULT_DELAY": "0.5",  # jobs are in flight when a process dies
            "SHUTDOWN_GRACE": "5",
            "TRUSTED_PROXIES": "127.0.0.1",  # nginx on loopback
            "ANONYMOUS_RATE_LIMIT": "100000",
            "SESSION_RATE_LIMIT": "100000",
        },
    ) as running:
        yield running


async def _upload(
    session: aiohttp.ClientSession, url: str, token: str, n: int
) -> str | None:
    """One upload; its resume id, or None when the request failed in transit."""
    form = aiohttp.FormData()
    form.add_field(
        "operations",
        json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}}),
    )
    form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
    pdf = text_pdf([f"Pat Layout {n}", f"pat{n}@example.com", "Python, Redis"])
    form.add_field("0", pdf, filename=f"cv{n}.pdf")
    try:
        response = await session.post(
            f"{url}/graphql",
            data=form,
            headers={
                "Authorization": f"Bearer {token}",
                "GraphQL-Require-Preflight": "1",
            },
        )
        body = await response.json(content_type=None)
    except (aiohttp.ClientError, json.JSONDecodeError):
        return None
    assert body.get("data"), body
    payload = body["data"]["uploadResume"]
    assert payload["userErrors"] == [], payload
    resume_id: str = payload["resume"]["id"]
    return resume_id


async def _follow(
    session: aiohttp.ClientSession, url: str, token: str, resume_id: str
) -> str:
    """Subscribe to a resume's events; `finished` when it reached a terminal
    state, else `closed <code>`."""
    ws = await session.ws_connect(f"{url}/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {"authorization": token}})
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": EVENTS, "variables": {"id": resume_id}},
        }
    )
    last = None
    while True:
        message = await ws.receive(timeout=DEADLINE)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return f"closed {ws.close_code}"
        if message.type == aiohttp.WSMsgType.ERROR:
            return "closed 1006"
        data = json.loads(message.data)
        if data["type"] == "next":
            assert data["payload"].get("data"), data
            last = data["payload"]["data"]["resumeEvents"]
        elif data["type"] in ("complete", "error"):
            await ws.close()
            if data["type"] == "complete" and last and last["status"] == "READY":
                return "finished"
            return f"ended {data['type']} {last}"


async def _settled(database: str) -> list[tuple[str, int]]:
    conn = await asyncpg.connect(database)
    try:
        for _ in range(DEADLINE * 5):
            rows = await conn.fetch("SELECT status, attempts FROM resumes ORDER BY id")
            if all(row["status"] != "PROCESSING" for row in rows):
                return [(row["status"], row["attempts"]) for row in rows]
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    raise AssertionError(f"resumes still PROCESSING: {rows}")


async def test_layout_survives_killed_workers_servers_and_a_redis_restart(
    layout: Layout, database: str
) -> None:
    server = [f"http://127.0.0.1:{port}" for port in layout.server_ports]
    async with aiohttp.ClientSession() as session:
        body = await (
            await session.post(
                f"{layout.url}/graphql",
                json={"query": SIGN_UP, "variables": {"input": SIGN_UP_INPUT}},
            )
        ).json()
        token = body["data"]["signUp"]["accessToken"]

        # a subscription on server 1 sees the job a worker runs
        first = await _upload(session, layout.url, token, 0)
        assert first is not None
        assert await _follow(session, server[1], token, first) == "finished"

        # a worker dies under load (the other one stopped first, gracefully, so
        # the jobs are surely in flight on the one killed)
        assert layout.stop_process("worker1") == 0
        ids = await asyncio.gather(
            *(_upload(session, layout.url, token, n) for n in range(1, 6))
        )
        assert None not in ids
        followers = [
            asyncio.create_task(_follow(session, layout.url, token, str(i)))
            for i in ids
        ]
        await asyncio.sleep(0.3)  # parses are in flight (0.5 s each)
        layout.kill("worker0")
        layout.start_worker(1)

        # a server dies under load: in-flight uploads may fail, none is lost
        uploads = [
            asyncio.create_task(_upload(session, layout.url, token, n))
            for n in range(6, 11)
        ]
        await asyncio.sleep(0.05)
        layout.kill("server0")
        more = await asyncio.gather(*uploads)
        followers += [
            asyncio.create_task(_follow(session, server[1], token, str(i)))
            for i in more
            if i is not None
        ]

        # Redis restarts while jobs wait
        late = await asyncio.gather(
            *(_upload(session, layout.url, token, n) for n in range(11, 14))
        )
        layout.restart_redis()
        after = await _upload(session, layout.url, token, 14)
        assert after is not None  # through nginx, to the live server, after Redis

        outcomes = await asyncio.gather(*followers)
        rows = await _settled(database)
        metrics = await (await session.get(f"{layout.url}/metrics")).text()

    accepted = [first, *ids, *(i for i in [*more, *late, after] if i is not None)]
    # every accepted upload exists, and nothing is left PROCESSING or FAILED
    assert len(rows) >= len(accepted)
    assert {status for status, _ in rows} == {"READY"}
    # a resume runs again only after a lost delivery: at most one more attempt;
    # the jobs the killed worker held were claimed by the live one
    assert {attempts for _, attempts in rows[1:6]} <= {1, 2}
    assert 2 in {attempts for _, attempts in rows[1:6]}
    assert max(attempts for _, attempts in rows) <= 2
    redelivered = re.search(
        r'careergraph_job_redeliveries_total\{task="resumes.parse"\} (\d+)', metrics
    )
    assert redelivered is not None
    assert int(redelivered.group(1)) == sum(a == 2 for _, a in rows)
    print("subscriptions:", sorted(outcomes))
    for outcome in outcomes:
        assert outcome == "finished" or (
            outcome.startswith("closed ") and int(outcome.split()[1]) in ACTIONABLE
        ), outcome
    conn = await asyncpg.connect(database)
    try:
        ledger = dict(
            await conn.fetch(
                "SELECT reason, count(*) FROM credit_entries GROUP BY reason"
            )
        )
        balance = await conn.fetchval("SELECT sum(delta) FROM credit_entries")
    finally:
        await conn.close()
    # one charge per resume, none refunded, none twice
    assert ledger == {"signup_grant": 1, "resume_upload": len(rows)}
    assert balance == 20 - len(rows)
    # no job failed on the way (a publish during the Redis restart included)
    assert "Exception found while executing" not in layout.log("worker1")
