"""The GraphQL-over-HTTP reference audit (npm `graphql-http`, `serverAudits`) against a
real `server.py serve` process: zero failures and zero warnings."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT.parent / "shared" / "tools" / "http-audit"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm")
@pytest.mark.skipif(not AUDIT.exists(), reason="needs ../shared/tools/http-audit")
def test_graphql_over_http_audit_passes_without_warnings(tmp_path: Path) -> None:
    runner = tmp_path / "audit"
    shutil.copytree(AUDIT, runner, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund"],
        cwd=runner,
        check=True,
        timeout=300,
    )
    port = _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path / "data"),
        "PORT": str(port),
        "ANONYMOUS_RATE_LIMIT": "100000",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "server.py", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        done = subprocess.run(
            ["node", "audit.mjs", f"http://127.0.0.1:{port}/graphql", "--json"],
            cwd=runner,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        report = json.loads(done.stdout)
        failing = [r for r in report["results"] if r["status"] != "ok"]
        assert failing == []
        assert report["summary"]["error"] == report["summary"]["warn"] == 0
        assert report["summary"]["ok"] == report["summary"]["total"] >= 60
    finally:
        server.terminate()
        server.wait(timeout=10)
