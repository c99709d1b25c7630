"""The long-lived parts one process shares between requests, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis.asyncio as aioredis

from services.accounts import AuthConfig
from services.files import Signer
from services.profile_cache import ProfileCache
from services.pubsub import PubSub
from services.queue import Jobs
from services.ratelimit import MemoryRateLimiter, RateLimiter
from settings import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    auth: AuthConfig
    pubsub: PubSub
    limiter: RateLimiter | MemoryRateLimiter
    redis: aioredis.Redis | None
    files: Signer
    jobs: Jobs  # the broker, job kinds and their dependencies (services.queue)
    profile_cache: ProfileCache = field(default_factory=lambda: ProfileCache(1000))
