"""Behind a balancer: the client's address from `X-Forwarded-For`, trusted only
when the direct peer is one of `TRUSTED_PROXIES` (e.g. `127.0.0.1` for nginx on
the same host). Without it every client behind nginx would share nginx's address,
and with it the per-IP rate limits (anonymous traffic, visitor chat) see the
client. The header's rightmost address not itself a trusted proxy is the client:
earlier entries are whatever the client wrote.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from transport.keys import RUNTIME_KEY


def client_address(
    peer: str | None, forwarded_for: str, trusted: tuple[str, ...]
) -> str | None:
    if peer is None or peer not in trusted or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer


@web.middleware
async def forwarded_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    trusted = request.app[RUNTIME_KEY].settings.trusted_proxies
    if trusted and "X-Forwarded-For" in request.headers:
        remote = client_address(
            request.remote, request.headers["X-Forwarded-For"], trusted
        )
        if remote is not None and remote != request.remote:
            request = request.clone(remote=remote)
    return await handler(request)
