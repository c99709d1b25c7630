"""Careergraph: build the aiohttp application, and the command line.

python server.py serve          apply migrations, then serve HTTP + WebSocket
python server.py worker         run background jobs from Redis (needs REDIS_URL)
python server.py migrate        apply migrations and exit
python server.py set-plan ORG PLAN [--source manual|trial] [--until DATE]
                 [--rate-limit N] [--tailor-quota N]
python server.py grant-credits ORG AMOUNT [--reason R]
python server.py export-schema  print the GraphQL schema (SDL)
python server.py check-migrations   exit 1 when models changed without a migration
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
import uvloop
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from graphql import GraphQLError
from taskiq.receiver import Receiver
from tortoise import Tortoise

from schema.root import build_schema
from services.accounts import AuthConfig
from services.files import Signer
from services.profile_cache import ProfileCache
from services.pubsub import MemoryPubSub, PubSub, RedisPubSub, redis_pool
from services.queue import Jobs
from services.ratelimit import RateLimiter
from services.revocation import Denylist, MemoryDenylist, RedisDenylist
from services.runtime import Runtime
from services.scale import ReclaimingStreamBroker
from settings import Settings, tortoise_config
from transport.keys import METRICS_KEY, RUNTIME_KEY
from transport.metrics import Metrics
from transport.middleware import api_middleware
from transport.proxy import forwarded_middleware
from transport.routes import add_routes
from transport.view import CareergraphView

log = logging.getLogger("careergraph")


def _log_unexpected(error: GraphQLError) -> None:
    log.error("unexpected error", exc_info=error.original_error)


def build_runtime(settings: Settings) -> Runtime:
    client: aioredis.Redis | None = None
    pubsub: PubSub
    denylist: Denylist
    if settings.redis_url:
        client = aioredis.Redis(connection_pool=redis_pool(settings.redis_url))
        pubsub, denylist = RedisPubSub(client), RedisDenylist(client)
    else:
        pubsub, denylist = MemoryPubSub(), MemoryDenylist()
    auth = AuthConfig(
        secret_key=settings.secret_key,
        access_token_ttl=settings.access_token_ttl,
        refresh_token_ttl=settings.refresh_token_ttl,
        denylist=denylist,
        pubsub=pubsub,
    )
    return Runtime(
        settings=settings,
        auth=auth,
        pubsub=pubsub,
        limiter=RateLimiter.from_url(settings.redis_url),
        redis=client,
        files=Signer(settings.secret_key, ttl=settings.file_link_ttl),
        jobs=Jobs.build(settings, pubsub),
        profile_cache=ProfileCache(settings.profile_cache_size),
    )


async def requeue_stuck(runtime: Runtime, older_than: timedelta) -> int:
    """Queue again the runs whose job was lost (see `Jobs.requeue_stuck`)."""
    return await runtime.jobs.requeue_stuck(older_than)


async def sweep_stuck(jobs: Jobs, stop: asyncio.Event) -> None:
    """Every `stuck_after / 2` seconds, requeue lost jobs (`Jobs.sweep`)."""
    interval = max(1.0, jobs.settings.stuck_after / 2)
    while True:
        try:
            await jobs.sweep()
        except Exception:  # the database may be down for a moment; try again later
            log.exception("could not sweep stuck resumes")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
            return


def _jobs_middleware(runtime: Runtime) -> Middleware:
    """Each request runs with this application's jobs (model signals that queue
    a profile's index find them: `Jobs.active`)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        with runtime.jobs.active():
            return await handler(request)

    return middleware


def create_app(
    settings: Settings | None = None, *, init_db: bool = True
) -> web.Application:
    """The whole API as an aiohttp application.

    With `init_db`, the application opens (and closes) the database connections itself;
    tests that manage tortoise themselves pass False.
    """
    settings = settings or Settings.from_env()
    runtime = build_runtime(settings)
    app = web.Application(
        middlewares=[forwarded_middleware, api_middleware, _jobs_middleware(runtime)],
        client_max_size=max(settings.max_upload_bytes, settings.max_query_bytes)
        + 65536,
    )
    app[RUNTIME_KEY] = runtime
    app[METRICS_KEY] = Metrics()

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        if init_db:
            # request handlers run in other tasks: they find the ORM through the
            # global fallback, not the context variable of this start-up task
            await Tortoise.init(
                config=tortoise_config(settings.database_url),
                _enable_global_fallback=True,
            )
        jobs = runtime.jobs
        broker = jobs.broker
        receiving: asyncio.Task[None] | None = None
        sweeping: asyncio.Task[None] | None = None
        stop = asyncio.Event()
        await broker.startup()
        runs_jobs = jobs.in_process
        if not jobs.in_process and settings.jobs_in_server:
            runs_jobs = True
            receiver = Receiver(broker, run_startup=False, max_async_tasks=4)
            receiving = asyncio.create_task(receiver.listen(stop))
        if init_db and runs_jobs:
            sweeping = asyncio.create_task(sweep_stuck(jobs, stop))
        yield
        stop.set()  # running jobs get SHUTDOWN_GRACE to finish, then are handed back
        for task in (receiving, sweeping):
            if task is not None:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout=settings.shutdown_grace)
        if receiving is not None and isinstance(broker, ReclaimingStreamBroker):
            with contextlib.suppress(Exception):  # unfinished jobs: to the workers
                await broker.hand_back()
        await jobs.cancel_running()
        await broker.shutdown()
        await runtime.pubsub.close()
        if runtime.redis is not None:
            await runtime.redis.aclose()
        if init_db:
            await Tortoise.close_connections()

    app.cleanup_ctx.append(lifecycle)
    schema = build_schema(settings, on_unexpected=_log_unexpected)
    view = CareergraphView(schema, runtime)
    app.router.add_route("*", "/graphql", view)
    app.cleanup_ctx.append(view.sockets.lifecycle)  # close sockets on revocation
    app.on_shutdown.append(view.sockets.close_all)  # SIGTERM: 1001 to every socket
    add_routes(app)
    return app


async def migrate(settings: Settings) -> None:
    from tortoise.migrations.api import migrate as run_migrations

    await run_migrations(config=tortoise_config(settings.database_url))
    await Tortoise.close_connections()


async def check_migrations(settings: Settings) -> int:
    """Exit status 1 when the models differ from what the committed migrations build."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(settings.database_url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        writers = await detector.changes()
    finally:
        await Tortoise.close_connections()
    if writers:
        print("Models changed without a migration; run `make migrations`.")
        return 1
    print("Migrations match the models.")
    return 0


async def _admin(settings: Settings, action: str, args: argparse.Namespace) -> None:
    from services import billing, entitlements

    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        if action == "set-plan":
            ent = await entitlements.grant(
                organization_id=args.org,
                plan_id=args.plan,
                source=args.source,
                until=args.until,
                rate_limit=args.rate_limit,
                tailor_quota=args.tailor_quota,
            )
            quota = ent.tailor_calls_per_month
            print(
                f"organization {args.org}: plan {args.plan} ({args.source}); "
                f"effective {ent.plan.id} from {ent.source}, "
                f"{ent.rate_limit_per_minute} API requests/min, "
                f"{'unlimited' if quota is None else quota} tailoring calls/month"
            )
        else:
            balance = await billing.change_credits(
                organization_id=args.org, delta=args.amount, reason=args.reason
            )
            print(f"organization {args.org}: balance {balance}")
    finally:
        await Tortoise.close_connections()


def _utc_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def export_schema() -> str:
    return build_schema(Settings(), on_unexpected=_log_unexpected).as_str() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="server.py", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve")
    worker = sub.add_parser("worker")
    worker.add_argument(
        "--concurrency", type=int, default=8, help="jobs run at once in this process"
    )
    sub.add_parser("migrate")
    sub.add_parser("export-schema")
    sub.add_parser("check-migrations")
    plan = sub.add_parser("set-plan")
    plan.add_argument("org", type=int)
    plan.add_argument("plan")
    plan.add_argument(
        "--source",
        choices=("manual", "trial"),
        default="manual",
        help="a sales deal (manual, default) or a trial",
    )
    plan.add_argument(
        "--until",
        type=_utc_datetime,
        default=None,
        help="ISO date or time (UTC) when the plan given by hand ends",
    )
    plan.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="enterprise override: API-key requests per minute (-1 clears)",
    )
    plan.add_argument(
        "--tailor-quota",
        type=int,
        default=None,
        help="enterprise override: tailoring calls per month (-1 clears)",
    )
    grant = sub.add_parser("grant-credits")
    grant.add_argument("org", type=int)
    grant.add_argument("amount", type=int)
    grant.add_argument("--reason", default="admin_grant")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )

    if args.command == "export-schema":
        sys.stdout.write(export_schema())
        return 0
    settings = Settings.from_env()
    if args.command == "serve":
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())  # bench/throughput.py
        asyncio.run(migrate(settings))
        # SIGTERM: stop accepting, close sockets with 1001, let in-flight requests
        # finish for SHUTDOWN_GRACE seconds, then exit
        web.run_app(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            shutdown_timeout=settings.shutdown_grace,
        )
        return 0
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        return 0
    if args.command == "check-migrations":
        return asyncio.run(check_migrations(settings))
    if args.command == "worker":
        return run_worker(settings, concurrency=args.concurrency)
    try:
        asyncio.run(_admin(settings, args.command, args))
    except Exception as exc:  # report a clear message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def run_worker(settings: Settings, *, concurrency: int) -> int:
    if not settings.redis_url:
        print("error: the worker takes jobs from Redis; set REDIS_URL", file=sys.stderr)
        return 2
    asyncio.run(_worker(settings, concurrency))
    return 0


async def _worker(settings: Settings, concurrency: int) -> None:
    """Run jobs until SIGTERM/SIGINT, then let running jobs finish for `grace`
    seconds. A job cut off after that is not acknowledged and is handed back
    (marked idle), so another worker claims it at its next claim (jobs are
    idempotent).

    taskiq's own CLI forks a child per worker and, on this version, its child
    can hang after SIGTERM; one receiver per process is simpler and run more
    processes for more throughput."""
    import signal

    grace = settings.shutdown_grace
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runtime = build_runtime(settings)
    jobs = runtime.jobs
    broker = jobs.broker
    broker.is_worker_process = True
    await broker.startup()  # runs WORKER_STARTUP: the ORM connects
    sweeping = asyncio.create_task(sweep_stuck(jobs, stop))
    receiver = Receiver(broker, run_startup=False, max_async_tasks=concurrency)
    listening = asyncio.create_task(receiver.listen(stop))
    log.info("worker listening (concurrency %d)", concurrency)
    try:
        await stop.wait()
        log.info("worker stopping")
        try:
            await asyncio.wait_for(listening, timeout=grace)
        except TimeoutError:
            log.warning(
                "jobs still running after %.0fs; they will be redelivered", grace
            )
    finally:
        if isinstance(broker, ReclaimingStreamBroker):  # the rest: to other workers
            with contextlib.suppress(Exception):  # (before the cancellation, which
                await broker.hand_back()  # taskiq would acknowledge)
        if not listening.done():
            listening.cancel()
        await jobs.cancel_running()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(sweeping, timeout=5)
        await asyncio.wait_for(broker.shutdown(), timeout=5)
        await runtime.pubsub.close()
        if runtime.redis is not None:
            await runtime.redis.aclose()


if __name__ == "__main__":
    sys.exit(main())
