"""The production layout with plain processes: N `serve` processes behind nginx,
M workers, PostgreSQL and Redis (what `deploy/compose.yaml` runs in containers).

    .venv/bin/python deploy/layout.py --servers 2 --workers 2 \\
        --database-url postgres://postgres@127.0.0.1:5432/careergraph [--redis-url URL]

Without `--redis-url` it starts its own `redis-server` (append-only file in the
run's temp dir, so a restart keeps the queue). nginx gets a config written to the
temp dir from `deploy/nginx.conf`'s template (`render_nginx`), listens on loopback
on a free port, and runs in the foreground as a child. Everything listens on free
ports; Ctrl-C (or `Layout.stop`) stops every process it started. The end-to-end
test (tests/test_layout.py) and bench/scale.py drive the same `Layout` class.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def render_nginx(*, listen: str, upstreams: list[str], run_dir: Path | None) -> str:
    """`deploy/nginx.conf` with its listen address and servers filled in; with
    `run_dir` (plain processes, not root-installed) pid, logs and temp files there."""
    text = TEMPLATE.read_text()
    line = "        server {} max_fails=1 fail_timeout=2s;"
    text = text.replace(line.format("127.0.0.1:8001") + "\n", "")
    servers = "\n".join(line.format(u) for u in upstreams)
    text = text.replace(line.format("127.0.0.1:8000"), servers)
    text = text.replace("listen 80;", f"listen {listen};")
    if run_dir is not None:
        paths = "\n".join(
            f"    {kind}_temp_path {run_dir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        text = text.replace(
            "pid /run/nginx.pid;",
            f"pid {run_dir / 'nginx.pid'};\nerror_log {run_dir / 'error.log'} warn;",
        ).replace("http {\n", f"http {{\n{paths}\n", 1)
        text = text.replace("worker_processes auto;", "worker_processes 1;")
    return text


@dataclass
class Layout:
    database_url: str
    redis_url: str = ""  # empty: start an own redis-server
    servers: int = 2
    workers: int = 2
    queue_name: str = "careergraph"
    env: dict[str, str] = field(default_factory=dict)
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp("-layout")))
    port: int = 0  # nginx's
    server_ports: list[int] = field(default_factory=list)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    redis_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "QUEUE_NAME": self.queue_name,
            "JOBS_IN_SERVER": "0",
            "DATA_DIR": str(self.run_dir / "data"),
            **self.env,
        }

    def _spawn(self, name: str, args: list[str], **env: str) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 (kept by Popen)
        self.procs[name] = subprocess.Popen(  # noqa: S603 (argv built here)
            args, cwd=ROOT, env={**self._env(), **env}, stdout=log, stderr=log
        )
        log.close()

    def start(self) -> Layout:
        (self.run_dir / "data").mkdir(exist_ok=True)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / kind).mkdir(exist_ok=True)
            (self.run_dir / kind).chmod(0o777)  # nginx's workers may drop root
        self.run_dir.chmod(0o755)
        if not self.redis_url:
            self.redis_port = free_port()
            self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
            self.start_redis()
        subprocess.run(
            [sys.executable, "server.py", "migrate"],
            cwd=ROOT,
            env=self._env(),
            check=True,
            capture_output=True,
        )
        self.server_ports = [free_port() for _ in range(self.servers)]
        for n in range(self.servers):
            self.start_server(n)
        for n in range(self.workers):
            self.start_worker(n)
        self.port = free_port()
        config = self.run_dir / "nginx.conf"
        config.write_text(
            render_nginx(
                listen=f"127.0.0.1:{self.port}",
                upstreams=[f"127.0.0.1:{p}" for p in self.server_ports],
                run_dir=self.run_dir,
            )
        )
        self._spawn(
            "nginx",
            [
                nginx_binary(),
                "-e",
                str(self.run_dir / "error.log"),
                "-g",
                "daemon off;",
                "-c",
                str(config),
            ],
        )
        wait_port(self.port, self.procs["nginx"])
        for n, port in enumerate(self.server_ports):
            wait_port(port, self.procs[f"server{n}"])
        return self

    def start_redis(self) -> None:
        self._spawn(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.run_dir),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
        )
        wait_port(self.redis_port, self.procs["redis"])

    def restart_redis(self) -> None:
        """Stop the own Redis (SIGTERM: it writes its append-only file) and start
        it again on the same port."""
        self.stop_process("redis")
        self.start_redis()

    def start_server(self, n: int) -> None:
        port = self.server_ports[n]
        self._spawn(
            f"server{n}", [sys.executable, "server.py", "serve"], PORT=str(port)
        )

    def start_worker(self, n: int) -> None:
        self._spawn(f"worker{n}", [sys.executable, "server.py", "worker"])

    def kill(self, name: str) -> None:
        """SIGKILL: no clean-up at all, as a crash."""
        proc = self.procs[name]
        proc.kill()
        proc.wait(timeout=10)

    def stop_process(self, name: str, timeout: float = 20) -> int | None:
        proc = self.procs.get(name)
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        return proc.returncode

    def stop(self) -> None:
        """Stop everything this layout started (nginx first, Redis last)."""
        names = sorted(self.procs, key=lambda n: (n != "nginx", n == "redis", n))
        for name in names:
            self.stop_process(name)
        if not os.environ.get("KEEP_LAYOUT"):  # logs and data, for a post-mortem
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def log(self, name: str) -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> Layout:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise RuntimeError("nginx is not installed: run `make system-deps`")
    return found


def health(url: str) -> str:
    with urllib.request.urlopen(f"{url}/health", timeout=5) as response:  # noqa: S310
        return str(response.read().decode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        print("error: give --database-url postgres://... (or DATABASE_URL)")
        return 2
    layout = Layout(
        database_url=args.database_url,
        redis_url=args.redis_url,
        servers=args.servers,
        workers=args.workers,
    )
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        layout.start()
        print(f"serving on {layout.url} (logs in {layout.run_dir}); Ctrl-C stops")
        print(health(layout.url))
        while not stop:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        layout.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
