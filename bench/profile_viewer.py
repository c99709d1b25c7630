"""Profile the server side of an authenticated `query { viewer { id } }`.

    .venv/bin/python bench/profile_viewer.py [--requests 2000] [--top 40]
    .venv/bin/python bench/profile_viewer.py --pyinstrument   # needs pyinstrument

The real app (`server.create_app`) runs in this process on a temp SQLite DATA_DIR with
the rate limiter in the path (limits set very high); a user signs up, then the load
process of `viewer_throughput.py` (a separate process, pinned to CPU 1 when possible)
sends `--requests` requests at concurrency 16 while cProfile (or pyinstrument) records
this process. Prints the top functions by cumulative and by own time, and saves the raw
stats next to the temp dir (path printed) for `python -m pstats`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

import viewer_throughput as vt  # noqa: E402


async def run(args: argparse.Namespace, tmp: Path) -> None:
    from aiohttp import web

    import server
    from settings import Settings

    high = 1_000_000_000
    settings = replace(
        Settings(),
        data_dir=tmp,
        database_url=f"sqlite://{tmp / 'careergraph.sqlite3'}",
        secret_key="bench-" + uuid.uuid4().hex,
        anonymous_rate_limit=high,
        session_rate_limit=high,
    )
    await server.migrate(settings)
    runner = web.AppRunner(server.create_app(settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/graphql"
    try:
        token, viewer_id = await vt.sign_up_and_check(url)
        cfg = {
            "url": url,
            "token": token,
            "expected_id": viewer_id,
            "concurrency": args.concurrency,
            "warmup": 0,
            "requests": args.requests,
            "time_limit": 300,
            "server_pid": os.getpid(),
        }
        # warm caches (parse/validate LRU, limiter items) outside the profile
        warm = dict(cfg, requests=200)
        await _load_process(warm, args.pin)

        if args.pyinstrument:
            from pyinstrument import Profiler  # type: ignore[import-not-found]

            profiler = Profiler(interval=0.0002, async_mode="disabled")
            profiler.start()
            result = await _load_process(cfg, args.pin)
            profiler.stop()
            print(f"load: {result['rps']:.0f} req/s under pyinstrument")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
        prof = cProfile.Profile()
        prof.enable()
        result = await _load_process(cfg, args.pin)
        prof.disable()
    finally:
        await runner.cleanup()
    print(f"load: {result['rps']:.0f} req/s under cProfile ({args.requests} requests)")
    out = Path(tempfile.gettempdir()) / "careergraph-viewer.pstats"
    prof.dump_stats(out)
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key)
        stats.print_stats(args.top)
        print(f"\n===== top {args.top} by {key} =====")
        print(buf.getvalue().split("\n\n", 1)[-1])
    print(f"raw stats: {out}")


async def _load_process(cfg: dict[str, object], pin: bool) -> dict[str, float]:
    cmd = [sys.executable, vt.__file__, "_load", json.dumps(cfg)]
    if pin:
        cmd.append("--pin")
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        cwd=ROOT,
        env=vt._child_env({}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=330)
    if proc.returncode != 0:
        raise vt.BenchError(f"load failed:\n{err.decode()[-2000:]}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    args = parser.parse_args()
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "sched_setaffinity"):
        args.pin = False
    if args.pin:
        vt._pin(vt.SERVER_CPU)
    os.environ.pop("REDIS_URL", None)
    tmp = Path(tempfile.mkdtemp(prefix="careergraph-profile-"))
    try:
        asyncio.run(run(args, tmp))
    except vt.BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
