"""1,000 `resumeEvents` subscribers, one event published to all of them.

    .venv/bin/python bench/subscribers.py [--subscribers 1000] [--clients 2]
                                          [--redis redis://127.0.0.1:6379/7]
                                          (or BENCH_REDIS_URL in the environment)
                                          [--paths shared,per-socket] [--rounds 3]

Two set-ups, each in a temp DATA_DIR with a migrated SQLite database and one
resume left PROCESSING:

1. one server process, in-process pub/sub;
2. two server processes sharing Redis (pub/sub there; database 7 by default), the
   subscribers split between them.

Server processes run on CPU 0, the subscriber processes (`--clients`, aiohttp
WebSocket clients speaking graphql-transport-ws) on CPU 1. Every socket signs in
with the owner's JWT (connection_init) and subscribes; once each has received the
current state, the server's RSS is read again (memory per open socket = RSS growth
/ sockets). Then one READY event is published (set-up 1: through a bench-only route
of the server process, on its own pub/sub; set-up 2: on Redis, as a worker would)
with the wall-clock time of publication; each subscriber notes when the event
arrived. Printed: sockets, delivered, p50/p99/max delivery in ms, KiB per socket.
Delivery time includes the client processes' own scheduling (two cores in all).

`--paths shared,per-socket --rounds N` alternates the shared delivery
(transport/fanout.py, the default) with the per-socket one (strawberry executes
each event for each socket, `Sockets.share_events = False`), N rounds, so both
are measured in the same window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import servers  # noqa: E402  (server processes)
import viewer_throughput as vt  # noqa: E402  (helpers: sign-up)

SERVER_CPU = 0
CLIENT_CPU = 1
SUBSCRIBE = "subscription S($id: ID!) { resumeEvents(resumeId: $id) { status stage } }"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# -- server ----------------------------------------------------------------------------


async def _serve(path: str) -> None:
    from aiohttp import web

    import server
    from services import resumes
    from settings import Settings
    from transport.keys import RUNTIME_KEY
    from transport.websocket import Sockets

    # "per-socket": strawberry executes every event once per socket (as before the
    # shared delivery of transport/fanout.py), for the A/B of --rounds
    Sockets.share_events = path != "per-socket"

    app = server.create_app(Settings.from_env())

    async def publish(request: web.Request) -> web.Response:
        """Bench only: publish a READY event on this process's pub/sub."""
        resume_id = int(request.query["resume"])
        sent = time.time()
        await request.app[RUNTIME_KEY].pubsub.publish(
            resumes.channel(resume_id), ready_event(resume_id)
        )
        return web.json_response({"sent": sent})

    app.router.add_post("/bench/publish", publish)
    await servers.serve(app)


def ready_event(resume_id: int) -> dict[str, Any]:
    return {
        "resume_id": resume_id,
        "status": "READY",
        "stage": "done",
        "progress": 100,
        "error_code": None,
        "error_message": None,
    }


def start(env: dict[str, str], path: str) -> vt.ServerProcess:
    return servers.start(__file__, [path], env, cpu=SERVER_CPU)


# -- subscriber process ----------------------------------------------------------------


async def _subscribe(cfg: dict[str, Any]) -> None:
    """Open the sockets, report READY, wait for the event, print arrival times."""
    import aiohttp

    arrivals: list[float] = []
    ready = 0
    all_ready = asyncio.Event()
    done = asyncio.Event()
    total = sum(n for _, n in cfg["targets"])
    timeout = aiohttp.ClientTimeout(total=None)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def one(url: str) -> None:
            nonlocal ready
            async with session.ws_connect(
                url, protocols=["graphql-transport-ws"], max_msg_size=0
            ) as ws:
                await ws.send_json(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": cfg["token"]},
                    }
                )
                ack = await ws.receive_json()
                if ack.get("type") != "connection_ack":
                    raise vt.BenchError(f"no ack: {ack}")
                await ws.send_json(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {
                            "query": SUBSCRIBE,
                            "variables": {"id": cfg["resume_gid"]},
                        },
                    }
                )
                first = await ws.receive_json()
                if first.get("type") != "next":
                    raise vt.BenchError(f"unexpected answer to subscribe: {first}")
                status = first["payload"]["data"]["resumeEvents"]["status"]
                if status != "PROCESSING":
                    raise vt.BenchError(f"unexpected first event: {first}")
                ready += 1
                if ready == total:
                    all_ready.set()
                while True:  # events of the resume's own run may come first
                    message = await ws.receive()
                    if message.type != aiohttp.WSMsgType.TEXT:
                        raise vt.BenchError(
                            f"socket closed: {message.type} {ws.close_code}"
                        )
                    event = json.loads(message.data)
                    if event.get("type") != "next":
                        raise vt.BenchError(f"unexpected message: {event}")
                    status = event["payload"]["data"]["resumeEvents"]["status"]
                    if status == "READY":
                        arrivals.append(time.time())
                        break
                if len(arrivals) == total:
                    done.set()

        tasks = []
        for url, count in cfg["targets"]:
            for _ in range(count):
                tasks.append(asyncio.create_task(one(url)))
                await asyncio.sleep(0)
        waiter = asyncio.create_task(all_ready.wait())
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done() and task.exception():
                raise task.exception()  # type: ignore[misc]
        print("READY", flush=True)
        await asyncio.wait_for(done.wait(), timeout=60)
        print(json.dumps(arrivals), flush=True)
        await asyncio.gather(*tasks, return_exceptions=True)


# -- orchestration ---------------------------------------------------------------------


async def _owner_with_resume(settings: Any, url: str) -> tuple[str, int]:
    from strawberry import relay
    from tortoise import Tortoise

    import settings as settings_module
    from models.accounts import Organization
    from models.resumes import Resume

    token, _ = await vt.sign_up_and_check(url)
    await Tortoise.init(config=settings_module.tortoise_config(settings.database_url))
    try:
        org = await Organization.all().order_by("-id").first()
        assert org is not None
        resume = await Resume.create(
            organization_id=org.id, title="Live", status="PROCESSING", progress=10
        )
    finally:
        await Tortoise.close_connections()
    del relay
    return token, resume.id


def setup(args: argparse.Namespace, processes: int, redis_url: str, path: str) -> None:
    import server
    from settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="careergraph-subscribers-"))
    servers: list[vt.ServerProcess] = []
    clients: list[subprocess.Popen[str]] = []
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
                "DATA_DIR": str(tmp),
                "DATABASE_URL": settings.database_url,
                "SECRET_KEY": settings.secret_key,
                "ANONYMOUS_RATE_LIMIT": str(high),
                "SESSION_RATE_LIMIT": str(high),
            }
        )
        if redis_url:
            env["REDIS_URL"] = redis_url
            import redis

            with redis.Redis.from_url(redis_url) as client:
                client.flushdb()  # no job left over from an earlier run
        for _ in range(processes):
            servers.append(start(env, path))
        token, resume_id = asyncio.run(_owner_with_resume(settings, servers[0].url))
        from strawberry import relay

        before = [_rss_kib(s.proc.pid) for s in servers]
        per_client = args.subscribers // args.clients
        for _c in range(args.clients):
            share = per_client // processes
            targets = [(f"ws://127.0.0.1:{s.port}/graphql", share) for s in servers]
            cfg = {
                "targets": targets,
                "token": token,
                "resume_gid": relay.to_base64("Resume", resume_id),
            }
            clients.append(
                subprocess.Popen(
                    [
                        "taskset",
                        "-c",
                        str(CLIENT_CPU),
                        sys.executable,
                        __file__,
                        "_subscribe",
                        json.dumps(cfg),
                    ],
                    cwd=ROOT,
                    env=vt._child_env({}),
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for proc in clients:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "READY":
                raise vt.BenchError(f"a subscriber process failed ({proc.wait()})")
        time.sleep(1.0)  # let the servers settle before reading RSS
        after = [_rss_kib(s.proc.pid) for s in servers]
        sockets = per_client * args.clients
        sent = publish(servers[0], resume_id, redis_url)
        arrivals: list[float] = []
        for proc in clients:
            assert proc.stdout is not None
            arrivals += json.loads(proc.stdout.readline())
            proc.wait(timeout=30)
        delays = sorted((t - sent) * 1000 for t in arrivals)
        p99 = delays[max(0, int(len(delays) * 0.99) - 1)]
        kib = (sum(after) - sum(before)) / sockets
        where = "in-process pub/sub" if not redis_url else "Redis pub/sub"
        print(
            f"{processes} server process(es), {where}, {path}: {sockets} sockets, "
            f"{len(delays)} delivered; delivery p50 {statistics.median(delays):.1f} "
            f"ms, p99 {p99:.1f} ms, max {delays[-1]:.1f} ms; "
            f"{kib:.0f} KiB RSS per open socket"
        )
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def publish(first: vt.ServerProcess, resume_id: int, redis_url: str) -> float:
    if redis_url:
        import redis

        from services import resumes

        client = redis.Redis.from_url(redis_url)
        sent = time.time()
        client.publish(resumes.channel(resume_id), json.dumps(ready_event(resume_id)))
        client.close()
        return sent
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{first.port}/bench/publish?resume={resume_id}", method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        sent: float = json.loads(response.read())["sent"]
    return sent


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_serve":
        import uvloop

        uvloop.run(_serve(argv[1] if len(argv) > 1 else "shared"))
        return 0
    if argv and argv[0] == "_subscribe":
        import uvloop

        uvloop.run(_subscribe(json.loads(argv[1])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        help="Redis of set-up 2 (flushed first; default $BENCH_REDIS_URL or db 7)",
    )
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--skip-memory", action="store_true", help="set-up 2 only")
    parser.add_argument(
        "--paths",
        default="shared",
        help="comma-separated delivery paths to run, alternating: shared (one "
        "execution per event and group of sockets) and/or per-socket",
    )
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    if not paths or any(p not in ("shared", "per-socket") for p in paths):
        parser.error("--paths takes shared and/or per-socket")
    os.environ.pop("REDIS_URL", None)
    try:
        for _round in range(args.rounds):
            for path in paths:
                if not args.skip_memory:
                    setup(args, 1, "", path)
                if not args.skip_redis:
                    setup(args, 2, args.redis, path)
    except vt.BenchError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
