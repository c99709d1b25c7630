"""The run lifecycle (`services.runs`) through a fake job kind: claims by attempt,
stage writes of a superseded run, the attempt limit, failures with refund rules,
the sweep of lost runs, and jobs that reach their dependencies through the
application's `Jobs` (no module state)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import server
from models.resumes import Resume
from services import runs
from services.pubsub import MemoryPubSub
from services.resumes import lifecycle
from settings import Settings
from tests.helpers import sign_up

FAKE = runs.Lifecycle(Resume, active={"status": "PROCESSING"}, max_attempts=2)


async def _row(client: TestClient, **values: Any) -> Resume:
    await sign_up(client)
    from models.accounts import Organization

    org = await Organization.get()
    return await Resume.create(
        organization_id=org.id,
        title="r",
        kind="pdf",
        sha256="x" * 64,
        status="PROCESSING",
        stage="received",
        **values,
    )


async def _fake_job(row_id: int, *, pause: float = 0.0) -> str:
    """A job kind in four lines: claim, stages, end; superseded quietly."""
    try:
        if not await FAKE.claim(row_id, stage="working", progress=10):
            return "GIVEN_UP"
        attempt = (await Resume.get(id=row_id)).attempts
        await asyncio.sleep(pause)
        await FAKE.write(row_id, attempt, {"stage": "done", "status": "READY"})
        return "READY"
    except runs.Superseded:
        return "SUPERSEDED"


async def test_a_newer_claim_supersedes_the_running_one(client: TestClient) -> None:
    row = await _row(client)
    slow = asyncio.create_task(_fake_job(row.id, pause=0.3))
    await asyncio.sleep(0.1)  # the slow run has claimed attempt 1
    assert await _fake_job(row.id) == "READY"  # attempt 2 owns the row
    assert await slow == "SUPERSEDED"  # and the older run wrote nothing
    fresh = await Resume.get(id=row.id)
    assert (fresh.status, fresh.stage, fresh.attempts) == ("READY", "done", 2)


async def test_a_run_past_its_attempts_is_not_claimed(client: TestClient) -> None:
    row = await _row(client, attempts=2)
    assert await _fake_job(row.id) == "GIVEN_UP"
    assert (await Resume.get(id=row.id)).attempts == 2


async def test_a_finished_row_is_left_alone(client: TestClient) -> None:
    row = await _row(client)
    await Resume.filter(id=row.id).update(status="READY")
    assert await _fake_job(row.id) == "GIVEN_UP"


async def test_the_sweep_claims_a_lost_run_once(client: TestClient) -> None:
    row = await _row(client)
    old = datetime.now(UTC) - timedelta(minutes=20)
    await Resume.filter(id=row.id).update(updated_at=old)
    cutoff = datetime.now(UTC) - timedelta(minutes=10)
    first, second = await asyncio.gather(
        FAKE.sweep(older_than=cutoff), FAKE.sweep(older_than=cutoff)
    )
    assert sorted(first + second) == [row.id]  # one sweeper requeues it
    assert await FAKE.sweep(older_than=cutoff) == []  # touched: fresh again


@pytest.mark.parametrize(("code", "refunded"), [("TIMEOUT", True), ("NO_TEXT", False)])
async def test_failures_refund_unless_the_client_is_at_fault(
    client: TestClient, code: str, refunded: bool
) -> None:
    given_back: list[int] = []

    async def refund(resume: Resume) -> None:
        given_back.append(resume.id)

    kind = runs.RunKind("fake", refund=refund, client_faults=frozenset({"NO_TEXT"}))
    row = await _row(client)
    assert await lifecycle.RUNS.claim(row.id)
    pubsub = MemoryPubSub()
    async with pubsub.subscribe(lifecycle.channel(row.id)) as stream:
        status = await lifecycle.fail(
            kind, pubsub, row, attempt=1, code=code, message="m"
        )
        message = await anext(aiter(stream))
    assert status == "FAILED"
    assert (message["status"], message["error_code"]) == ("FAILED", code)
    assert given_back == ([row.id] if refunded else [])


async def test_each_application_has_its_own_jobs(
    aiohttp_client: Any, settings: Settings
) -> None:
    """Two applications in one process: their brokers, leases and job
    dependencies are their own (built from their Settings)."""
    one = await aiohttp_client(server.create_app(settings))
    two = await aiohttp_client(
        server.create_app(replace(settings, parse_timeout=1.5, queue_name="other"))
    )
    jobs_one = one.app[server.RUNTIME_KEY].jobs
    jobs_two = two.app[server.RUNTIME_KEY].jobs
    assert jobs_one.broker is not jobs_two.broker
    assert jobs_one.leases is not jobs_two.leases
    assert (jobs_one.parse_deps.timeout, jobs_two.parse_deps.timeout) == (
        settings.parse_timeout,
        1.5,
    )
    assert set(jobs_one.broker.get_all_tasks()) >= {
        "resumes.parse",
        "tailoring.tailor",
        "indexing.index_profile",
        "billing.apply_stripe_event",
        "jobs.expire_overdue",
    }
    if settings.redis_url:  # the Redis stream broker, named by the settings
        assert getattr(jobs_two.broker, "queue_name", None) == "other"
