"""Typed keys for state kept on the aiohttp application and on requests."""

from __future__ import annotations

from aiohttp import web

from services.accounts import Actor
from services.runtime import Runtime
from transport.metrics import Metrics

RUNTIME_KEY = web.AppKey("runtime", Runtime)
METRICS_KEY = web.AppKey("metrics", Metrics)
ACTOR_KEY = web.RequestKey[Actor | None]("actor")
OPERATION_KEY = web.RequestKey("operation", str)
