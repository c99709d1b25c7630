"""Latency of a small query while 20 uploads are being parsed, against idle.

    .venv/bin/python bench/upload_latency.py [--uploads 20] [--samples 60]

Starts `python server.py serve` (SQLite in a temp DATA_DIR, in-process jobs, the
offline engine), signs up, then measures `query { viewer { id } }` one request at a
time: first idle, then right after `--uploads` resume uploads (corpus PDFs, each
made unique) return, while their parses run in the background. Prints the median
and p95 latency of both phases and their ratio (project target: in-flight median
within 5x of idle), and how long the parses took in all.
Exit status 0 whatever the figures; 1 when a request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "resumes"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SMALL = "query { viewer { id } }"
SIGN_UP = """mutation { signUp(input: {email: "bench@example.com",
  password: "correct horse battery staple", name: "Bench"}) { accessToken } }"""
UPLOAD = """mutation U($input: UploadResumeInput!) {
  uploadResume(input: $input) { resume { id } userErrors { code message } } }"""
STATUSES = "query { resumes(first: 100) { nodes { status } } }"
TARGET = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _files(count: int) -> list[bytes]:
    from tests.helpers import text_pdf

    sources = sorted(CORPUS.glob("*.pdf")) if CORPUS.exists() else []
    blobs = [path.read_bytes() for path in sources] or [
        text_pdf(["Jane Doe", "jane@example.com", "Experience", "Engineer, Acme"])
    ]
    # a trailing comment keeps each PDF valid and makes its content hash unique
    return [blobs[i % len(blobs)] + f"\n% copy {i}\n".encode() for i in range(count)]


async def _post(
    session: aiohttp.ClientSession, url: str, token: str, query: str
) -> dict[str, Any]:
    response = await session.post(
        url, json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = await response.json()
    if response.status != 200 or "errors" in body:
        raise SystemExit(f"request failed: {response.status} {body}")
    return body


async def _latencies(
    session: aiohttp.ClientSession, url: str, token: str, samples: int
) -> list[float]:
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        await _post(session, url, token, SMALL)
        out.append((time.perf_counter() - started) * 1000)
    return out


async def _upload(
    session: aiohttp.ClientSession, url: str, token: str, data: bytes, name: str
) -> None:
    form = aiohttp.FormData()
    form.add_field(
        "operations",
        json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}}),
    )
    form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
    form.add_field("0", data, filename=name)
    response = await session.post(
        url,
        data=form,
        headers={"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1"},
    )
    body = await response.json()
    errors = body.get("errors") or body["data"]["uploadResume"]["userErrors"]
    if errors:
        raise SystemExit(f"upload failed: {errors}")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def run(uploads: int, samples: int) -> None:
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DATA_DIR": data_dir,
            "DATABASE_URL": f"sqlite://{data_dir}/bench.sqlite3",
            "PORT": str(port),
            "ANONYMOUS_RATE_LIMIT": "100000",
            "SESSION_RATE_LIMIT": "100000",
            "STARTING_CREDITS": "1000",
        }
        proc = subprocess.Popen(
            [sys.executable, "server.py", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.1)
            url = f"http://127.0.0.1:{port}/graphql"
            async with aiohttp.ClientSession() as session:
                response = await session.post(url, json={"query": SIGN_UP})
                token = (await response.json())["data"]["signUp"]["accessToken"]
                await _latencies(session, url, token, 20)  # warm-up
                idle = await _latencies(session, url, token, samples)
                files = _files(uploads)
                started = time.perf_counter()
                await asyncio.gather(
                    *(
                        _upload(session, url, token, data, f"r{i}.pdf")
                        for i, data in enumerate(files)
                    )
                )
                busy: list[float] = []
                while True:
                    busy.extend(await _latencies(session, url, token, 5))
                    body = await _post(session, url, token, STATUSES)
                    statuses = [n["status"] for n in body["data"]["resumes"]["nodes"]]
                    if "PROCESSING" not in statuses:
                        break
                parse_seconds = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=20)

    idle_med, busy_med = statistics.median(idle), statistics.median(busy)
    ratio = busy_med / idle_med
    print(f"{uploads} uploads, {len(busy)} small queries while they were parsed")
    print(f"{'phase':<12}{'median ms':>12}{'p95 ms':>10}{'samples':>9}")
    print(f"{'idle':<12}{idle_med:>12.2f}{_p95(idle):>10.2f}{len(idle):>9}")
    print(f"{'20 in flight':<12}{busy_med:>12.2f}{_p95(busy):>10.2f}{len(busy):>9}")
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"ratio in-flight / idle (median) = {ratio:.2f}  ({verdict} <= {TARGET:g})")
    print(f"ratio in-flight / idle (p95)    = {_p95(busy) / _p95(idle):.2f}")
    print(f"all {uploads} parses finished in {parse_seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(run(args.uploads, args.samples))


if __name__ == "__main__":
    main()
