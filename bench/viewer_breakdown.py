"""Where the server time of an authenticated `query { viewer { id } }` goes: each step
of our request path timed on its own, in process, without a profiler's distortion.

    .venv/bin/python bench/viewer_breakdown.py [--ops 5000]

Companion of viewer_throughput.py (which measures the whole request over HTTP).
Every step is run `--ops` times after a warm-up, 3 rounds, median µs per call. The
steps are those `transport/middleware.py` and `transport/view.py` run per request;
HTTP parsing and writing by aiohttp are the `plain handler` server CPU of
viewer_throughput.py. Pinned to CPU 0 when the machine has 2+ CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VIEWER_QUERY = "query { viewer { id } }"


async def timed(fn: Callable[[], Any], ops: int, rounds: int) -> list[float]:
    """Median-ready µs per call; `fn` may return an awaitable."""
    out = []
    for _ in range(rounds + 1):  # the first round is the warm-up
        t0 = time.perf_counter()
        for _ in range(ops):
            r = fn()
            if isinstance(r, Awaitable):
                await r
        out.append((time.perf_counter() - t0) / ops * 1e6)
    return out[1:]


async def run(args: argparse.Namespace) -> None:
    import jwt
    import strawberry
    from graphql.execution import execute as graphql_execute
    from graphql.language.parser import parse
    from strawberry.execution import optimized_is_awaitable
    from strawberry.extensions import ParserCache, ValidationCache
    from strawberry.schema.config import StrawberryConfig
    from strawberry.schema.schema import validate_document
    from strawberry.types.graphql import OperationType

    import server
    from schema import guards as extensions
    from schema.accounts import (
        ApiKeyNode,
        OrganizationNode,
        SecurityEventNode,
        UserNode,
    )
    from schema.root import Mutation, Query, Subscription, build_schema
    from services import accounts
    from services.accounts import RequestMeta
    from services.ratelimit import RateLimiter
    from settings import Settings
    from transport.metrics import Metrics
    from transport.view import CareergraphView, error_body, json_response

    settings = replace(
        Settings(),
        secret_key="bench-" + uuid.uuid4().hex,
        session_rate_limit=1_000_000_000,
    )

    def on_unexpected(error: Any) -> None:
        raise RuntimeError(f"unexpected error: {error}")

    schema = build_schema(settings, on_unexpected=on_unexpected)
    cached = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[UserNode, OrganizationNode, ApiKeyNode, SecurityEventNode],
        config=StrawberryConfig(disable_field_suggestions=False),
        extensions=[lambda: ParserCache(), lambda: ValidationCache()],
    )
    runtime = server.build_runtime(settings)
    view = CareergraphView(schema, runtime)
    token = accounts.issue_access_token(
        config=runtime.auth, user_id=1, organization_id=1, role="owner", sid="s" * 32
    )
    actor = await accounts.authenticate_token(config=runtime.auth, token=token)
    meta = RequestMeta(ip="127.0.0.1", user_agent="bench")
    allowed = {OperationType.QUERY, OperationType.MUTATION}
    metrics = Metrics()
    body = json.dumps({"query": VIEWER_QUERY}).encode()
    rules = extensions.build_rules(
        max_depth=settings.max_depth, max_aliases=settings.max_aliases
    )
    document = extensions.parse_cached(VIEWER_QUERY, max_tokens=settings.max_tokens)

    # what a validation cache keyed by the query text (a str hashes once, cached)
    # costs on a hit, against the current key (the parsed DocumentNode, hashed in
    # full on every lookup)
    @lru_cache(maxsize=512)
    def by_text(query: str, max_tokens: int) -> tuple[Any, Any]:
        doc = parse(query, max_tokens=max_tokens)
        return doc, validate_document(schema._schema, doc, rules)

    # a decoded-claims cache keyed by the token (signature checked once per token)
    jwt_key = runtime.auth._jwt_key

    async def execute(target: Any) -> None:
        result = await target.execute(
            VIEWER_QUERY,
            context_value=view.make_context(actor, meta),
            allowed_operation_types=allowed,
        )
        if result.errors:
            raise RuntimeError(result.errors)
        json_response({"data": result.data})

    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "authenticate_token (jwt.decode + denylist)",
            lambda: accounts.authenticate_token(config=runtime.auth, token=token),
        ),
        (
            "  of which jwt.decode alone",
            lambda: jwt.decode(
                token,
                jwt_key,
                algorithms=["HS256"],
                options={"require": ["exp", "sub", "org", "sid", "typ"]},
            ),
        ),
        (
            "  of which HMAC prepare_key (PyJWT, per decode)",
            lambda: jwt.algorithms.HMACAlgorithm(
                jwt.algorithms.HMACAlgorithm.SHA256
            ).prepare_key(jwt_key),
        ),
        (
            "limiter.hit (hit + get_window_stats)",
            lambda: runtime.limiter.hit(
                "user:1", per_minute=settings.session_rate_limit
            ),
        ),
        (
            "metrics.observe",
            lambda: metrics.observe(
                route="graphql", operation="", status=200, seconds=0.001
            ),
        ),
        ("json.loads(body)", lambda: json.loads(body)),
        ("make_context (4 DataLoaders)", lambda: view.make_context(actor, meta)),
        (
            "schema.execute + json_response (ours, Guards)",
            lambda: execute(schema),
        ),
        (
            "  same, strawberry + ParserCache + ValidationCache only",
            lambda: execute(cached),
        ),
        (
            "  graphql-core execute() of the cached document only",
            lambda: graphql_execute(
                schema._schema,
                document,
                context_value=view.make_context(actor, meta),
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                executor_class=schema.execution_context_class,
            ),
        ),
        (
            "Guards parse-cache hit (parse_cached)",
            lambda: extensions.parse_cached(
                VIEWER_QUERY, max_tokens=settings.max_tokens
            ),
        ),
        (
            "Guards validate-cache hit (validate_cached, hashes the AST)",
            lambda: extensions.validate_cached(schema._schema, document, rules),
        ),
        (
            "  alternative: one cache keyed by query text",
            lambda: by_text(VIEWER_QUERY, settings.max_tokens),
        ),
        (
            "error_body + json_response (401 path, for scale)",
            lambda: json_response(error_body("x", "UNAUTHENTICATED"), status=401),
        ),
        ("hashlib.sha256 (for scale)", lambda: hashlib.sha256(body).digest()),
    ]

    # limits' async MemoryStorage starts a task per hit that scans every live key;
    # it runs once the handler yields to the loop, so time hit + one loop turn
    async def hit_and_yield(limiter: Any, bucket: str) -> None:
        await limiter.hit(bucket, per_minute=settings.session_rate_limit)
        await asyncio.sleep(0)

    for live in (1, 1000, 10_000):
        limiter = RateLimiter.from_url("")
        for i in range(live):
            await limiter.hit(f"user:{i}", per_minute=settings.session_rate_limit)
        steps.append(
            (
                f"limiter.hit + loop turn, {live:d} live buckets",
                functools.partial(hit_and_yield, limiter, "user:0"),
            )
        )
    steps.append(("  loop turn alone (asyncio.sleep(0))", lambda: asyncio.sleep(0)))
    print(
        f"in process, {args.ops} calls x {args.rounds} rounds after a warm-up, "
        "median µs/call\n"
    )
    width = max(len(name) for name, _ in steps)
    print(f"{'step':<{width}} {'µs':>8}")
    print("-" * (width + 9))
    for name, fn in steps:
        # keep the slow limiter rows to a few seconds
        ops = args.ops // 10 if "10000 live" in name else args.ops
        values = await timed(fn, max(ops, 1), args.rounds)
        print(f"{name:<{width}} {statistics.median(values):>8.1f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {0})
    os.environ.pop("REDIS_URL", None)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
