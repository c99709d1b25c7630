"""Scaling out on one machine: throughput through nginx with 1 and 2 `serve`
processes, and parse throughput with 1 and 2 workers (deploy/layout.py).

    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/scale.py [--requests 3000] [--concurrency 32]
        [--uploads 24]

Each measurement starts its own layout (an own PostgreSQL database created on
that server and dropped afterwards, an own redis-server, nginx on loopback):

- HTTP: `--concurrency` clients send `query { viewer { id } }` (signed in) through
  nginx until `--requests` answered; requests/s with 1 and 2 servers, and the ratio.
- Parse: `--uploads` distinct PDFs are uploaded with no worker running, then 1 or
  2 workers start; resumes/s from the first worker's start to the last READY.

Prints the figures, the ratios and the machine's core count (the ratio to expect
is bounded by the cores: two processes on two cores share them with nginx,
PostgreSQL, Redis and this client). Without BENCH_POSTGRES_URL (or
TEST_POSTGRES_URL) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.layout import Layout  # noqa: E402
from tests.helpers import PASSWORD, SIGN_UP, UPLOAD, text_pdf  # noqa: E402

ENV = {
    "SECRET_KEY": "bench-scale-secret-key-of-enough-length-0123456789",
    "ANONYMOUS_RATE_LIMIT": "1000000",
    "SESSION_RATE_LIMIT": "1000000",
    "QUEUE_MAX_PENDING": "100000",
}
VIEWER = {"query": "query Viewer { viewer { id } }"}


async def _database(admin_url: str) -> str:
    name = f"careergraph_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


async def _drop(admin_url: str, url: str) -> None:
    conn = await asyncpg.connect(admin_url)
    await conn.execute(
        f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'
    )
    await conn.close()


async def _sign_up(session: aiohttp.ClientSession, url: str) -> str:
    variables = {"input": {"email": "b@example.com", "password": PASSWORD, "name": "B"}}
    response = await session.post(
        f"{url}/graphql", json={"query": SIGN_UP, "variables": variables}
    )
    token: str = (await response.json())["data"]["signUp"]["accessToken"]
    return token


async def http_throughput(
    admin_url: str, *, servers: int, requests: int, concurrency: int
) -> float:
    database = await _database(admin_url)
    try:
        with Layout(database_url=database, servers=servers, workers=0, env=ENV) as lay:
            connector = aiohttp.TCPConnector(limit=concurrency)
            async with aiohttp.ClientSession(connector=connector) as session:
                token = await _sign_up(session, lay.url)
                headers = {"Authorization": f"Bearer {token}"}
                left = requests

                async def client() -> None:
                    nonlocal left
                    while left > 0:
                        left -= 1
                        response = await session.post(
                            f"{lay.url}/graphql", json=VIEWER, headers=headers
                        )
                        assert response.status == 200, await response.text()
                        await response.read()

                await asyncio.gather(*(client() for _ in range(concurrency // 4)))
                started = time.perf_counter()
                left = requests
                await asyncio.gather(*(client() for _ in range(concurrency)))
                return requests / (time.perf_counter() - started)
    finally:
        await _drop(admin_url, database)


async def parse_throughput(admin_url: str, *, workers: int, uploads: int) -> float:
    database = await _database(admin_url)
    try:
        with Layout(database_url=database, servers=1, workers=0, env=ENV) as lay:
            async with aiohttp.ClientSession() as session:
                token = await _sign_up(session, lay.url)
                subprocess.run(
                    [sys.executable, "server.py", "grant-credits", "1", str(uploads)],
                    cwd=ROOT,
                    env={**os.environ, "DATABASE_URL": database},
                    check=True,
                    capture_output=True,
                )
                conn = await asyncpg.connect(database)
                for n in range(uploads):
                    await _upload(session, lay.url, token, n)
                started = time.perf_counter()
                for n in range(workers):
                    lay.start_worker(n)
                while await conn.fetchval(
                    "SELECT count(*) FROM resumes WHERE status = 'PROCESSING'"
                ):
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - started
                statuses = await conn.fetch("SELECT DISTINCT status FROM resumes")
                await conn.close()
                assert [r["status"] for r in statuses] == ["READY"], statuses
                return uploads / elapsed
    finally:
        await _drop(admin_url, database)


async def _upload(session: aiohttp.ClientSession, url: str, token: str, n: int) -> None:
    form = aiohttp.FormData()
    form.add_field(
        "operations",
        json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}}),
    )
    form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
    lines = [f"Sam Bench {n}", f"sam{n}@example.com", "Experience"]
    lines += [f"Engineer at Company {n}-{i}, 2015 - 2020, Python" for i in range(8)]
    form.add_field("0", text_pdf(lines), filename=f"cv{n}.pdf")
    response = await session.post(
        f"{url}/graphql",
        data=form,
        headers={"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1"},
    )
    body = await response.json()
    assert body["data"]["uploadResume"]["userErrors"] == [], body


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--uploads", type=int, default=24)
    args = parser.parse_args()
    admin_url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
        "TEST_POSTGRES_URL", ""
    )
    if not admin_url:
        print("bench/scale.py: set BENCH_POSTGRES_URL (a PostgreSQL server); skipped")
        return 0
    print(f"cores: {os.cpu_count()}")
    rates = {}
    for servers in (1, 2):
        rates[servers] = await http_throughput(
            admin_url,
            servers=servers,
            requests=args.requests,
            concurrency=args.concurrency,
        )
        print(f"HTTP through nginx, {servers} server(s): {rates[servers]:.0f} req/s")
    print(f"HTTP ratio 2/1 servers: {rates[2] / rates[1]:.2f}")
    parses = {}
    for workers in (1, 2):
        parses[workers] = await parse_throughput(
            admin_url, workers=workers, uploads=args.uploads
        )
        print(f"parse, {workers} worker(s): {parses[workers]:.1f} resumes/s")
    print(f"parse ratio 2/1 workers: {parses[2] / parses[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
