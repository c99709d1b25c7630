"""What candidate changes to the request path would buy, measured over HTTP.

    .venv/bin/python bench/viewer_ablation.py [--requests 3000] [--rounds 3]

Same arrangement as viewer_throughput.py (temp SQLite DATA_DIR, servers pinned to
CPU 0, a separate aiohttp load process pinned to CPU 1, authenticated
`query { viewer { id } }`) but with one graphql server process per variant. Each
variant applies prototype patches IN ITS OWN SERVER PROCESS ONLY (monkeypatching at
start-up; no app file changes):

  baseline        the app as it is
  jwt-cache       authenticate_token remembers the Actor of a verified JWT until its
                  `exp` (bounded dict); the denylist is still checked every request
  lazy-loaders    the 4 DataLoaders of a request are built on first use
  no-limiter      RateLimiter.hit answers without storage (upper bound of its cost;
                  not a proposal)
  direct-execute  the view executes cached (parse + validate keyed by query text)
                  documents with graphql-core directly, Guards' checks and error
                  formatting applied inline; anything unusual falls back to
                  strawberry's schema.execute
  proposed        jwt-cache + lazy-loaders + direct-execute

Printed: median rps and server CPU µs/request per variant, and ratios against the plain
aiohttp handler measured in the same run. Exit 1 when a request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import viewer_throughput as vt  # noqa: E402

VARIANTS: dict[str, tuple[str, ...]] = {
    "baseline": (),
    "jwt-cache": ("jwt-cache",),
    "lazy-loaders": ("lazy-loaders",),
    "no-limiter": ("no-limiter",),
    "direct-execute": ("direct-execute",),
    "proposed": ("jwt-cache", "lazy-loaders", "direct-execute"),
}


# -- prototype patches (applied in a server process before create_app) -----------------


def patch_jwt_cache() -> None:
    import jwt

    from services import accounts
    from services.errors import Unauthenticated

    original = accounts.authenticate_token
    cache: dict[str, tuple[accounts.Actor, float]] = {}

    async def authenticate_token(
        *, config: accounts.AuthConfig, token: str
    ) -> accounts.Actor:
        if token.startswith(accounts.API_KEY_PREFIX):
            return await original(config=config, token=token)
        hit = cache.get(token)
        if hit is not None and hit[1] > time.time():
            actor = hit[0]
            assert actor.session_id is not None
            if await config.denylist.contains(actor.session_id):
                raise Unauthenticated("Session ended; log in again")
            return actor
        actor = await original(config=config, token=token)  # verifies everything
        exp = jwt.decode(token, options={"verify_signature": False})["exp"]
        if len(cache) >= 10_000:
            cache.clear()
        cache[token] = (actor, float(exp))
        return actor

    accounts.authenticate_token = authenticate_token


def patch_lazy_loaders() -> None:
    from functools import cached_property

    from strawberry.dataloader import DataLoader

    from resolvers.loaders import Loaders
    from transport import view

    class LazyLoaders(Loaders):
        def __init__(self, actor: Any) -> None:
            self._actor = actor

        @cached_property
        def user_by_id(self) -> Any:  # type: ignore[override]
            return DataLoader(load_fn=self._users)

        @cached_property
        def organization_by_id(self) -> Any:  # type: ignore[override]
            return DataLoader(load_fn=self._organizations)

        @cached_property
        def api_key_by_id(self) -> Any:  # type: ignore[override]
            return DataLoader(load_fn=self._api_keys)

        @cached_property
        def security_event_by_id(self) -> Any:  # type: ignore[override]
            return DataLoader(load_fn=self._security_events)

    setattr(view, "Loaders", LazyLoaders)  # noqa: B010


def patch_no_limiter() -> None:
    from services.ratelimit import RateLimiter, Verdict

    async def hit(self: RateLimiter, bucket: str, *, per_minute: int) -> Verdict:
        return Verdict(allowed=True, limit=per_minute, remaining=per_minute, reset=0)

    RateLimiter.hit = hit  # type: ignore[method-assign]


def patch_direct_execute() -> None:
    from functools import lru_cache
    from inspect import isawaitable

    from aiohttp import web
    from graphql import (
        FragmentDefinitionNode,
        GraphQLError,
        OperationDefinitionNode,
        OperationType,
    )
    from graphql.execution import execute as graphql_execute
    from strawberry.execution import optimized_is_awaitable
    from strawberry.schema.schema import validate_document

    from schema import guards as extensions
    from transport import view
    from transport.keys import ACTOR_KEY, OPERATION_KEY

    original = view.CareergraphView._execute

    async def _execute(
        self: view.CareergraphView,
        request: web.Request,
        params: dict[str, Any],
        media_type: str,
    ) -> web.Response:
        fast = getattr(self, "_fast", None)
        if fast is None:
            guards = self.schema.extensions[0]()  # type: ignore[attr-defined]
            graphql_schema = self.schema._schema  # type: ignore[attr-defined]

            @lru_cache(maxsize=512)
            def prepare(query: str) -> tuple[Any, Any]:
                document = extensions.parse_cached(query, max_tokens=guards.max_tokens)
                return document, validate_document(
                    graphql_schema, document, guards.rules
                )

            fast = self._fast = (guards, graphql_schema, prepare)  # type: ignore[attr-defined]
        guards, graphql_schema, prepare = fast
        try:
            document, errors = prepare(params["query"])
        except (GraphQLError, Exception):
            return await original(self, request, params, media_type)
        name = params.get("operationName") or None
        operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        selected = [
            op
            for op in operations
            if name is None or (op.name is not None and op.name.value == name)
        ]
        if errors or len(selected) != 1 or (name is None and len(operations) != 1):
            return await original(self, request, params, media_type)
        operation = selected[0]
        if operation.operation == OperationType.SUBSCRIPTION or (
            operation.operation == OperationType.MUTATION and request.method == "GET"
        ):
            return await original(self, request, params, media_type)
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        variables = params.get("variables") or {}
        actor = request[ACTOR_KEY]
        if extensions.operation_cost(operation, fragments, variables) > (
            guards.max_cost
        ) or (
            actor is not None
            and operation.operation == OperationType.MUTATION
            and "write" not in actor.scopes
        ):
            return await original(self, request, params, media_type)
        context = self.make_context(actor, view.client_meta(request))
        if operation.name is not None:
            context.operation_name = operation.name.value
        result = graphql_execute(
            graphql_schema,
            document,
            context_value=context,
            variable_values=params.get("variables"),
            operation_name=name,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=self.schema.execution_context_class,  # type: ignore[attr-defined]
        )
        if isawaitable(result):
            result = await result
        request[OPERATION_KEY] = context.operation_name
        request_error = view._is_request_error(result)  # type: ignore[arg-type]
        body: dict[str, Any] = {}
        if not (request_error and media_type == view.GRAPHQL_RESPONSE):
            body["data"] = result.data
        if result.errors:
            body["errors"] = [guards._format(e).formatted for e in result.errors]
        status = 400 if request_error and media_type == view.GRAPHQL_RESPONSE else 200
        return view.json_response(body, status=status, content_type=media_type)

    view.CareergraphView._execute = _execute  # type: ignore[method-assign]


PATCHES = {
    "jwt-cache": patch_jwt_cache,
    "lazy-loaders": patch_lazy_loaders,
    "no-limiter": patch_no_limiter,
    "direct-execute": patch_direct_execute,
}


# -- orchestration ---------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    import server
    from settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="careergraph-ablation-"))
    servers: dict[str, vt.ServerProcess] = {}
    try:
        high = 1_000_000_000
        settings = replace(
            Settings(),
            data_dir=tmp,
            database_url=f"sqlite://{tmp / 'careergraph.sqlite3'}",
            secret_key="bench-" + uuid.uuid4().hex,
            anonymous_rate_limit=high,
            session_rate_limit=high,
        )
        asyncio.run(server.migrate(settings))
        env = vt._child_env(
            {
                "DATA_DIR": str(settings.data_dir),
                "DATABASE_URL": settings.database_url,
                "SECRET_KEY": settings.secret_key,
                "ANONYMOUS_RATE_LIMIT": str(high),
                "SESSION_RATE_LIMIT": str(high),
            }
        )
        servers["plain"] = vt.start_server("plain", env, pin=args.pin)
        names = args.variants or list(VARIANTS)
        for name in names:
            argv = [__file__, "_serve", ",".join(VARIANTS[name]) or "-"]
            servers[name] = vt.start_server(name, env, pin=args.pin, argv=argv)
        token, viewer_id = asyncio.run(vt.sign_up_and_check(servers[names[0]].url))
        for name in names:  # every variant answers the same document
            asyncio.run(vt.check_viewer(servers[name].url, token, viewer_id))

        results: dict[str, list[dict[str, Any]]] = {k: [] for k in servers}
        print(
            f"{args.requests} timed requests after {args.warmup} warm-up, concurrency "
            f"{args.concurrency}, {args.rounds} rounds; servers on CPU 0, load on CPU 1"
        )
        for rnd in range(1, args.rounds + 1):
            for name, srv in servers.items():
                tok, expected = ("", "x") if name == "plain" else (token, viewer_id)
                res = vt.run_load(srv, args, tok, expected)
                results[name].append(res)
                print(
                    f"  round {rnd} {name:<15} {res['rps']:>6.0f} req/s "
                    f"{res['server_us_per_req'] or 0:>5.0f} µs/req",
                    flush=True,
                )

        def med(name: str, key: str) -> float:
            return statistics.median(r[key] or 0.0 for r in results[name])

        plain_rps, plain_us = med("plain", "rps"), med("plain", "server_us_per_req")
        base_us = med(names[0], "server_us_per_req") if "baseline" in names else None
        print()
        header = (
            f"{'variant':<15} {'req/s':>7} {'server µs/req':>14} {'saved µs':>9} "
            f"{'rps ratio':>10} {'CPU ratio':>10}"
        )
        print(header)
        print("-" * len(header))
        for name in servers:
            rps, us = med(name, "rps"), med(name, "server_us_per_req")
            saved = "" if base_us is None or name == "plain" else f"{base_us - us:.0f}"
            print(
                f"{name:<15} {rps:>7.0f} {us:>14.0f} {saved:>9} "
                f"{plain_rps / rps:>10.2f} {us / plain_us if plain_us else 0:>10.2f}"
            )
        print(
            "\nrps ratio = plain_rps / variant_rps (the load process saturates first "
            "on the plain handler);\nCPU ratio = server CPU per request / plain's."
        )
    finally:
        for srv in servers.values():
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "_serve":
        if "--pin" in argv:
            vt._pin(vt.SERVER_CPU)
        for name in argv[1].split(","):
            if name != "-":
                PATCHES[name]()
        asyncio.run(vt._serve("graphql"))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=120)
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("variants", nargs="*", help=f"default: all of {list(VARIANTS)}")
    args = parser.parse_args(argv)
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(
            f"unknown variants {sorted(unknown)}; choose from {list(VARIANTS)}"
        )
    import os

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "sched_setaffinity"):
        args.pin = False
    os.environ.pop("REDIS_URL", None)
    try:
        run(args)
    except vt.BenchError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
