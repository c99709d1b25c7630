"""The fast executor (schema/execution.py) against strawberry's own, in one
process, alternating, on the seed of bench/throughput.py.

    .venv/bin/python bench/executor_ab.py [--only resumes,profile,viewer,public]
                                          [--requests 20] [--rounds 5]

A temp SQLite database seeded like bench/throughput.py (through the API, then raw
rows), the real app on aiohttp's test server, sequential requests. Per request and
round: the same number of requests with `FastExecutionContext.execute_fields` and
with strawberry's `execute_fields` swapped in, alternating; prints the best
process-CPU µs per request of each (server and client together, both in this
process: the difference is the server's) and checks both answers are the same
bytes. Robust to other load on the machine, unlike req/s: CPU time of one process
doing the same work, best of several rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import throughput as tp  # noqa: E402  (the seed and the requests)


async def run(args: argparse.Namespace) -> None:
    from aiohttp.test_utils import TestClient, TestServer
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
    from tortoise import Tortoise

    import server
    from schema.execution import FastExecutionContext
    from settings import Settings

    fast = FastExecutionContext.execute_fields
    base = StrawberryGraphQLCoreExecutionContext.execute_fields
    tmp = Path(tempfile.mkdtemp(prefix="careergraph-executor-ab-"))
    high = 1_000_000_000
    settings = replace(
        Settings(),
        data_dir=tmp,
        database_url=f"sqlite://{tmp / 'careergraph.sqlite3'}",
        secret_key="bench-executor-ab-secret-key-0123456789",
        anonymous_rate_limit=high,
        session_rate_limit=high,
        profile_cache_size=0,  # execute publicProfile every time
    )
    try:
        await server.migrate(settings)
        app = server.create_app(settings)
        async with TestClient(TestServer(app)) as client:
            url = str(client.make_url("/graphql"))
            # the seed connects tortoise itself: the app's connection is already up
            init, close = Tortoise.init, Tortoise.close_connections

            async def keep(*_: Any, **__: Any) -> None:
                return None

            Tortoise.init, Tortoise.close_connections = keep, keep  # type: ignore[assignment]
            try:
                token, _ = await tp.seed(settings, url)
            finally:
                Tortoise.init, Tortoise.close_connections = init, close  # type: ignore[method-assign]
            for name in args.only.split(","):
                query = tp.REQUESTS[name]
                headers = (
                    {} if name == "public" else {"Authorization": f"Bearer {token}"}
                )

                async def one(query: str = query, headers: Any = headers) -> bytes:
                    response = await client.post(
                        "/graphql", json={"query": query}, headers=headers
                    )
                    body = await response.read()
                    assert response.status == 200, body[:300]
                    return body

                times: dict[str, list[float]] = {"strawberry": [], "fast": []}
                bodies: dict[str, bytes] = {}
                for _ in range(args.rounds):
                    for mode in times:
                        FastExecutionContext.execute_fields = (  # type: ignore[method-assign]
                            fast if mode == "fast" else base
                        )
                        bodies[mode] = await one()
                        t0 = time.process_time()
                        for _ in range(args.requests):
                            await one()
                        spent = time.process_time() - t0
                        times[mode].append(spent / args.requests * 1e6)
                FastExecutionContext.execute_fields = fast  # type: ignore[method-assign]
                if bodies["fast"] != bodies["strawberry"]:
                    raise SystemExit(f"{name}: the answers differ")
                b, f = min(times["strawberry"]), min(times["fast"])
                print(
                    f"{name:<8} CPU µs/request (server + client), best of "
                    f"{args.rounds}: strawberry's executor {b:8.0f}, fast {f:8.0f} "
                    f"({b - f:+.0f} µs, {1 - f / b:.0%} less)",
                    flush=True,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="viewer,profile,resumes,public")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
