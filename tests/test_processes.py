"""Several real processes: events cross processes through Redis, a worker process runs
jobs from Redis, and the admin commands change plans and credits."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp.test_utils import TestClient

from models.accounts import RefreshToken
from models.billing import CreditEntry
from services.accounts import security_channel
from settings import Settings
from tests.helpers import (
    ROOT,
    gql,
    organization_of,
    sign_up,
    text_pdf,
    wait_subscribed,
)
from tests.support.processes import env as _env
from tests.support.processes import free_port as _free_port
from tests.support.processes import multipart_upload as _multipart_upload
from tests.support.processes import needs_redis, second_server  # noqa: F401
from tests.support.processes import start as _start
from tests.support.processes import wait_port as _wait_port


@needs_redis
async def test_event_published_in_one_process_reaches_a_subscriber_of_another(
    client: TestClient,
    second_server: str,  # noqa: F811
) -> None:
    token = (await sign_up(client))["accessToken"]
    async with aiohttp.ClientSession() as session:
        health = await session.get(f"{second_server}/health")
        assert await health.json() == {
            "status": "ok",
            "db": "ok",
            "redis": "ok",
            "queue": "ok",
        }
        ws = await session.ws_connect(
            f"{second_server}/graphql", protocols=["graphql-transport-ws"]
        )
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        assert json.loads((await ws.receive(timeout=10)).data) == {
            "type": "connection_ack"
        }
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "subscription { securityEvents { kind } }"},
            }
        )
        await wait_subscribed(
            client, security_channel(await organization_of()), here=False
        )
        # the mutation runs in this (test) process; the subscriber is on the other one
        await gql(
            client,
            'mutation { createApiKey(input: {name: "x"}) { secret } }',
            token=token,
        )
        message = json.loads((await ws.receive(timeout=10)).data)
        assert message["payload"]["data"] == {
            "securityEvents": {"kind": "API_KEY_CREATED"}
        }
        await ws.close()


@needs_redis
async def test_worker_process_runs_jobs_from_redis(
    client: TestClient, settings: Settings
) -> None:
    from taskiq.kicker import AsyncKicker
    from taskiq_redis import RedisStreamBroker

    await sign_up(client)
    await sign_up(client, "bob@example.com", "Bob")
    old = datetime.now(UTC) - timedelta(days=30)
    first = await RefreshToken.all().order_by("id").first()
    assert first is not None
    await RefreshToken.filter(id=first.id).update(expires_at=old)
    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "server.py", "worker"],
        cwd=ROOT,
        env=_env(settings, QUEUE_NAME=queue),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    broker = RedisStreamBroker(
        url=settings.redis_url, queue_name=queue, consumer_group_name="careergraph"
    )
    await broker.startup()
    try:
        await AsyncKicker("accounts.prune_refresh_tokens", broker, {}).kiq(
            older_than_days=7
        )
        deadline = time.monotonic() + 30
        while await RefreshToken.filter(id=first.id).exists():
            assert time.monotonic() < deadline, "the worker did not run the job"
            await asyncio.sleep(0.2)
        assert await RefreshToken.all().count() == 1  # the fresh token stays
    finally:
        await broker.shutdown()
        worker.terminate()  # SIGTERM: the worker finishes within its grace period
        try:
            assert worker.wait(timeout=20) == 0
        finally:
            worker.kill()


def _admin(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "server.py", *args],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_admin_commands_set_plan_and_grant_credits(
    client: TestClient, settings: Settings
) -> None:
    token = (await sign_up(client))["accessToken"]
    org_id = (await CreditEntry.first()).organization_id  # type: ignore[union-attr]
    done = await asyncio.to_thread(_admin, settings, "set-plan", str(org_id), "pro")
    assert done.returncode == 0, done.stderr
    done = await asyncio.to_thread(
        _admin, settings, "grant-credits", str(org_id), "15", "--reason", "support"
    )
    assert done.stdout.strip() == f"organization {org_id}: balance 35"
    # a debit beyond the balance is refused and changes nothing
    done = await asyncio.to_thread(
        _admin, settings, "grant-credits", str(org_id), "-100"
    )
    assert done.returncode == 1
    assert "Not enough credits" in done.stderr
    done = await asyncio.to_thread(
        _admin, settings, "set-plan", str(org_id), "platinum"
    )
    assert done.returncode == 1
    assert "Unknown plan 'platinum'" in done.stderr
    body = await gql(
        client, "{ viewer { credits plan { key tailorCallsPerMonth } } }", token=token
    )
    assert body["data"]["viewer"] == {
        "credits": 35,
        "plan": {"key": "PRO", "tailorCallsPerMonth": 1000},
    }
    ledger = await CreditEntry.filter(organization_id=org_id).order_by("id")
    assert [(e.delta, e.balance_after, e.reason) for e in ledger] == [
        (20, 20, "signup_grant"),
        (15, 35, "support"),
    ]


@needs_redis
async def test_resume_parsed_by_a_worker_streams_to_a_server_subscriber(
    client: TestClient, settings: Settings
) -> None:
    """Two real processes: `serve` (running no jobs) takes the upload and the
    subscription; `worker` parses; its events reach the subscriber through Redis."""
    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    serve = _start(
        settings, "serve", PORT=str(port), QUEUE_NAME=queue, JOBS_IN_SERVER="0"
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        _wait_port(port)
        url = f"http://127.0.0.1:{port}"
        token = (await sign_up(client))["accessToken"]
        async with aiohttp.ClientSession() as session:
            resume_id = await _multipart_upload(
                session, url, token, text_pdf(["Jane Doe", "jane@example.com"])
            )
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
                        "query": "subscription S($id: ID!) { resumeEvents("
                        "resumeId: $id) { status stage } }",
                        "variables": {"id": resume_id},
                    },
                }
            )
            first = json.loads((await ws.receive(timeout=10)).data)
            assert first["payload"]["data"]["resumeEvents"] == {
                "status": "PROCESSING",
                "stage": "RECEIVED",
            }
            worker = _start(settings, "worker", QUEUE_NAME=queue)
            stages = []
            while True:
                message = json.loads((await ws.receive(timeout=60)).data)
                if message["type"] == "complete":
                    break
                stages.append(message["payload"]["data"]["resumeEvents"]["stage"])
            assert stages == ["EXTRACTING", "STRUCTURING", "SAVING", "DONE"]
            await ws.close()
    finally:
        for proc in (serve, worker):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                finally:
                    proc.kill()


@needs_redis
async def test_a_job_of_a_killed_worker_runs_again(
    client: TestClient, settings: Settings
) -> None:
    """SIGKILL a worker in the middle of a parse: after a restart the resume is
    parsed; it does not stay PROCESSING."""
    from models.resumes import Resume

    queue = f"careergraph-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    serve = _start(
        settings, "serve", PORT=str(port), QUEUE_NAME=queue, JOBS_IN_SERVER="0"
    )
    slow = _start(settings, "worker", QUEUE_NAME=queue, PARSE_FAULT_DELAY="60")
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
        slow.kill()  # SIGKILL: no clean-up, the job is neither acked nor finished
        slow.wait(timeout=10)
        assert (await Resume.get()).status == "PROCESSING"
        worker = _start(settings, "worker", QUEUE_NAME=queue, STUCK_AFTER="2")
        deadline = time.monotonic() + 60
        while (await Resume.get()).status == "PROCESSING":
            assert time.monotonic() < deadline, "the job was not run again"
            await asyncio.sleep(0.2)
        resume = await Resume.get()
        assert resume.status == "READY"
        assert resume.attempts == 2
    finally:
        for proc in (serve, slow, worker):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                finally:
                    proc.kill()
