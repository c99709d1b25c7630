"""The server processes of the benchmarks, shared by bench/throughput.py and
bench/subscribers.py.

- `start(script, args, env, cpu=...)`: run `python script _serve ...` (optionally
  pinned to one CPU with `taskset`), wait for its `READY <port>` line and return a
  `ServerProcess` (stopped by closing its stdin);
- `serve(app)`: the child's side: run an aiohttp app on a free port of 127.0.0.1
  without access log, print `READY <port>`, serve until stdin closes.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import viewer_throughput as vt  # noqa: E402  (ServerProcess, BenchError)

ServerProcess = vt.ServerProcess
BenchError = vt.BenchError


def start(
    script: str | Path,
    args: list[str],
    env: dict[str, str],
    *,
    cpu: int | None,
    kind: str = "graphql",
) -> vt.ServerProcess:
    """Start `script _serve *args`; wait for its READY line."""
    argv = [sys.executable, str(script), "_serve", *args]
    if cpu is not None:
        argv = ["taskset", "-c", str(cpu), *argv]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise vt.BenchError(f"{kind} server did not start (exit {proc.poll()})")
    return vt.ServerProcess(kind, proc, int(line.split()[1]))


async def serve(app: Any) -> None:
    """Serve `app` until the parent closes stdin."""
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"READY {runner.addresses[0][1]}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_reader(sys.stdin.fileno(), stop.set)
    await stop.wait()
    await runner.cleanup()
