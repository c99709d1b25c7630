"""Past one machine: a dead worker's jobs are claimed again on a timer (no new
traffic needed), one lost delivery costs one attempt whoever requeues it, the
queue's figures reach /metrics and /health, and a server on SIGTERM closes its
sockets with 1001."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from models.accounts import Organization
from models.resumes import Resume
from settings import Settings
from tests.helpers import BACKEND, sign_up, text_pdf
from tests.support.processes import free_port as _free_port
from tests.support.processes import multipart_upload as _multipart_upload
from tests.support.processes import start as _start
from tests.support.processes import wait_port as _wait_port

needs_redis = pytest.mark.skipif(
    BACKEND != "postgres", reason="needs PostgreSQL and Redis"
)


def _figure(metrics: str, name: str) -> float:
    """One sample of the Prometheus text `metrics` (0 when absent)."""
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def _stop(*procs: subprocess.Popen[bytes] | None) -> None:
    for proc in procs:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            finally:
                proc.kill()


async def _kill_mid_parse(
    client: TestClient, settings: Settings, queue: str, uploads: int
) -> tuple[str, subprocess.Popen[bytes]]:
    """Given a server (running no jobs) and a worker that hangs in every parse,
    upload `uploads` resumes, wait until the worker claimed them all, SIGKILL it.
    Returns the server's URL and process."""
    port = _free_port()
    serve = _start(
        settings, "serve", PORT=str(port), QUEUE_NAME=queue, JOBS_IN_SERVER="0"
    )
    slow = _start(
        settings,
        "worker",
        QUEUE_NAME=queue,
        PARSE_FAULT_DELAY="120",
        JOB_IDLE_TIMEOUT_MS="1000",
    )
    try:
        _wait_port(port)
        url = f"http://127.0.0.1:{port}"
        token = (await sign_up(client))["accessToken"]
        async with aiohttp.ClientSession() as session:
            for n in range(uploads):
                pdf = text_pdf([f"Jane Doe {n}", f"jane{n}@example.com"])
                await _multipart_upload(session, url, token, pdf)
        deadline = time.monotonic() + 30
        while await Resume.filter(attempts=1).count() < uploads:
            assert time.monotonic() < deadline, "the slow worker never claimed them"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # the dead worker's leases and entries go idle
    finally:
        slow.kill()  # SIGKILL: no clean-up, the jobs are neither acked nor finished
        slow.wait(timeout=10)
    return url, serve


@needs_redis
async def test_a_dead_workers_jobs_are_claimed_again_with_no_new_traffic(
    client: TestClient, settings: Settings
) -> None:
    """No upload after the kill and a sweeper that would wait 10 minutes: the
    live worker's claim timer alone picks the jobs up, each at its second attempt."""
    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    url, serve = await _kill_mid_parse(client, settings, queue, uploads=3)
    worker: subprocess.Popen[bytes] | None = None
    try:
        assert await Resume.filter(status="PROCESSING").count() == 3
        worker = _start(
            settings,
            "worker",
            QUEUE_NAME=queue,
            JOB_IDLE_TIMEOUT_MS="1000",
            STUCK_AFTER="600",
        )
        deadline = time.monotonic() + 60
        while await Resume.filter(status="PROCESSING").exists():
            assert time.monotonic() < deadline, "the lost jobs were not claimed"
            await asyncio.sleep(0.2)
        rows = await Resume.all().order_by("id").values_list("status", "attempts")
        assert rows == [("READY", 2)] * 3
        async with aiohttp.ClientSession() as session:
            while True:  # the jobs the parses queued (indexing) finish too
                metrics = await (await session.get(f"{url}/metrics")).text()
                depth = [
                    _figure(metrics, f'careergraph_queue_depth{{state="{state}"}}')
                    for state in ("waiting", "pending")
                ]
                if depth == [0, 0]:
                    break
                assert time.monotonic() < deadline, f"the queue holds {depth}"
                await asyncio.sleep(0.2)
            health = await (await session.get(f"{url}/health")).json()
        redelivered = 'careergraph_job_redeliveries_total{task="resumes.parse"}'
        assert _figure(metrics, redelivered) == 3
        assert _figure(metrics, 'careergraph_job_runs_total{kind="resume"}') == 6
        assert health == {"status": "ok", "db": "ok", "redis": "ok", "queue": "ok"}
    finally:
        _stop(serve, worker)


@needs_redis
async def test_sweeper_and_redelivery_of_one_lost_job_cost_one_attempt(
    client: TestClient, settings: Settings
) -> None:
    """The sweeper (STUCK_AFTER 1 s) requeues the lost job and Redis redelivers it
    too: the second delivery waits for the live run, then finds the resume READY."""
    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    url, serve = await _kill_mid_parse(client, settings, queue, uploads=1)
    worker: subprocess.Popen[bytes] | None = None
    try:
        worker = _start(
            settings,
            "worker",
            QUEUE_NAME=queue,
            JOB_IDLE_TIMEOUT_MS="1000",
            STUCK_AFTER="1",
            PARSE_FAULT_DELAY="3",  # the run is alive when the other delivery lands
        )
        deadline = time.monotonic() + 60
        while (await Resume.get()).status == "PROCESSING":
            assert time.monotonic() < deadline, "the lost job was not run again"
            await asyncio.sleep(0.2)
        resume = await Resume.get()
        assert (resume.status, resume.attempts) == ("READY", 2)
        async with aiohttp.ClientSession() as session:
            metrics = await (await session.get(f"{url}/metrics")).text()
        assert _figure(metrics, 'careergraph_job_duplicates_total{kind="resume"}') >= 1
    finally:
        _stop(serve, worker)


async def test_health_says_degraded_when_a_job_waits_past_stuck_after(
    client: TestClient, settings: Settings
) -> None:
    await sign_up(client)
    ok = await client.get("/health")
    assert await ok.json() == {
        "status": "ok",
        "db": "ok",
        "redis": "ok" if settings.redis_url else "disabled",
        "queue": "ok",
    }
    org = await Organization.first()
    assert org is not None
    resume = await Resume.create(organization_id=org.id, title="lost", kind="pdf")
    old = datetime.now(UTC) - timedelta(seconds=settings.stuck_after + 60)
    await Resume.filter(id=resume.id).update(updated_at=old)
    degraded = await client.get("/health")
    assert degraded.status == 200  # this process still serves
    assert (await degraded.json())["status"] == "degraded"
    assert (await degraded.json())["queue"] == "stuck"


async def test_serve_on_sigterm_closes_sockets_with_1001_and_exits(
    client: TestClient, settings: Settings
) -> None:
    token = (await sign_up(client))["accessToken"]
    port = _free_port()
    serve = _start(settings, "serve", PORT=str(port), SHUTDOWN_GRACE="5")
    try:
        _wait_port(port)
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(
                f"http://127.0.0.1:{port}/graphql", protocols=["graphql-transport-ws"]
            )
            await ws.send_json(
                {"type": "connection_init", "payload": {"authorization": token}}
            )
            ack = json.loads((await ws.receive(timeout=10)).data)
            assert ack == {"type": "connection_ack"}
            serve.send_signal(signal.SIGTERM)
            closing = await ws.receive(timeout=10)
            assert closing.type == aiohttp.WSMsgType.CLOSE
            assert closing.data == 1001
            assert closing.extra == "Server shutting down"
        assert await asyncio.to_thread(serve.wait, 15) == 0
    finally:
        _stop(serve)


def test_the_client_address_comes_from_a_trusted_proxy_only() -> None:
    from transport.proxy import client_address

    nginx = ("127.0.0.1",)
    assert client_address("127.0.0.1", "203.0.113.7", nginx) == "203.0.113.7"
    # what the client wrote itself comes first; nginx appended the real peer
    assert client_address("127.0.0.1", "10.0.0.1, 203.0.113.7", nginx) == (
        "203.0.113.7"
    )
    assert client_address("198.51.100.2", "203.0.113.7", nginx) == "198.51.100.2"
    assert client_address("127.0.0.1", "203.0.113.7", ()) == "127.0.0.1"
    assert client_address("127.0.0.1", "127.0.0.1", nginx) == "127.0.0.1"


@needs_redis
async def test_a_worker_stopped_mid_job_hands_it_back_to_another(
    client: TestClient, settings: Settings
) -> None:
    """SIGTERM with a job that outlasts SHUTDOWN_GRACE: the worker exits 0 and
    marks the job idle, so a worker whose idle timeout is a minute takes it at
    once, without waiting that minute (nor the sweeper's ten)."""
    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    serve = _start(
        settings, "serve", PORT=str(port), QUEUE_NAME=queue, JOBS_IN_SERVER="0"
    )
    slow = _start(
        settings,
        "worker",
        QUEUE_NAME=queue,
        PARSE_FAULT_DELAY="120",
        SHUTDOWN_GRACE="1",
        JOB_IDLE_TIMEOUT_MS="60000",
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        _wait_port(port)
        token = (await sign_up(client))["accessToken"]
        async with aiohttp.ClientSession() as session:
            await _multipart_upload(
                session,
                f"http://127.0.0.1:{port}",
                token,
                text_pdf(["Jane Doe", "jane@example.com"]),
            )
        deadline = time.monotonic() + 30
        while not await Resume.filter(stage="extracting").exists():
            assert time.monotonic() < deadline, "the slow worker never started"
            await asyncio.sleep(0.1)
        slow.terminate()
        assert await asyncio.to_thread(slow.wait, 20) == 0
        worker = _start(
            settings,
            "worker",
            QUEUE_NAME=queue,
            JOB_IDLE_TIMEOUT_MS="60000",
            STUCK_AFTER="600",
        )
        deadline = time.monotonic() + 40  # below the idle timeout: no redelivery
        while (await Resume.get()).status == "PROCESSING":
            assert time.monotonic() < deadline, "the job was not handed back"
            await asyncio.sleep(0.2)
        resume = await Resume.get()
        assert (resume.status, resume.error_code, resume.attempts) == ("READY", None, 2)
    finally:
        _stop(serve, slow, worker)
