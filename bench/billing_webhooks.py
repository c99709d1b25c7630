"""Billing costs, against a baseline measured in the same run (SQLite, in process).

    .venv/bin/python bench/billing_webhooks.py

1. Reading entitlements: `viewer { plan }` (one query: the organization joined with
   its billing row) and `viewer { billing { ... } }` (plan, source, subscription,
   earned credits), against `viewer { id }` (no query) and `viewer { credits }`
   (one query of the organization row).
2. Webhooks: a signed `customer.subscription.updated` posted to /webhooks/stripe
   and waited for until its job applied it (verify, store, enqueue, apply), one at
   a time, against `viewer { id }`.

Prints medians in milliseconds and ratios; always exits 0.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

import server  # noqa: E402
from models.accounts import User  # noqa: E402
from models.billing import BillingAccount, StripeEvent  # noqa: E402
from settings import Settings  # noqa: E402
from tests.fake_stripe import WEBHOOK_SECRET, signed  # noqa: E402

ROUNDS = 300
VIEWER = "{ viewer { id } }"
BILLING = (
    "{ viewer { billing { effectivePlan entitlementSource subscriptionStatus "
    "cancelAtPeriodEnd checkoutAvailable earnedCredits waitlist { signedUp } } } }"
)
PLAN = "{ viewer { plan { id rateLimitPerMinute } } }"
CREDITS = "{ viewer { credits } }"  # one query: the organization row


async def _timed(client: TestClient, query: str, token: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = await response.json()
        assert "errors" not in body, body
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _webhooks(client: TestClient) -> list[float]:
    times = []
    for n in range(ROUNDS):
        event = {
            "id": f"evt_bench_{n}",
            "object": "event",
            "type": "customer.subscription.updated",
            "created": 1_800_000_000 + n,
            "data": {
                "object": {
                    "id": "sub_bench",
                    "object": "subscription",
                    "customer": "cus_bench",
                    "status": "active",
                    "cancel_at_period_end": n % 2 == 1,
                    "current_period_end": 1_900_000_000,
                    "metadata": {"plan": "starter", "cadence": "monthly"},
                }
            },
        }
        payload = json.dumps(event)
        start = time.perf_counter()
        response = await client.post(
            "/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": signed(payload)},
        )
        assert response.status == 200
        while (await StripeEvent.get(event_id=event["id"])).status == "received":
            await asyncio.sleep(0)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(
                data_dir=Path(tmp),
                secret_key=uuid.uuid4().hex,
                session_rate_limit=1_000_000,
            ),
            database_url=f"sqlite://{tmp}/bench.sqlite3",
            stripe_secret_key="sk_test_bench",
            stripe_webhook_secret=WEBHOOK_SECRET,
        )
        await server.migrate(settings)
        client = TestClient(TestServer(server.create_app(settings)))
        await client.start_server()
        try:
            response = await client.post(
                "/graphql",
                json={
                    "query": 'mutation { signUp(input: {email: "b@example.com", '
                    'password: "correct horse battery", name: "B"}) { accessToken } }'
                },
            )
            token = (await response.json())["data"]["signUp"]["accessToken"]
            user = await User.get(email="b@example.com")
            await BillingAccount.create(
                organization_id=user.default_organization_id,
                stripe_customer_id="cus_bench",
            )
            await _timed(client, VIEWER, token)  # warm-up
            base = statistics.median(await _timed(client, VIEWER, token))
            credits = statistics.median(await _timed(client, CREDITS, token))
            billing = statistics.median(await _timed(client, BILLING, token))
            plan = statistics.median(await _timed(client, PLAN, token))
            hooks = statistics.median(await _webhooks(client))
        finally:
            await client.close()
    print(f"{ROUNDS} sequential requests each, medians (SQLite, in process)")
    for label, value in (
        ("viewer { id } (no query)", base),
        ("viewer { credits } (one query)", credits),
        ("viewer { plan } (entitlements)", plan),
        ("viewer { billing }", billing),
        ("webhook received -> applied", hooks),
    ):
        print(f"{label:38} {value:7.2f} ms   {value / base:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
