"""Real `server.py` processes on the test database (and Redis): their environment,
free ports, starting and waiting for them, and a second server as a fixture."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import aiohttp
import pytest

from settings import Settings
from tests.helpers import BACKEND, ROOT, UPLOAD

needs_redis = pytest.mark.skipif(
    BACKEND != "postgres", reason="needs PostgreSQL and Redis"
)


def env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `server.py` process on `settings`' database and Redis."""
    values = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "DATA_DIR": str(settings.data_dir),
        "ANONYMOUS_RATE_LIMIT": "100000",
        "SESSION_RATE_LIMIT": "100000",
    }
    values.update(extra)
    return values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(settings: Settings, *args: str, **extra: str) -> subprocess.Popen[bytes]:
    """`python server.py *args` with `extra` added to its environment."""
    return subprocess.Popen(
        [sys.executable, "server.py", *args],
        cwd=ROOT,
        env=env(settings, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


async def multipart_upload(
    session: aiohttp.ClientSession, url: str, token: str, data: bytes
) -> str:
    """`uploadResume` of `data` to the server at `url`; the new resume's id."""
    form = aiohttp.FormData()
    form.add_field(
        "operations",
        json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}}),
    )
    form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
    form.add_field("0", data, filename="cv.pdf")
    response = await session.post(
        f"{url}/graphql",
        data=form,
        headers={"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1"},
    )
    body = await response.json()
    payload = body["data"]["uploadResume"]
    assert payload["userErrors"] == [], payload
    resume_id: str = payload["resume"]["id"]
    return resume_id


@pytest.fixture
def second_server(settings: Settings) -> Iterator[str]:
    """`python server.py serve` in its own process, on the same database and Redis."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "server.py", "serve"],
        cwd=ROOT,
        env=env(settings, PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if port_open(port):
            break
        if proc.poll() is not None:
            stderr = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server died: {stderr}")
        time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
