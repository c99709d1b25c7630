"""Billing end to end: the real server and the real `stripe` SDK against a local
Stripe-protocol server (tests/fake_stripe.py), webhooks signed as Stripe signs
them, a real database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

import server
from models.accounts import User
from models.billing import (
    BillingAccount,
    CreditEntry,
    CreditPurchase,
    Payout,
    StripeEvent,
)
from services import billing
from settings import Settings
from tests.fake_stripe import (
    API_KEY,
    FAKE_STRIPE,
    WEBHOOK_SECRET,
    FakeStripe,
    fake_stripe,
    signed,
)
from tests.helpers import JOB, ROOT, gql, reset_state, sign_up

RETURN = "https://app.example.com/billing/done"
CANCEL = "https://app.example.com/billing/cancel"

BILLING = """
query Billing {
  viewer {
    plan { key }
    organization { plan }
    credits
    billing {
      effectivePlan entitlementSource rateLimitPerMinute tailorCallsPerMonth
      subscriptionStatus subscriptionPlan cadence currentPeriodEnd
      cancelAtPeriodEnd gracePeriodEnd checkoutAvailable portalAvailable
      earnedCredits waitlist { signedUp plan }
    }
  }
}
"""
CHECKOUT = """
mutation Checkout($input: CreateCheckoutSessionInput!) {
  createCheckoutSession(input: $input) {
    url sessionId redirectedToPortal userErrors { field message code }
  }
}
"""
PORTAL = """
mutation Portal($input: CreatePortalSessionInput!) {
  createPortalSession(input: $input) { url userErrors { field message code } }
}
"""
BUY = """
mutation Buy($input: BuyCreditsInput!) {
  buyCredits(input: $input) { url sessionId userErrors { field message code } }
}
"""
WAITLIST = """
mutation Wait($input: JoinWaitlistInput!) {
  joinWaitlist(input: $input) {
    waitlist { signedUp plan } userErrors { field message code }
  }
}
"""
ONBOARD = """
mutation Onboard($input: CreatePayoutOnboardingLinkInput!) {
  createPayoutOnboardingLink(input: $input) {
    url userErrors { field message code }
  }
}
"""
PAYOUT = """
mutation Payout($input: RequestPayoutInput!) {
  requestPayout(input: $input) {
    payout { credits amountCents currency status transferId }
    userErrors { field message code }
  }
}
"""
TAILOR = """
mutation T($input: TailorResumeInput!) {
  tailorResume(input: $input) { resume { id } userErrors { field message code } }
}
"""
UPDATE_PROFILE = """
mutation P($input: UpdateProfileInput!) {
  updateProfile(input: $input) { profile { headline } userErrors { code } }
}
"""
PROFILE = "query { viewer { profile { headline } } }"
CREATE_KEY = """
mutation K($scopes: [ApiKeyScope!]!) {
  createApiKey(input: {name: "ci", scopes: $scopes}) { secret }
}
"""


def stripe_settings(settings: Settings, base: str, **extra: Any) -> Settings:
    return replace(
        settings,
        stripe_secret_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=base,
        billing_return_hosts=("app.example.com",),
        **extra,
    )


@pytest.fixture
async def stripe_env(
    aiohttp_client: Any, settings: Settings
) -> AsyncIterator[tuple[TestClient, FakeStripe, Settings]]:
    """The server with Stripe keys, pointed at a fresh fake Stripe."""
    app = fake_stripe()
    fake_server = TestServer(app)
    await fake_server.start_server()
    try:
        configured = stripe_settings(settings, str(fake_server.make_url("")))
        client: TestClient = await aiohttp_client(server.create_app(configured))
        await reset_state(settings)
        yield client, app[FAKE_STRIPE], configured
    finally:
        fake = app[FAKE_STRIPE]
        if fake.stall_subscriptions is not None:
            fake.stall_subscriptions.set()
        await fake_server.close()


async def deliver(
    client: TestClient,
    event: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    at: int | None = None,
    tamper: bool = False,
    signature: str | None = "sign",
) -> ClientResponse:
    payload = json.dumps(event)
    header = signed(payload, secret=secret, at=at) if signature == "sign" else None
    if tamper:
        payload = payload.replace('"livemode": false', '"livemode": true')
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return await client.post("/webhooks/stripe", data=payload, headers=headers)


async def applied(event_id: str, timeout: float = 10.0) -> StripeEvent:
    """Wait for the background job to apply (or ignore) a stored event."""
    deadline = time.monotonic() + timeout
    while True:
        row = await StripeEvent.get(event_id=event_id)
        if row.status != "received":
            return row
        assert time.monotonic() < deadline, f"{event_id} still {row.status}"
        await asyncio.sleep(0.02)


async def deliver_all(client: TestClient, events: list[dict[str, Any]]) -> list[str]:
    statuses = []
    for event in events:
        response = await deliver(client, event)
        assert response.status == 200, await response.text()
        statuses.append((await applied(event["id"])).status)
    return statuses


async def billing_of(client: TestClient, token: str) -> dict[str, Any]:
    body = await gql(client, BILLING, token=token)
    assert "errors" not in body, body
    viewer: dict[str, Any] = body["data"]["viewer"]
    return viewer


async def checkout(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    variables = {
        "plan": "STARTER",
        "cadence": "MONTHLY",
        "successUrl": RETURN,
        "cancelUrl": CANCEL,
        **overrides,
    }
    body = await gql(client, CHECKOUT, {"input": variables}, token=token)
    payload: dict[str, Any] = body["data"]["createCheckoutSession"]
    return payload


async def tailor_code(client: TestClient, token: str) -> str:
    body = await gql(client, TAILOR, {"input": {"jobDescription": JOB}}, token=token)
    errors = body["data"]["tailorResume"]["userErrors"]
    assert len(errors) == 1, errors
    code: str = errors[0]["code"]
    return code


async def org_id(email: str = "ada@example.com") -> int:
    return (await User.get(email=email)).default_organization_id


async def subscribe(
    client: TestClient, fake: FakeStripe, token: str, plan: str = "STARTER"
) -> str:
    """Checkout and pay; returns the subscription id."""
    payload = await checkout(client, token, plan=plan)
    assert payload["userErrors"] == []
    events = fake.complete_checkout(payload["sessionId"])
    assert await deliver_all(client, events) == ["applied", "applied"]
    sub_id: str = fake.sessions[payload["sessionId"]]["subscription"]
    return sub_id


# -- without Stripe keys -----------------------------------------------------------


async def test_without_stripe_keys_billing_is_unavailable_and_the_rest_works(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    viewer = await billing_of(client, token)
    assert viewer["billing"] == {
        "effectivePlan": "FREE",
        "entitlementSource": "NONE",
        "rateLimitPerMinute": 1,
        "tailorCallsPerMonth": 10,
        "subscriptionStatus": None,
        "subscriptionPlan": None,
        "cadence": None,
        "currentPeriodEnd": None,
        "cancelAtPeriodEnd": False,
        "gracePeriodEnd": None,
        "checkoutAvailable": False,
        "portalAvailable": False,
        "earnedCredits": 0,
        "waitlist": {"signedUp": False, "plan": None},
    }
    unavailable = [
        {
            "field": None,
            "message": "Billing is not configured on this server",
            "code": "BILLING_UNAVAILABLE",
        }
    ]
    assert (await checkout(client, token))["userErrors"] == unavailable
    for query, name, variables in (
        (PORTAL, "createPortalSession", {"returnUrl": RETURN}),
        (BUY, "buyCredits", {"credits": 50, "successUrl": RETURN, "cancelUrl": CANCEL}),
        (
            ONBOARD,
            "createPayoutOnboardingLink",
            {"returnUrl": RETURN, "refreshUrl": RETURN},
        ),
        (PAYOUT, "requestPayout", {"credits": 1}),
    ):
        body = await gql(client, query, {"input": variables}, token=token)
        assert body["data"][name]["userErrors"] == unavailable, name
    response = await deliver(client, {"id": "evt_1", "type": "ping"})
    assert response.status == 400
    assert await StripeEvent.all().count() == 0
    # the waitlist needs no Stripe
    body = await gql(client, WAITLIST, {"input": {"plan": "ENTERPRISE"}}, token=token)
    assert body["data"]["joinWaitlist"] == {
        "waitlist": {"signedUp": True, "plan": "ENTERPRISE"},
        "userErrors": [],
    }
    viewer = await billing_of(client, token)
    assert viewer["billing"]["waitlist"] == {"signedUp": True, "plan": "ENTERPRISE"}


# -- the full story ------------------------------------------------------------------


async def test_free_to_starter_to_portal_to_cancellation_keeps_the_data(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    await gql(client, UPDATE_PROFILE, {"input": {"headline": "Engineer"}}, token=token)
    # given a free organization: tailoring needs a plan
    assert await tailor_code(client, token) == "PLAN_REQUIRED"
    viewer = await billing_of(client, token)
    assert viewer["billing"]["checkoutAvailable"] is True
    assert viewer["billing"]["portalAvailable"] is False

    # when it checks out
    payload = await checkout(client, token)
    assert payload["userErrors"] == []
    assert payload["redirectedToPortal"] is False
    session = fake.sessions[payload["sessionId"]]
    assert payload["url"] == f"https://checkout.stripe.test/c/pay/{session['id']}"
    assert session["mode"] == "subscription"
    assert session["success_url"] == RETURN
    assert session["client_reference_id"] == str(await org_id())
    assert session["line_items"] == [
        {
            "quantity": "1",
            "price_data": {
                "currency": "eur",
                "unit_amount": "2900",
                "recurring": {"interval": "month"},
                "product_data": {"name": "Careergraph Starter"},
            },
        }
    ]
    customer = fake.customers[session["customer"]]
    assert customer["email"] == "ada@example.com"
    # ... and pays: Stripe sends subscription.created and checkout.session.completed
    events = fake.complete_checkout(payload["sessionId"])
    assert [e["type"] for e in events] == [
        "customer.subscription.created",
        "checkout.session.completed",
    ]
    assert await deliver_all(client, events) == ["applied", "applied"]
    sub_id = session["subscription"]
    assert [c.path for c in fake.calls if c.method == "GET"] == [
        f"/v1/subscriptions/{sub_id}"
    ]

    # then the organization is on Starter, from billing, and tailoring is allowed
    viewer = await billing_of(client, token)
    period_end = datetime.fromtimestamp(
        fake.subscriptions[sub_id]["current_period_end"], UTC
    )
    assert viewer["plan"] == {"key": "STARTER"}
    assert viewer["organization"] == {"plan": "STARTER"}
    assert viewer["billing"] == {
        "effectivePlan": "STARTER",
        "entitlementSource": "BILLING",
        "rateLimitPerMinute": 20,
        "tailorCallsPerMonth": 200,
        "subscriptionStatus": "ACTIVE",
        "subscriptionPlan": "STARTER",
        "cadence": "MONTHLY",
        "currentPeriodEnd": period_end.isoformat(),
        "cancelAtPeriodEnd": False,
        "gracePeriodEnd": None,
        "checkoutAvailable": True,
        "portalAvailable": True,
        "earnedCredits": 0,
        "waitlist": {"signedUp": False, "plan": None},
    }
    assert await tailor_code(client, token) == "NO_MASTER_RESUME"  # past the plan gate

    # checkout again goes to the portal; the customer was created once
    again = await checkout(client, token, plan="PRO")
    assert again["redirectedToPortal"] is True
    assert again["url"].startswith("https://billing.stripe.test/p/session/bps_")
    assert len(fake.calls_to("/v1/customers")) == 1
    assert len(fake.calls_to("/v1/checkout/sessions")) == 1
    body = await gql(client, PORTAL, {"input": {"returnUrl": RETURN}}, token=token)
    portal = body["data"]["createPortalSession"]
    assert portal["userErrors"] == []
    assert portal["url"].startswith("https://billing.stripe.test/p/session/bps_")
    assert fake.calls_to("/v1/billing_portal/sessions")[-1].params == {
        "customer": session["customer"],
        "return_url": RETURN,
    }

    # the user cancels in the portal: at period end
    await deliver_all(
        client, [fake.update_subscription(sub_id, cancel_at_period_end=True)]
    )
    viewer = await billing_of(client, token)
    assert viewer["billing"]["effectivePlan"] == "STARTER"
    assert viewer["billing"]["cancelAtPeriodEnd"] is True
    # the period ends: Stripe deletes the subscription
    await deliver_all(client, [fake.delete_subscription(sub_id)])
    viewer = await billing_of(client, token)
    assert viewer["billing"]["effectivePlan"] == "FREE"
    assert viewer["billing"]["entitlementSource"] == "NONE"
    assert viewer["billing"]["subscriptionStatus"] == "CANCELED"
    assert viewer["credits"] == 20
    assert await tailor_code(client, token) == "PLAN_REQUIRED"
    body = await gql(client, PROFILE, token=token)
    assert body["data"]["viewer"]["profile"]["headline"] == "Engineer"
    # a new checkout is a checkout again, for the same customer
    fresh = await checkout(client, token, plan="PRO", cadence="YEARLY")
    assert fresh["redirectedToPortal"] is False
    params = fake.calls_to("/v1/checkout/sessions")[-1].params
    assert params["customer"] == session["customer"]
    assert params["line_items"][0]["price_data"]["unit_amount"] == "99000"
    assert params["line_items"][0]["price_data"]["recurring"] == {"interval": "year"}


# -- checks of the input ---------------------------------------------------------------


async def test_checkout_refuses_foreign_return_urls_and_unsold_plans(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    foreign = await checkout(client, token, successUrl="https://evil.example.net/x")
    assert foreign["userErrors"] == [
        {
            "field": ["input", "successUrl"],
            "message": "successUrl must point to one of this service's hosts "
            "(BILLING_RETURN_HOSTS)",
            "code": "VALIDATION_ERROR",
        }
    ]
    script = await checkout(client, token, cancelUrl="javascript:alert(1)")
    assert script["userErrors"] == [
        {
            "field": ["input", "cancelUrl"],
            "message": "cancelUrl must be an http(s) URL",
            "code": "VALIDATION_ERROR",
        }
    ]
    enterprise = await checkout(client, token, plan="ENTERPRISE")
    assert enterprise["userErrors"][0]["code"] == "VALIDATION_ERROR"
    assert enterprise["userErrors"][0]["field"] == ["input", "plan"]
    assert fake.calls == []  # nothing reached Stripe
    body = await gql(client, PORTAL, {"input": {"returnUrl": RETURN}}, token=token)
    assert body["data"]["createPortalSession"]["userErrors"] == [
        {
            "field": None,
            "message": "The organization has no Stripe customer yet; start with "
            "checkout",
            "code": "NO_SUBSCRIPTION",
        }
    ]
    body = await gql(client, WAITLIST, {"input": {"plan": "STARTER"}}, token=token)
    assert body["data"]["joinWaitlist"]["userErrors"][0]["code"] == "VALIDATION_ERROR"
    # a plan outside PlanKey (or its lower-case value) is a variable error
    for plan in ("platinum", "starter"):
        body = await gql(client, WAITLIST, {"input": {"plan": plan}}, token=token)
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert f"Value '{plan}' does not exist in 'PlanKey' enum" in error["message"]


async def test_api_keys_cannot_start_checkout(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, CREATE_KEY, {"scopes": ["READ", "WRITE"]}, token=token)
    secret = body["data"]["createApiKey"]["secret"]
    variables = {"plan": "STARTER", "successUrl": RETURN, "cancelUrl": CANCEL}
    body = await gql(
        client, CHECKOUT, {"input": variables}, headers={"X-API-Key": secret}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert fake.calls == []


# -- webhooks ------------------------------------------------------------------------


async def test_webhooks_with_bad_signatures_are_refused_and_change_nothing(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    payload = await checkout(client, token)
    events = fake.complete_checkout(payload["sessionId"])
    stale = int(time.time()) - 301  # Stripe's default tolerance is 300 s
    for kwargs in (
        {"secret": "whsec_forged"},
        {"signature": None},
        {"at": stale},
        {"tamper": True},
    ):
        response = await deliver(client, events[0], **kwargs)
        assert response.status == 400, kwargs
        assert (await response.json())["error"].startswith("Invalid Stripe webhook")
    response = await client.post(
        "/webhooks/stripe",
        data="not json",
        headers={"Stripe-Signature": signed("not json")},
    )
    assert response.status == 400
    assert await StripeEvent.all().count() == 0
    assert (await billing_of(client, token))["billing"]["effectivePlan"] == "FREE"


async def test_a_replayed_event_is_applied_once_and_credits_land_once(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    variables = {"credits": 100, "successUrl": RETURN, "cancelUrl": CANCEL}
    body = await gql(client, BUY, {"input": variables}, token=token)
    bought = body["data"]["buyCredits"]
    assert bought["userErrors"] == []
    session = fake.sessions[bought["sessionId"]]
    assert session["mode"] == "payment"
    assert session["line_items"] == [
        {
            "quantity": "100",
            "price_data": {
                "currency": "eur",
                "unit_amount": "10",
                "product_data": {"name": "Careergraph credits"},
            },
        }
    ]
    # nothing lands before Stripe says the payment succeeded
    assert (await billing_of(client, token))["credits"] == 20
    [completed] = fake.complete_checkout(bought["sessionId"])
    assert await deliver_all(client, [completed]) == ["applied"]
    # the same event again: acknowledged, not applied
    replay = await deliver(client, completed)
    assert replay.status == 200
    assert await replay.json() == {
        "received": True,
        "duplicate": True,
        "id": completed["id"],
    }
    # the same payment in another event (async payment succeeded)
    again = fake.event(
        "checkout.session.async_payment_succeeded", completed["data"]["object"]
    )
    assert await deliver_all(client, [again]) == ["ignored"]
    assert (await billing_of(client, token))["credits"] == 120
    entries = await CreditEntry.filter(reason="purchase").values_list(
        "delta", "subject"
    )
    assert entries == [(100, f"checkout:{bought['sessionId']}")]
    purchase = await CreditPurchase.get(session_id=bought["sessionId"])
    assert (purchase.status, purchase.credits, purchase.amount_cents) == (
        "paid",
        100,
        1000,
    )


async def test_out_of_order_subscription_events_never_move_backwards(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    sub_id = await subscribe(client, fake, token)
    cancel = fake.update_subscription(sub_id, cancel_at_period_end=True)
    resume = fake.update_subscription(sub_id, cancel_at_period_end=False)
    # the newer one arrives first; the older one is stale
    assert await deliver_all(client, [resume, cancel]) == ["applied", "ignored"]
    assert (await billing_of(client, token))["billing"]["cancelAtPeriodEnd"] is False
    # a deletion, then an update sent before it
    older = fake.update_subscription(sub_id, status="active")
    deleted = fake.delete_subscription(sub_id)
    assert await deliver_all(client, [deleted, older]) == ["applied", "ignored"]
    billing_state = (await billing_of(client, token))["billing"]
    assert billing_state["effectivePlan"] == "FREE"
    assert billing_state["subscriptionStatus"] == "CANCELED"
    # even a later event cannot bring a canceled subscription back
    revived = fake.update_subscription(sub_id, status="active")
    assert await deliver_all(client, [revived]) == ["ignored"]
    assert (await billing_of(client, token))["billing"]["effectivePlan"] == "FREE"


async def test_a_failed_payment_keeps_the_plan_for_the_grace_period_then_free(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    sub_id = await subscribe(client, fake, token, plan="PRO")
    before = datetime.now(UTC)
    assert await deliver_all(client, [fake.invoice(sub_id, paid=False)]) == ["applied"]
    state = (await billing_of(client, token))["billing"]
    assert state["subscriptionStatus"] == "PAST_DUE"
    assert state["effectivePlan"] == "PRO"
    grace_end = datetime.fromisoformat(state["gracePeriodEnd"])
    assert (
        before + timedelta(days=7) <= grace_end <= datetime.now(UTC) + timedelta(days=7)
    )
    # paid after all
    assert await deliver_all(client, [fake.invoice(sub_id, paid=True)]) == ["applied"]
    state = (await billing_of(client, token))["billing"]
    assert (state["subscriptionStatus"], state["gracePeriodEnd"]) == ("ACTIVE", None)
    # fails again, and the grace period runs out
    assert await deliver_all(client, [fake.invoice(sub_id, paid=False)]) == ["applied"]
    await BillingAccount.filter(organization_id=await org_id()).update(
        grace_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    state = (await billing_of(client, token))["billing"]
    assert (state["effectivePlan"], state["entitlementSource"]) == ("FREE", "NONE")
    assert await tailor_code(client, token) == "PLAN_REQUIRED"


async def test_a_crash_between_receiving_and_applying_is_applied_after_restart(
    aiohttp_client: Any,
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, configured = stripe_env
    token = (await sign_up(client))["accessToken"]
    payload = await checkout(client, token)
    _, completed = fake.complete_checkout(payload["sessionId"])
    # the job stops half way (it waits on Stripe's API) when the process goes down
    fake.stall_subscriptions = asyncio.Event()
    response = await deliver(client, completed)
    assert response.status == 200
    await asyncio.wait_for(fake.stalled.wait(), timeout=10)
    await client.close()
    fake.stall_subscriptions.set()
    fake.stall_subscriptions = None
    # back up, with a sweeper that leaves events younger than 600 s: with the
    # in-process broker the delivery died with the process, so nothing applies it yet
    # (a Redis stream hands the unfinished delivery back at once instead: the new
    # process may apply it right away, which is the point of acknowledging late)
    inspect: TestClient = await aiohttp_client(server.create_app(configured))
    if not configured.redis_url:
        row = await StripeEvent.get(event_id=completed["id"])
        assert (row.status, row.attempts) == ("received", 1)
        account = await BillingAccount.get(organization_id=await org_id())
        assert account.subscription_id is None
        plan = (await billing_of(inspect, token))["billing"]["effectivePlan"]
        assert plan == "FREE"
    await inspect.close()
    # a process whose sweeper takes events older than 0.2 s applies it
    await asyncio.sleep(0.3)
    restarted: TestClient = await aiohttp_client(
        server.create_app(replace(configured, stuck_after=0.2))
    )
    assert (await applied(completed["id"])).status == "applied"
    state = (await billing_of(restarted, token))["billing"]
    assert (state["effectivePlan"], state["entitlementSource"]) == (
        "STARTER",
        "BILLING",
    )
    row = await StripeEvent.get(event_id=completed["id"])
    if configured.redis_url:  # the handed-back delivery may have run it once more
        assert row.attempts in (2, 3)
    else:
        assert row.attempts == 2


# -- payouts -------------------------------------------------------------------------


async def test_payouts_transfer_earned_credits_only_once(
    stripe_env: tuple[TestClient, FakeStripe, Settings],
) -> None:
    client, fake, _ = stripe_env
    token = (await sign_up(client))["accessToken"]
    org = await org_id()
    body = await gql(
        client,
        ONBOARD,
        {"input": {"returnUrl": RETURN, "refreshUrl": CANCEL}},
        token=token,
    )
    link = body["data"]["createPayoutOnboardingLink"]
    assert link["userErrors"] == []
    user = await User.get(email="ada@example.com")
    assert user.stripe_account_status == "pending"
    assert (
        link["url"] == f"https://connect.stripe.test/setup/e/{user.stripe_account_id}"
    )
    assert fake.calls_to("/v1/accounts")[0].params["type"] == "express"
    # not onboarded yet
    body = await gql(client, PAYOUT, {"input": {"credits": 1}}, token=token)
    assert (
        body["data"]["requestPayout"]["userErrors"][0]["code"] == "PAYOUTS_NOT_ENABLED"
    )
    assert user.stripe_account_id is not None
    assert await deliver_all(client, [fake.onboard(user.stripe_account_id)]) == [
        "applied"
    ]
    await user.refresh_from_db()
    assert user.stripe_account_status == "active"
    # a second link reuses the account
    await gql(
        client,
        ONBOARD,
        {"input": {"returnUrl": RETURN, "refreshUrl": CANCEL}},
        token=token,
    )
    assert len(fake.calls_to("/v1/accounts")) == 1

    # earned: 30 from jobs; bought or granted credits are not payable
    await billing.change_credits(
        organization_id=org, delta=30, reason="job_reward", subject="job:1"
    )
    await billing.change_credits(organization_id=org, delta=100, reason="purchase")
    assert (await billing_of(client, token))["billing"]["earnedCredits"] == 30
    body = await gql(client, PAYOUT, {"input": {"credits": 31}}, token=token)
    assert body["data"]["requestPayout"]["userErrors"] == [
        {
            "field": ["input", "credits"],
            "message": "Only 30 earned credits can be paid out",
            "code": "INSUFFICIENT_CREDITS",
        }
    ]
    # two requests at once: one pays
    first, second = await asyncio.gather(
        gql(client, PAYOUT, {"input": {"credits": 30}}, token=token),
        gql(client, PAYOUT, {"input": {"credits": 30}}, token=token),
    )
    results = [first["data"]["requestPayout"], second["data"]["requestPayout"]]
    paid = [r for r in results if r["payout"]]
    refused = [r for r in results if r["userErrors"]]
    assert len(paid) == 1
    assert len(refused) == 1
    assert refused[0]["userErrors"][0]["code"] == "INSUFFICIENT_CREDITS"
    transfer_id = paid[0]["payout"]["transferId"]
    assert paid[0]["payout"] == {
        "credits": 30,
        "amountCents": 150,
        "currency": "eur",
        "status": "PAID",
        "transferId": transfer_id,
    }
    transfer = fake.transfers[transfer_id]
    assert (transfer["amount"], transfer["destination"]) == (
        150,
        user.stripe_account_id,
    )
    viewer = await billing_of(client, token)
    assert (viewer["credits"], viewer["billing"]["earnedCredits"]) == (120, 0)
    # Stripe reverses the transfer: the credits are earned again, once
    reversal = fake.reverse_transfer(transfer_id)
    assert await deliver_all(client, [reversal]) == ["applied"]
    again = fake.event("transfer.reversed", reversal["data"]["object"])
    assert await deliver_all(client, [again]) == ["ignored"]
    viewer = await billing_of(client, token)
    assert (viewer["credits"], viewer["billing"]["earnedCredits"]) == (150, 30)
    # Stripe refuses a transfer: the debit is given back
    fake.refuse_transfers = True
    body = await gql(client, PAYOUT, {"input": {"credits": 10}}, token=token)
    errors = body["data"]["requestPayout"]["userErrors"]
    assert [e["code"] for e in errors] == ["BILLING_UNAVAILABLE"]
    viewer = await billing_of(client, token)
    assert (viewer["credits"], viewer["billing"]["earnedCredits"]) == (150, 30)
    statuses = (
        await Payout.filter(organization_id=org)
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert list(statuses) == ["reversed", "failed"]
    ledger = (
        await CreditEntry.filter(
            organization_id=org, reason__in=("payout", "payout_reversed")
        )
        .order_by("id")
        .values_list("reason", "delta")
    )
    assert ledger == [
        ("payout", -30),
        ("payout_reversed", 30),
        ("payout", -10),
        ("payout_reversed", 10),
    ]


# -- manual entitlements -------------------------------------------------------------


def _cli(settings: Settings, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    done = subprocess.run(
        [sys.executable, "server.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def test_admin_cli_grants_plans_by_hand_with_enterprise_overrides(
    client: TestClient, settings: Settings
) -> None:
    token = (await sign_up(client))["accessToken"]
    org = await org_id()
    out = await asyncio.to_thread(
        _cli,
        settings,
        "set-plan",
        str(org),
        "enterprise",
        "--rate-limit",
        "5",
        "--tailor-quota",
        "3000",
    )
    assert out == (
        f"organization {org}: plan enterprise (manual); effective enterprise from "
        "MANUAL, 5 API requests/min, 3000 tailoring calls/month"
    )
    state = (await billing_of(client, token))["billing"]
    assert (
        state["effectivePlan"],
        state["entitlementSource"],
        state["rateLimitPerMinute"],
        state["tailorCallsPerMonth"],
    ) == ("ENTERPRISE", "MANUAL", 5, 3000)
    body = await gql(client, CREATE_KEY, {"scopes": ["READ"]}, token=token)
    secret = body["data"]["createApiKey"]["secret"]
    response = await client.post(
        "/graphql", json={"query": "{ plans { id } }"}, headers={"X-API-Key": secret}
    )
    assert response.headers["X-RateLimit-Limit"] == "5"
    # a trial that has ended gives nothing
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    await asyncio.to_thread(
        _cli,
        settings,
        "set-plan",
        str(org),
        "pro",
        "--source",
        "trial",
        "--until",
        yesterday,
        "--rate-limit",
        "-1",
        "--tailor-quota",
        "-1",
    )
    state = (await billing_of(client, token))["billing"]
    assert (state["effectivePlan"], state["entitlementSource"]) == ("FREE", "NONE")
    assert (state["rateLimitPerMinute"], state["tailorCallsPerMonth"]) == (1, 10)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    await asyncio.to_thread(
        _cli,
        settings,
        "set-plan",
        str(org),
        "pro",
        "--source",
        "trial",
        "--until",
        tomorrow,
    )
    state = (await billing_of(client, token))["billing"]
    assert (state["effectivePlan"], state["entitlementSource"]) == ("PRO", "TRIAL")


# -- the entitlement rules, without a database -----------------------------------------


def _account(**values: Any) -> BillingAccount:
    base: dict[str, Any] = {
        "subscription_id": "sub_1",
        "subscription_plan": "starter",
        "subscription_status": "active",
        "current_period_end": None,
        "cancel_at_period_end": False,
        "grace_until": None,
        "manual_source": "manual",
        "manual_until": None,
        "rate_limit_override": None,
        "tailor_quota_override": None,
    }
    return BillingAccount(**{**base, **values})


@pytest.mark.parametrize(
    ("manual", "values", "expected"),
    [
        ("free", None, ("free", "NONE")),
        ("pro", None, ("pro", "MANUAL")),
        ("free", {}, ("starter", "BILLING")),
        ("free", {"subscription_status": "trialing"}, ("starter", "TRIAL")),
        ("free", {"subscription_status": "unpaid"}, ("free", "NONE")),
        ("free", {"subscription_status": "incomplete"}, ("free", "NONE")),
        ("free", {"subscription_status": "past_due"}, ("starter", "BILLING")),
        (
            "free",
            {"subscription_status": "past_due", "grace_until": "past"},
            ("free", "NONE"),
        ),
        (
            "free",
            {"cancel_at_period_end": True, "current_period_end": "future"},
            ("starter", "BILLING"),
        ),
        (
            "free",
            {"cancel_at_period_end": True, "current_period_end": "past"},
            ("free", "NONE"),
        ),
        ("pro", {}, ("pro", "MANUAL")),  # the higher plan wins
        ("starter", {}, ("starter", "BILLING")),  # billing on a tie
        ("enterprise", {"manual_until": "past"}, ("starter", "BILLING")),
        ("pro", {"manual_source": "trial", "subscription_id": None}, ("pro", "TRIAL")),
    ],
)
def test_entitlement_rules(
    manual: str, values: dict[str, Any] | None, expected: tuple[str, str]
) -> None:
    from services.entitlements import resolve

    now = datetime(2026, 6, 1, tzinfo=UTC)
    when = {"past": now - timedelta(seconds=1), "future": now + timedelta(days=1)}
    account = None
    if values is not None:
        account = _account(
            **{
                k: when.get(v, v) if isinstance(v, str) else v
                for k, v in values.items()
            }
        )
    ent = resolve(manual_plan=manual, account=account, now=now)
    assert (ent.plan.id, ent.source) == expected
