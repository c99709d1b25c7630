"""A local server speaking Stripe's HTTP protocol, for tests that drive the real
`stripe` SDK (`STRIPE_API_BASE` points at it), and Stripe's webhook signing.

It serves what the billing flows call, with Stripe's request encoding (form
bodies with `a[b][0][c]` keys, `Authorization: Bearer sk_...`, `Idempotency-Key`
replays answered from the first response) and response shapes (`object`, `id`,
`url`, Stripe's error envelope):

    POST /v1/customers                   POST /v1/checkout/sessions
    POST /v1/billing_portal/sessions     GET  /v1/subscriptions/{id}
    POST /v1/accounts                    POST /v1/account_links
    POST /v1/transfers

localstripe (PyPI) fakes customers, subscriptions and invoices but has no
Checkout, Billing Portal or Connect endpoints, which are what these flows use.

What Stripe does on its side (a customer paying, a subscription changing, an
account finishing onboarding) is played by the test through `FakeStripe`
methods that change the state and return the webhook event Stripe would send;
`signed` signs a payload the way Stripe does (`t=<ts>,v1=<HMAC-SHA256 of
"<ts>.<payload>">`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

API_KEY = "sk_test_careergraph"
WEBHOOK_SECRET = "whsec_test_careergraph"
FAKE_STRIPE = web.AppKey("fake_stripe", "FakeStripe")
PARAMS = web.RequestKey("params", dict)


def signed(payload: str, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends with `payload`."""
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={mac}"


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back to nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def lists(node: Any) -> Any:
        if isinstance(node, dict):
            if node and all(k.isdigit() for k in node):
                return [lists(node[k]) for k in sorted(node, key=int)]
            return {k: lists(v) for k, v in node.items()}
        return node

    out: dict[str, Any] = lists(root)
    return out


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


@dataclass
class FakeStripe:
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    refuse_transfers: bool = False
    # while set, GET /v1/subscriptions/{id} waits until it is cleared
    stall_subscriptions: asyncio.Event | None = None
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _replays: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    clock: int = field(default_factory=lambda: int(time.time()))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_test{next(self._ids):04d}"

    def tick(self) -> int:
        """Stripe's `created` of the next event: strictly increasing seconds."""
        self.clock += 1
        return self.clock

    def event(
        self, type_: str, obj: dict[str, Any], *, created: int | None = None
    ) -> dict[str, Any]:
        return {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": "2025-06-30.basil",
            "created": self.tick() if created is None else created,
            "livemode": False,
            "pending_webhooks": 1,
            "type": type_,
            "data": {"object": json.loads(json.dumps(obj))},
        }

    # -- what happens on Stripe's side ----------------------------------------------

    def complete_checkout(self, session_id: str) -> list[dict[str, Any]]:
        """The customer pays: for a subscription, Stripe creates it and sends
        `customer.subscription.created` then `checkout.session.completed`."""
        session = self.sessions[session_id]
        session["status"] = "complete"
        session["payment_status"] = "paid"
        events = []
        if session["mode"] == "subscription":
            item = session["line_items"][0]["price_data"]
            now = self.clock
            sub = {
                "id": self.new_id("sub"),
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "cancel_at_period_end": False,
                "current_period_end": now + 30 * 86400,
                "metadata": session.get("subscription_data", {}).get("metadata", {}),
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": self.new_id("si"),
                            "object": "subscription_item",
                            "current_period_end": now + 30 * 86400,
                            "price": {
                                "id": self.new_id("price"),
                                "object": "price",
                                "currency": item["currency"],
                                "unit_amount": int(item["unit_amount"]),
                                "lookup_key": None,
                                "recurring": dict(item["recurring"]),
                            },
                        }
                    ],
                },
            }
            self.subscriptions[sub["id"]] = sub
            session["subscription"] = sub["id"]
            events.append(self.event("customer.subscription.created", sub))
        events.append(self.event("checkout.session.completed", session))
        return events

    def update_subscription(self, sub_id: str, **changes: Any) -> dict[str, Any]:
        sub = self.subscriptions[sub_id]
        sub.update(changes)
        return self.event("customer.subscription.updated", sub)

    def delete_subscription(self, sub_id: str) -> dict[str, Any]:
        sub = self.subscriptions[sub_id]
        sub["status"] = "canceled"
        return self.event("customer.subscription.deleted", sub)

    def invoice(self, sub_id: str, *, paid: bool) -> dict[str, Any]:
        sub = self.subscriptions[sub_id]
        if not paid:
            sub["status"] = "past_due"
        elif sub["status"] == "past_due":
            sub["status"] = "active"
        invoice = {
            "id": self.new_id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "status": "paid" if paid else "open",
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub_id},
            },
        }
        return self.event("invoice.paid" if paid else "invoice.payment_failed", invoice)

    def onboard(self, account_id: str, *, complete: bool = True) -> dict[str, Any]:
        account = self.accounts[account_id]
        account.update(
            details_submitted=complete,
            payouts_enabled=complete,
            charges_enabled=complete,
        )
        return self.event("account.updated", account)

    def reverse_transfer(self, transfer_id: str) -> dict[str, Any]:
        transfer = self.transfers[transfer_id]
        transfer["reversed"] = True
        transfer["amount_reversed"] = transfer["amount"]
        return self.event("transfer.reversed", transfer)

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]


def _error(status: int, message: str, type_: str = "invalid_request_error") -> Any:
    return web.json_response(
        {"error": {"type": type_, "message": message}}, status=status
    )


def fake_stripe() -> web.Application:
    app = web.Application()
    state = FakeStripe()
    app[FAKE_STRIPE] = state

    @web.middleware
    async def protocol(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Invalid API Key provided", "authentication_error")
        params = _nest(parse_qsl(await request.text(), keep_blank_values=True))
        key = request.headers.get("Idempotency-Key")
        state.calls.append(Call(request.method, request.path, params, key))
        if request.method == "POST" and key and key in state._replays:
            status, body = state._replays[key]
            return web.json_response(body, status=status)
        request[PARAMS] = params
        response = await handler(request)
        if request.method == "POST" and key and isinstance(response, web.Response):
            assert response.text is not None
            state._replays[key] = (response.status, json.loads(response.text))
        return response

    app.middlewares.append(protocol)

    async def customers(request: web.Request) -> web.Response:
        p = request[PARAMS]
        obj = {
            "id": state.new_id("cus"),
            "object": "customer",
            "email": p.get("email"),
            "name": p.get("name"),
            "metadata": p.get("metadata", {}),
        }
        state.customers[obj["id"]] = obj
        return web.json_response(obj)

    async def checkout_sessions(request: web.Request) -> web.Response:
        p = request[PARAMS]
        if p.get("customer") not in state.customers:
            return _error(400, f"No such customer: '{p.get('customer')}'")
        sid = state.new_id("cs")
        obj = {
            **p,
            "id": sid,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/c/pay/{sid}",
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
        }
        state.sessions[sid] = obj
        return web.json_response(obj)

    async def portal_sessions(request: web.Request) -> web.Response:
        p = request[PARAMS]
        if p.get("customer") not in state.customers:
            return _error(400, f"No such customer: '{p.get('customer')}'")
        pid = state.new_id("bps")
        return web.json_response(
            {
                "id": pid,
                "object": "billing_portal.session",
                "customer": p["customer"],
                "return_url": p.get("return_url"),
                "url": f"https://billing.stripe.test/p/session/{pid}",
            }
        )

    async def subscription(request: web.Request) -> web.Response:
        if state.stall_subscriptions is not None:
            state.stalled.set()
            await state.stall_subscriptions.wait()
        sub = state.subscriptions.get(request.match_info["id"])
        if sub is None:
            return _error(404, "No such subscription")
        return web.json_response(sub)

    async def accounts(request: web.Request) -> web.Response:
        p = request[PARAMS]
        obj = {
            "id": state.new_id("acct"),
            "object": "account",
            "type": p.get("type"),
            "email": p.get("email"),
            "metadata": p.get("metadata", {}),
            "details_submitted": False,
            "payouts_enabled": False,
            "charges_enabled": False,
            "requirements": {"disabled_reason": None},
        }
        state.accounts[obj["id"]] = obj
        return web.json_response(obj)

    async def account_links(request: web.Request) -> web.Response:
        p = request[PARAMS]
        if p.get("account") not in state.accounts:
            return _error(400, "No such account")
        return web.json_response(
            {
                "object": "account_link",
                "created": state.clock,
                "expires_at": state.clock + 300,
                "url": f"https://connect.stripe.test/setup/e/{p['account']}",
            }
        )

    async def transfers(request: web.Request) -> web.Response:
        p = request[PARAMS]
        if state.refuse_transfers:
            return _error(
                400, "Insufficient funds in Stripe account", "invalid_request_error"
            )
        if p.get("destination") not in state.accounts:
            return _error(400, "No such destination")
        obj = {
            "id": state.new_id("tr"),
            "object": "transfer",
            "amount": int(p["amount"]),
            "currency": p["currency"],
            "destination": p["destination"],
            "metadata": p.get("metadata", {}),
            "reversed": False,
            "amount_reversed": 0,
        }
        state.transfers[obj["id"]] = obj
        return web.json_response(obj)

    app.router.add_post("/v1/customers", customers)
    app.router.add_post("/v1/checkout/sessions", checkout_sessions)
    app.router.add_post("/v1/billing_portal/sessions", portal_sessions)
    app.router.add_get("/v1/subscriptions/{id}", subscription)
    app.router.add_post("/v1/accounts", accounts)
    app.router.add_post("/v1/account_links", account_links)
    app.router.add_post("/v1/transfers", transfers)
    return app
