"""Throughput of an authenticated `query { viewer { id } }` through the real server,
against a plain aiohttp JSON handler measured in the same run.

    .venv/bin/python bench/viewer_throughput.py [--requests 3000] [--concurrency 16]

Section 1 (HTTP): a temp DATA_DIR with a migrated SQLite database; two server
processes on 127.0.0.1 (free ports): `server.create_app(settings)` with the rate
limiter in the path (limits set very high so nothing is rejected), and a plain
`web.json_response({"data": {"viewer": {"id": "x"}}})` handler. A user signs up through
the `signUp` mutation; its access token authenticates every request. A separate load
process (aiohttp ClientSession, keep-alive, bounded concurrency) sends the same POST to
each server: a warm-up, then `--requests` timed requests, alternating plain, graphql,
plain, graphql... for `--rounds` rounds. On Linux with 2+ CPUs the servers are pinned
to CPU 0 and the load process to CPU 1, so server and client never share a core.
Printed: rps per round, server CPU per request, client CPU use, the medians and
`ratio = plain_rps / graphql_rps` (project target: ratio <= 4).

Section 2 (in process): microseconds per `{ plans { id } }` through
`schema.execute` with our `Guards` (validation rules built once, LRU-cached parse and
validate) versus a strawberry.Schema built from the same root types with
`QueryDepthLimiter`/`MaxAliasesLimiter` as per-request factories plus strawberry's
`ParserCache`/`ValidationCache` (the limiters create new rule classes per request, so
the validation cache never hits).

Exit status 0 whatever the figures (it's a benchmark), 1 when a request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VIEWER_QUERY = "query { viewer { id } }"
PLAIN_BODY = {"data": {"viewer": {"id": "x"}}}
SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { accessToken user { id } userErrors { message } }
}
"""
SERVER_CPU = 0
CLIENT_CPU = 1
TARGET_RATIO = 4.0


class BenchError(Exception):
    """A request failed or a process misbehaved: the run is not valid."""


# -- helpers ---------------------------------------------------------------------------


def _pin(cpu: int) -> None:
    """Pin this process to one CPU when the machine has enough of them."""
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {cpu})


def _proc_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


# -- server process --------------------------------------------------------------------


async def _serve(kind: str) -> None:
    from aiohttp import web

    if kind == "graphql":
        import server
        from settings import Settings

        # the same settings `python server.py serve` reads (DATA_DIR, DATABASE_URL,
        # SECRET_KEY, ANONYMOUS_RATE_LIMIT, SESSION_RATE_LIMIT come from the env)
        app = server.create_app(Settings.from_env())
    else:

        async def plain(request: web.Request) -> web.Response:
            return web.json_response(PLAIN_BODY)

        app = web.Application()
        app.router.add_route("*", "/graphql", plain)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"READY {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(sys.stdin.fileno(), stop.set)  # parent closes stdin to stop us
    await stop.wait()
    await runner.cleanup()


@dataclass
class ServerProcess:
    kind: str
    proc: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(
    kind: str, env: dict[str, str], *, pin: bool, argv: list[str] | None = None
) -> ServerProcess:
    """Start `_serve kind` of this script (or `argv`); wait for its READY line."""
    args = [sys.executable, *(argv or [__file__, "_serve", kind])]
    if pin:
        args.append("--pin")
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("READY ") or not line:
            break
    if not line.startswith("READY "):
        proc.kill()
        raise BenchError(f"{kind} server did not start (exit {proc.poll()})")
    return ServerProcess(kind, proc, int(line.split()[1]))


# -- load process ----------------------------------------------------------------------


async def _load(cfg: dict[str, Any]) -> dict[str, Any]:
    """Warm up, then time `requests` POSTs at `concurrency` over keep-alive."""
    import aiohttp

    url: str = cfg["url"]
    body = json.dumps({"query": VIEWER_QUERY}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if cfg.get("token"):
        headers["Authorization"] = f"Bearer {cfg['token']}"
    expected_id: str = cfg["expected_id"]
    concurrency: int = cfg["concurrency"]
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=10)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one() -> None:
            async with session.post(url, data=body, headers=headers) as resp:
                raw = await resp.read()
                status = resp.status
            if status != 200:
                raise BenchError(f"{url}: HTTP {status}: {raw[:300]!r}")
            doc = json.loads(raw)
            if doc.get("errors") or doc["data"]["viewer"]["id"] != expected_id:
                raise BenchError(f"{url}: unexpected body {raw[:300]!r}")

        async def run(total: int) -> None:
            remaining = total

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await one()

            await asyncio.gather(*(worker() for _ in range(concurrency)))

        async with asyncio.timeout(cfg["time_limit"]):
            await run(cfg["warmup"])
            server_cpu0 = _proc_cpu_seconds(cfg["server_pid"])
            client_cpu0 = time.process_time()
            t0 = time.perf_counter()
            await run(cfg["requests"])
            elapsed = time.perf_counter() - t0
            client_cpu = time.process_time() - client_cpu0
            server_cpu1 = _proc_cpu_seconds(cfg["server_pid"])
    n = cfg["requests"]
    server_cpu = (
        server_cpu1 - server_cpu0
        if server_cpu0 is not None and server_cpu1 is not None
        else None
    )
    return {
        "rps": n / elapsed,
        "elapsed": elapsed,
        "server_us_per_req": None if server_cpu is None else server_cpu / n * 1e6,
        "server_cpu_share": None if server_cpu is None else server_cpu / elapsed,
        "client_cpu_share": client_cpu / elapsed,
    }


def run_load(
    server: ServerProcess, args: argparse.Namespace, token: str, expected_id: str
) -> dict[str, Any]:
    cfg = {
        "url": server.url,
        "token": token,
        "expected_id": expected_id,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "requests": args.requests,
        "time_limit": args.time_limit,
        "server_pid": server.proc.pid,
    }
    cmd = [sys.executable, __file__, "_load", json.dumps(cfg)]
    if args.pin:
        cmd.append("--pin")
    try:
        done = subprocess.run(
            cmd,
            cwd=ROOT,
            env=_child_env({}),
            capture_output=True,
            text=True,
            timeout=args.time_limit + 30,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"load against {server.kind} timed out") from exc
    if done.returncode != 0:
        raise BenchError(
            f"load against {server.kind} failed:\n{done.stderr.strip()[-2000:]}"
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- orchestration ---------------------------------------------------------------------


async def sign_up_and_check(url: str) -> tuple[str, str]:
    """Sign up a user; return its access token and the `viewer.id` it gets."""
    import aiohttp

    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    variables = {
        "input": {"email": email, "password": "bench password 1234", "name": "Bench"}
    }
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as s:
        async with s.post(url, json={"query": SIGN_UP, "variables": variables}) as r:
            body = await r.json(content_type=None)
        payload = (body.get("data") or {}).get("signUp") or {}
        if r.status != 200 or body.get("errors") or payload.get("userErrors"):
            raise BenchError(f"signUp failed: HTTP {r.status}: {body}")
        token: str = payload["accessToken"]
    from strawberry import relay

    # the viewer has its own global id (type Viewer) with its user's key
    viewer_id = relay.to_base64("Viewer", relay.from_base64(payload["user"]["id"])[1])
    await check_viewer(url, token, viewer_id)
    return token, viewer_id


async def check_viewer(url: str, token: str, expected_id: str) -> None:
    """One authenticated `viewer { id }`: the expected id, rate-limit headers."""
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(timeout=timeout) as s,
        s.post(url, json={"query": VIEWER_QUERY}, headers=headers) as r,
    ):
        body = await r.json(content_type=None)
    if r.status != 200 or body.get("errors"):
        raise BenchError(f"viewer failed: HTTP {r.status}: {body}")
    if body["data"]["viewer"]["id"] != expected_id:
        raise BenchError(f"viewer.id {body['data']['viewer']['id']} != {expected_id}")
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
        if name not in r.headers:
            raise BenchError(f"rate limiter not in the path: no {name} header")


def http_section(args: argparse.Namespace) -> tuple[float, float]:
    import server
    from settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="careergraph-bench-"))
    servers: list[ServerProcess] = []
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
        env = _child_env(
            {
                "DATA_DIR": str(settings.data_dir),
                "DATABASE_URL": settings.database_url,
                "SECRET_KEY": settings.secret_key,
                "ANONYMOUS_RATE_LIMIT": str(high),
                "SESSION_RATE_LIMIT": str(high),
            }
        )
        plain = start_server("plain", env, pin=args.pin)
        servers.append(plain)
        graphql = start_server("graphql", env, pin=args.pin)
        servers.append(graphql)
        token, viewer_id = asyncio.run(sign_up_and_check(graphql.url))

        print(
            f"HTTP: POST {VIEWER_QUERY!r}, {args.requests} timed requests after "
            f"{args.warmup} warm-up, concurrency {args.concurrency}, keep-alive, "
            f"{args.rounds} alternating rounds"
        )
        if args.pin:
            print(f"      servers pinned to CPU {SERVER_CPU}, load to CPU {CLIENT_CPU}")
        print()
        header = (
            f"{'round':>5}  {'target':<8} {'req/s':>9} {'server µs/req':>14} "
            f"{'server CPU':>11} {'client CPU':>11}"
        )
        disturbed = 0

        def row(label: str, kind: str, r: dict[str, Any]) -> str:
            us, share = r["server_us_per_req"], r["server_cpu_share"]
            return (
                f"{label:>5}  {kind:<8} {r['rps']:>9.0f} "
                f"{'n/a' if us is None else f'{us:.0f}':>14} "
                f"{'n/a' if share is None else f'{share:.0%}':>11} "
                f"{r['client_cpu_share']:>11.0%}"
            )

        print(header)
        print("-" * len(header))
        results: dict[str, list[dict[str, Any]]] = {"plain": [], "graphql": []}
        for rnd in range(1, args.rounds + 1):
            for target, expected, tok in (
                (plain, "x", ""),
                (graphql, viewer_id, token),
            ):
                res = run_load(target, args, tok, expected)
                results[target.kind].append(res)
                # neither side saturated: something else had the CPU
                busy = max(res["server_cpu_share"] or 1.0, res["client_cpu_share"])
                mark = "" if busy >= 0.85 else "  *"
                disturbed += bool(mark)
                print(row(str(rnd), target.kind, res) + mark, flush=True)
        print("-" * len(header))

        def med(kind: str, key: str) -> float | None:
            values = [r[key] for r in results[kind] if r[key] is not None]
            return statistics.median(values) if values else None

        plain_rps = med("plain", "rps") or 0.0
        graphql_rps = med("graphql", "rps") or 0.0
        for kind in ("plain", "graphql"):
            keys = ("rps", "server_us_per_req", "server_cpu_share", "client_cpu_share")
            print(row("med", kind, {k: med(kind, k) for k in keys}))
        if disturbed:
            print(
                f"* {disturbed} run(s) saturated neither the server nor the load "
                "process: other work on the machine took CPU; req/s figures are\n"
                "  unreliable then (server µs/req much less so). Rerun on a quiet "
                "machine."
            )
        print()
        ratio = plain_rps / graphql_rps
        verdict = "meets" if ratio <= TARGET_RATIO else "misses"
        print(f"plain_rps   = {plain_rps:.0f}")
        print(f"graphql_rps = {graphql_rps:.0f}")
        print(
            f"ratio = plain_rps / graphql_rps = {ratio:.2f}  "
            f"({verdict} the target ratio <= {TARGET_RATIO:g})"
        )
        p_us, g_us = (
            med("plain", "server_us_per_req"),
            med("graphql", "server_us_per_req"),
        )
        if p_us and g_us:
            print(
                f"server CPU per request: plain {p_us:.0f} µs, graphql {g_us:.0f} µs "
                f"(ratio {g_us / p_us:.2f})"
            )
        client_share = med("plain", "client_cpu_share") or 0.0
        if client_share >= 0.9:
            print(
                f"note: the load process used {client_share:.0%} of its CPU against "
                "the plain handler, so plain_rps is bounded by the load generator;\n"
                "      the server-CPU ratio above is the closer measure of the gap."
            )
        return plain_rps, graphql_rps
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# -- validation-cache section ----------------------------------------------------------


async def validation_section(args: argparse.Namespace) -> None:
    import strawberry
    from strawberry.extensions import (
        MaxAliasesLimiter,
        ParserCache,
        QueryDepthLimiter,
        ValidationCache,
    )
    from strawberry.schema.config import StrawberryConfig

    import server
    from schema.accounts import (
        ApiKeyNode,
        OrganizationNode,
        SecurityEventNode,
        UserNode,
    )
    from schema.root import Mutation, Query, Subscription, build_schema
    from services.accounts import RequestMeta
    from settings import Settings
    from transport.view import CareergraphView

    settings = replace(Settings(), secret_key="bench-" + uuid.uuid4().hex)

    def on_unexpected(error: Any) -> None:
        raise BenchError(f"unexpected error: {error}")

    ours = build_schema(settings, on_unexpected=on_unexpected)
    common: dict[str, Any] = {
        "query": Query,
        "mutation": Mutation,
        "subscription": Subscription,
        "types": [UserNode, OrganizationNode, ApiKeyNode, SecurityEventNode],
        "config": StrawberryConfig(disable_field_suggestions=False),
    }
    per_request = strawberry.Schema(
        **common,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.max_depth),
            lambda: MaxAliasesLimiter(settings.max_aliases),
            lambda: ParserCache(),
            lambda: ValidationCache(),
        ],
    )
    caches_only = strawberry.Schema(
        **common, extensions=[lambda: ParserCache(), lambda: ValidationCache()]
    )
    view = CareergraphView(ours, server.build_runtime(settings))
    meta = RequestMeta(ip="127.0.0.1", user_agent="bench")
    query = "{ plans { id } }"
    variants = [
        ("Guards (rules built once)", ours),
        ("limiters rebuilt per request", per_request),
        ("(info) caches, no limiters", caches_only),
    ]

    async def measure(schema: Any, n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            result = await schema.execute(
                query, context_value=view.make_context(None, meta)
            )
            if result.errors or not result.data["plans"]:
                raise BenchError(f"in-process execute failed: {result.errors}")
        return (time.perf_counter() - t0) / n * 1e6

    for _, schema in variants:
        await measure(schema, args.ops // 10)
    timings: dict[str, list[float]] = {name: [] for name, _ in variants}
    for _ in range(args.rounds):
        for name, schema in variants:
            timings[name].append(await measure(schema, args.ops))

    print(
        f"\nIn process: schema.execute({query!r}), {args.ops} ops x "
        f"{args.rounds} alternating rounds, median µs/op"
    )
    header = f"{'variant':<30} {'µs/op':>8}   rounds"
    print(header)
    print("-" * len(header))
    medians = {}
    for name, values in timings.items():
        medians[name] = statistics.median(values)
        rounds = " ".join(f"{v:.0f}" for v in values)
        print(f"{name:<30} {medians[name]:>8.1f}   {rounds}")
    print("-" * len(header))
    ours_us = medians[variants[0][0]]
    rebuilt_us = medians[variants[1][0]]
    print(
        f"validation-cache effect: per-request limiters / Guards = "
        f"{rebuilt_us / ours_us:.2f}x  ({rebuilt_us - ours_us:.0f} µs/op saved)"
    )


# -- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_serve", "_load"):  # internal: child processes
        mode, arg, *rest = argv
        if "--pin" in rest:
            _pin(SERVER_CPU if mode == "_serve" else CLIENT_CPU)
        if mode == "_serve":
            asyncio.run(_serve(arg))
            return 0
        try:
            print(json.dumps(asyncio.run(_load(json.loads(arg)))))
        except (BenchError, TimeoutError, OSError) as exc:
            print(f"error: {exc!r}", file=sys.stderr)
            return 1
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--time-limit", type=float, default=120, help="seconds per load run, at most"
    )
    parser.add_argument("--ops", type=int, default=3000, help="in-process ops/round")
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-validation", action="store_true")
    args = parser.parse_args(argv)
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "sched_setaffinity"):
        args.pin = False
    os.environ.pop("REDIS_URL", None)  # memory limiter, denylist and broker

    try:
        if not args.skip_http:
            http_section(args)
        if not args.skip_validation:
            asyncio.run(validation_section(args))
    except BenchError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
