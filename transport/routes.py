"""Plain HTTP routes beside GraphQL: health, metrics, GraphiQL assets."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web
from tortoise import connections

from services import files, scale
from services.queue import Jobs
from transport.keys import METRICS_KEY, RUNTIME_KEY
from transport.metrics import render_queue
from transport.webhooks import stripe_webhook

log = logging.getLogger("careergraph")
STATIC = Path(__file__).resolve().parent.parent / "static"


async def health(request: web.Request) -> web.Response:
    """`{status, db, redis, queue}`: 200 when every dependency answers, else 503.
    `queue` is `stuck` (and `status` `degraded`, still 200: this process serves)
    when a job has waited longer than `STUCK_AFTER`."""
    runtime = request.app[RUNTIME_KEY]
    db = "ok"
    try:
        async with asyncio.timeout(2):
            await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any failure means the database is not usable
        db = "down"
    redis = "disabled"
    if runtime.redis is not None:
        redis = "ok"
        try:
            async with asyncio.timeout(2):
                await runtime.redis.ping()
        except Exception:  # connection refused, timeout, protocol error
            redis = "down"
    healthy = db == "ok" and redis != "down"
    queue = await _queue_health(runtime.jobs) if healthy else "unknown"
    return web.json_response(
        {
            "status": "ok" if healthy and queue == "ok" else "degraded",
            "db": db,
            "redis": redis,
            "queue": queue,
        },
        status=200 if healthy else 503,
    )


async def _queue_health(jobs: Jobs) -> str:
    """`stuck` when the oldest queued job, or a PROCESSING resume, is older than
    `stuck_after` seconds."""
    try:
        async with asyncio.timeout(2):
            stats = await scale.queue_stats(jobs.broker, jobs.leases)
            stuck = await scale.stuck_jobs(older_than=jobs.settings.stuck_after)
    except Exception:  # a dependency failed between the checks
        return "unknown"
    if stuck or (stats.oldest_age or 0.0) > jobs.settings.stuck_after:
        return "stuck"
    return "ok"


async def metrics(request: web.Request) -> web.Response:
    text = request.app[METRICS_KEY].render()
    try:
        async with asyncio.timeout(2):
            jobs = request.app[RUNTIME_KEY].jobs
            stats = await scale.queue_stats(jobs.broker, jobs.leases)
        text += render_queue(stats)
    except Exception:  # Redis down: the request figures still answer
        log.warning("queue figures unavailable", exc_info=True)
    return web.Response(
        text=text,
        content_type="text/plain",
        headers={"Cache-Control": "no-store"},
        charset="utf-8",
    )


async def download(request: web.Request) -> web.Response:
    """A stored file by its signed link; 404 for a forged, altered or expired one
    (the answer does not say which)."""
    runtime = request.app[RUNTIME_KEY]
    try:
        row = await files.fetch(signer=runtime.files, token=request.match_info["token"])
    except files.FileLinkInvalid as exc:
        return web.json_response({"error": str(exc)}, status=404)
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in row.filename)
    return web.Response(
        body=bytes(row.data),
        headers={
            "Content-Type": row.content_type,
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{row.sha256}"',
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/health", health)
    app.router.add_get("/files/{token}", download)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/webhooks/stripe", stripe_webhook)
    app.router.add_static(
        "/graphiql/assets/", STATIC / "graphiql", append_version=False
    )
