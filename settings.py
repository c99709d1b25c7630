"""Typed settings read from the environment, and the tortoise config built from them.

`TORTOISE_ORM` is the one accepted module global: the `tortoise` migration CLI reads it
(`tortoise -c settings.TORTOISE_ORM makemigrations`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_MODULES = [
    "models.accounts",
    "models.billing",
    "models.profiles",
    "models.files",
    "models.resumes",
    "models.tailoring",
    "models.render",
    "models.agents",
    "models.jobs",
    "models.indexing",
    "models.chat",
]


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return int(raw) if raw not in (None, "") else default


def _list(env: dict[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    max_upload_bytes: int = 10 * 1024 * 1024
    allowed_origins: tuple[str, ...] = ()
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 30 * 24 * 3600
    # GraphQL guards
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_cost: int = 5000
    max_query_bytes: int = 100_000
    max_subscriptions_per_connection: int = 10
    # rate limits (per minute) for traffic that is not bound to a plan
    anonymous_rate_limit: int = 60
    session_rate_limit: int = 600
    starting_credits: int = 20
    public_url: str = ""  # base of links in answers; unset: relative links
    file_link_ttl: int = 15 * 60  # seconds a signed download link works
    jobs_in_server: bool = True  # with Redis: the server also runs queued jobs
    parse_timeout: float = 30.0  # seconds for one file's extraction
    parse_memory_mb: int = 1024
    parse_concurrency: int = 2  # extraction processes at once, per server/worker
    stuck_after: float = 600.0  # a PROCESSING resume untouched this long is requeued
    parse_fault_delay: float = 0.0  # tests only: a pause inside each parse job
    allow_private_llm_hosts: bool = False  # let organizations point at local models
    llm_provider: str = "offline"
    openai_base_url: str = ""
    openai_api_key: str = ""
    llm_model: str = ""
    llm_timeout: float = 60.0  # seconds for one model request
    tailor_timeout: float = 240.0  # hard limit of one tailoring run
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    billing_return_hosts: tuple[str, ...] = ()  # hosts checkout may send users back to
    billing_currency: str = "eur"
    credit_price_cents: int = 10  # price of one credit in a credit pack
    credit_payout_cents: int = 5  # what one earned credit pays out
    billing_grace_days: int = 7  # a PAST_DUE subscription keeps its plan this long
    socket_recheck_seconds: float = 60.0  # an idle WebSocket's credential check
    queue_max_pending: int = 500  # jobs waiting at once; past it SERVICE_BUSY
    queue_retry_after: int = 30  # seconds a SERVICE_BUSY answer tells to wait
    extra: dict[str, str] = field(default_factory=dict)
    embedding_model: str = ""  # an organization's /v1/embeddings model (openai)
    index_debounce: float = 2.0  # seconds of quiet after an edit before indexing
    chat_rate_limit: int = 10  # askProfile questions per minute per visitor IP
    transcript_retention_days: int = 90
    profile_cache_size: int = 1000  # publicProfile section sets kept; 0 turns it off
    shutdown_grace: float = 10.0  # SIGTERM: seconds to finish in-flight requests/jobs
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For is believed
    queue_name: str = "careergraph"  # the Redis stream of jobs (and its key prefix)
    job_idle_timeout_ms: int = 30_000  # a dead worker's job is claimed after this

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("DATA_DIR") or "data")
        secret = env.get("SECRET_KEY") or _dev_secret(data_dir)
        return cls(
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 8000),
            data_dir=data_dir,
            database_url=database_url_from_env(env),
            redis_url=env.get("REDIS_URL", ""),
            secret_key=secret,
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
            allowed_origins=_list(env, "ALLOWED_ORIGINS"),
            access_token_ttl=_int(env, "ACCESS_TOKEN_TTL", 15 * 60),
            refresh_token_ttl=_int(env, "REFRESH_TOKEN_TTL", 30 * 24 * 3600),
            max_depth=_int(env, "MAX_QUERY_DEPTH", 12),
            max_aliases=_int(env, "MAX_QUERY_ALIASES", 30),
            max_tokens=_int(env, "MAX_QUERY_TOKENS", 4000),
            max_cost=_int(env, "MAX_QUERY_COST", 5000),
            max_query_bytes=_int(env, "MAX_QUERY_BYTES", 100_000),
            max_subscriptions_per_connection=_int(env, "MAX_SUBSCRIPTIONS", 10),
            anonymous_rate_limit=_int(env, "ANONYMOUS_RATE_LIMIT", 60),
            session_rate_limit=_int(env, "SESSION_RATE_LIMIT", 600),
            starting_credits=_int(env, "STARTING_CREDITS", 20),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/"),
            file_link_ttl=_int(env, "FILE_LINK_TTL", 15 * 60),
            jobs_in_server=env.get("JOBS_IN_SERVER", "1") not in ("0", "false", "no"),
            parse_timeout=float(env.get("PARSE_TIMEOUT") or 30),
            parse_memory_mb=_int(env, "PARSE_MEMORY_MB", 1024),
            parse_concurrency=max(1, _int(env, "PARSE_CONCURRENCY", 2)),
            stuck_after=float(env.get("STUCK_AFTER") or 600),
            parse_fault_delay=float(env.get("PARSE_FAULT_DELAY") or 0),
            allow_private_llm_hosts=env.get("ALLOW_PRIVATE_LLM_HOSTS", "0")
            in ("1", "true", "yes"),
            llm_provider=env.get("LLM_PROVIDER") or "offline",
            openai_base_url=env.get("OPENAI_BASE_URL", ""),
            openai_api_key=env.get("OPENAI_API_KEY", ""),
            llm_model=env.get("LLM_MODEL", ""),
            llm_timeout=float(env.get("LLM_TIMEOUT") or 60),
            tailor_timeout=float(env.get("TAILOR_TIMEOUT") or 240),
            stripe_secret_key=env.get("STRIPE_SECRET_KEY", ""),
            stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", ""),
            stripe_api_base=env.get("STRIPE_API_BASE", ""),
            embedding_model=env.get("EMBEDDING_MODEL", ""),
            index_debounce=float(env.get("INDEX_DEBOUNCE") or 2),
            chat_rate_limit=_int(env, "CHAT_RATE_LIMIT", 10),
            transcript_retention_days=_int(env, "TRANSCRIPT_RETENTION_DAYS", 90),
            billing_return_hosts=_list(env, "BILLING_RETURN_HOSTS"),
            billing_currency=(env.get("BILLING_CURRENCY") or "eur").lower(),
            credit_price_cents=_int(env, "CREDIT_PRICE_CENTS", 10),
            credit_payout_cents=_int(env, "CREDIT_PAYOUT_CENTS", 5),
            billing_grace_days=_int(env, "BILLING_GRACE_DAYS", 7),
            socket_recheck_seconds=float(env.get("SOCKET_RECHECK_SECONDS") or 60),
            queue_max_pending=max(1, _int(env, "QUEUE_MAX_PENDING", 500)),
            queue_retry_after=max(1, _int(env, "QUEUE_RETRY_AFTER", 30)),
            profile_cache_size=max(0, _int(env, "PROFILE_CACHE_SIZE", 1000)),
            shutdown_grace=float(env.get("SHUTDOWN_GRACE") or 10),
            trusted_proxies=_list(env, "TRUSTED_PROXIES"),
            queue_name=env.get("QUEUE_NAME") or "careergraph",
            job_idle_timeout_ms=max(500, _int(env, "JOB_IDLE_TIMEOUT_MS", 30_000)),
        )


def database_url_from_env(env: dict[str, str]) -> str:
    data_dir = Path(env.get("DATA_DIR") or "data")
    return env.get("DATABASE_URL") or f"sqlite://{(data_dir / 'careergraph.sqlite3')}"


def _dev_secret(data_dir: Path) -> str:
    """A per-installation secret kept under DATA_DIR when SECRET_KEY is not set.

    Tokens then survive restarts of one installation, and two installations never
    share a key. Production sets SECRET_KEY explicitly (shared by all processes).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(
            parents=True, exist_ok=True
        )
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config(database_url_from_env(dict(os.environ)))
