"""Middlewares of the API routes: credentials, rate limits, usage, metrics.

Credentials come from `Authorization: Bearer <jwt|api key>` or `X-API-Key`. Presented
but invalid credentials are refused with 401 before any GraphQL runs; absent credentials
make an anonymous request (fields that need a caller answer UNAUTHENTICATED).
Rate-limit buckets: API-key traffic per organization (limit from the plan), signed-in
sessions per user, anonymous traffic per IP. Every response carries X-RateLimit-*.
"""

from __future__ import annotations

import contextlib
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from services import accounts, ratelimit, usage
from services.accounts import Actor
from services.errors import AuthError, Unauthenticated
from services.ratelimit import Budgets, Verdict
from transport.keys import ACTOR_KEY, METRICS_KEY, OPERATION_KEY, RUNTIME_KEY
from transport.view import error_body, json_response, response_media_type

log = logging.getLogger("careergraph.http")
API_PATHS = ("/graphql",)


def credential(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return ""  # presented but malformed
        return value.strip()
    key = request.headers.get("X-API-Key")
    return key.strip() if key is not None else None


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(API_PATHS) or request.headers.get("Upgrade"):
        request[ACTOR_KEY] = None
        return await handler(request)
    metrics = request.app[METRICS_KEY]
    started = time.perf_counter()
    request[OPERATION_KEY] = ""
    response: web.StreamResponse
    try:
        response = await _authenticated(request, handler)
    except web.HTTPException as exc:
        response = exc
    metrics.observe(
        route="graphql",
        operation=request[OPERATION_KEY],
        status=response.status,
        seconds=time.perf_counter() - started,
    )
    actor = request.get(ACTOR_KEY)
    if (
        actor is not None
        and actor.api_key_id is not None
        and response.status < 500
        and response.status != 429  # refused by the limiter: not usage
    ):
        try:
            await usage.record(
                organization_id=actor.organization_id,
                api_key_id=actor.api_key_id,
                operation=request[OPERATION_KEY],
            )
        except Exception:  # usage is bookkeeping; never fail the request for it
            log.exception("could not record usage")
    if isinstance(response, web.HTTPException):
        raise response
    return response


async def _authenticated(request: web.Request, handler: Handler) -> web.StreamResponse:
    runtime = request.app[RUNTIME_KEY]
    media_type = response_media_type(request)
    token = credential(request)
    actor: Actor | None = None
    request[ACTOR_KEY] = None
    if token is not None:
        try:
            if not token:
                raise Unauthenticated(
                    "Malformed Authorization header; use `Bearer <token>`"
                )
            actor = await accounts.authenticate_token(config=runtime.auth, token=token)
        except AuthError as exc:
            # failed credentials count against the IP, like anonymous traffic
            verdict = await runtime.limiter.hit(
                f"ip:{request.remote}", per_minute=runtime.settings.anonymous_rate_limit
            )
            if not verdict.allowed:
                return _too_many(verdict, media_type)
            response = json_response(
                error_body(exc.message, exc.code), status=401, content_type=media_type
            )
            response.headers.update(_limit_headers(verdict))
            response.headers["WWW-Authenticate"] = 'Bearer realm="careergraph"'
            return response
    request[ACTOR_KEY] = actor
    verdict = await ratelimit.admit(
        runtime.limiter,
        actor=actor,
        ip=request.remote or "",
        budgets=Budgets.of(runtime.settings),
    )
    headers = _limit_headers(verdict)
    if not verdict.allowed:
        return _too_many(verdict, media_type)
    try:
        result = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(headers)
        raise
    with contextlib.suppress(RuntimeError):  # already-prepared streaming responses
        result.headers.update(headers)
    return result


def _limit_headers(verdict: Verdict) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(verdict.limit),
        "X-RateLimit-Remaining": str(verdict.remaining),
        "X-RateLimit-Reset": str(verdict.reset),
    }


def _too_many(verdict: Verdict, media_type: str) -> web.Response:
    response = json_response(
        error_body(
            verdict.refusal,
            "RATE_LIMITED",
            retryAfter=verdict.retry_after,
        ),
        status=429,
        content_type=media_type,
    )
    response.headers.update(_limit_headers(verdict))
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response
