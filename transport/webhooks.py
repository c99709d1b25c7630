"""POST /webhooks/stripe: verify and store the event, answer 200, apply it as a job.

A bad or missing signature, a stale timestamp or a body that is not an event is 400
and stores nothing; a replay of a stored event is 200 and changes nothing.
"""

from __future__ import annotations

from aiohttp import web

from services import webhooks
from transport.keys import RUNTIME_KEY

MAX_WEBHOOK_BYTES = 512 * 1024


async def stripe_webhook(request: web.Request) -> web.Response:
    settings = request.app[RUNTIME_KEY].settings
    if (request.content_length or 0) > MAX_WEBHOOK_BYTES:
        return web.json_response({"error": "Payload too large"}, status=413)
    payload = await request.content.read(MAX_WEBHOOK_BYTES + 1)
    if len(payload) > MAX_WEBHOOK_BYTES:
        return web.json_response({"error": "Payload too large"}, status=413)
    try:
        received = await webhooks.receive(
            payload=payload,
            signature=request.headers.get("Stripe-Signature"),
            secret=settings.stripe_webhook_secret,
        )
    except webhooks.WebhookRejected as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if received.new:
        await request.app[RUNTIME_KEY].jobs.enqueue_stripe_event(received.event.id)
    return web.json_response(
        {"received": True, "duplicate": not received.new, "id": received.event.event_id}
    )
