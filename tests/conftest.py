"""Fixtures: the real server on a real database.

TEST_BACKEND=sqlite (default) runs on a SQLite file with the in-process broker;
TEST_BACKEND=postgres runs on PostgreSQL (TEST_POSTGRES_URL) and Redis (TEST_REDIS_URL).
`make unit` runs the suite once per backend: tortoise keeps per-model state bound to the
first database dialect it met, so one process serves one backend.

The database is created and migrated once per session and dropped at the end; tables
are emptied (and the Redis database flushed) before each test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

import server
from settings import Settings
from tests.helpers import BACKEND, POSTGRES_URL, REDIS_URL, reset_state

if BACKEND == "postgres" and not (POSTGRES_URL and REDIS_URL):
    raise RuntimeError(
        "TEST_BACKEND=postgres needs TEST_POSTGRES_URL and TEST_REDIS_URL"
    )


@dataclass(frozen=True)
class Backend:
    name: str
    settings: Settings


def _admin_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.fixture(scope="session", params=[BACKEND])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    tmp = tmp_path_factory.mktemp(request.param)
    base = Settings(
        data_dir=tmp,
        secret_key="test-secret-" + uuid.uuid4().hex,
        anonymous_rate_limit=100_000,
        session_rate_limit=100_000,
        shutdown_grace=0.5,  # a test's application stops without waiting for jobs
    )
    if request.param == "sqlite":
        settings = replace(base, database_url=f"sqlite://{tmp / 'test.sqlite3'}")
        asyncio.run(server.migrate(settings))
        yield Backend("sqlite", settings)
        return
    name = f"careergraph_test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_admin_url(POSTGRES_URL))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    db_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    settings = replace(base, database_url=db_url, redis_url=REDIS_URL)
    try:
        asyncio.run(server.migrate(settings))
        yield Backend("postgres", settings)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(backend: Backend) -> Settings:
    """The backend's settings with a job queue of the test's own: with Redis, a
    test's application never receives the jobs an earlier test left queued (its
    ids would name this test's rows)."""
    return replace(backend.settings, queue_name=f"careergraph-{uuid.uuid4().hex[:12]}")


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> AsyncIterator[TestClient]:
    app = server.create_app(settings)
    test_client: TestClient = await aiohttp_client(app)
    await reset_state(settings)
    yield test_client


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the worker thread of any aiosqlite connection still open at the end.

    An aiosqlite connection runs a non-daemon thread until it is closed; one that an
    application left open (seen once in a few dozen runs, not reproduced alone)
    keeps the interpreter waiting for it forever after the last test passed, and CI
    would time out instead of reporting. Stopping them here ends the run; the
    warning names how many there were so a leak does not go unseen."""
    import gc
    import warnings

    import aiosqlite

    stray = [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, aiosqlite.Connection) and obj._running
    ]
    for connection in stray:
        connection.stop()
    if stray:
        warnings.warn(
            f"{len(stray)} aiosqlite connection(s) left open by the tests",
            ResourceWarning,
            stacklevel=1,
        )
