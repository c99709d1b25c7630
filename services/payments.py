"""Stripe calls of the billing domain: Checkout for subscriptions and credit packs,
the customer portal, Connect (Express) onboarding, payouts of earned credits, the
waitlist, and the billing state the viewer reads.

Every call goes through the official `stripe` SDK (`StripeClient`, aiohttp
transport, `api_base` from STRIPE_API_BASE for tests). Without STRIPE_SECRET_KEY
the mutations raise BillingUnavailable and the state says checkout and portal are
unavailable; nothing else depends on Stripe.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import stripe
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from models.accounts import Organization, User
from models.billing import BillingAccount, CreditEntry, CreditPurchase, Payout
from services import billing, entitlements
from services.accounts import Actor
from services.errors import (
    BillingUnavailable,
    InsufficientCredits,
    NoSubscription,
    PayoutsNotEnabled,
    ValidationFailed,
)
from settings import Settings

log = logging.getLogger(__name__)

SOLD_PLANS = ("starter", "pro")  # through Checkout; others through the waitlist
CADENCES = ("monthly", "yearly")
YEARLY_MONTHS = 10  # a yearly subscription costs ten months
MAX_CREDITS_PER_PURCHASE = 100_000
# A subscription in these states exists for Stripe: checkout routes to the portal.
LIVE_STATUSES = ("active", "trialing", "past_due", "unpaid", "paused", "incomplete")
EARNED_REASONS = ("job_reward", "payout_reversed", "payout")


@dataclass(frozen=True, slots=True)
class BillingState:
    entitlement: entitlements.Entitlement
    account: BillingAccount | None
    checkout_available: bool
    portal_available: bool
    earned_credits: int


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    url: str
    session_id: str
    redirected_to_portal: bool


def configured(settings: Settings) -> bool:
    return bool(settings.stripe_secret_key)


@asynccontextmanager
async def stripe_client(settings: Settings) -> AsyncIterator[stripe.StripeClient]:
    """A client for one operation (its aiohttp session is closed after)."""
    if not configured(settings):
        raise BillingUnavailable("Billing is not configured on this server")
    http = stripe.AIOHTTPClient(timeout=20)
    client = stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses=(
            {"api": settings.stripe_api_base, "connect": settings.stripe_api_base}
            if settings.stripe_api_base
            else None
        ),
        http_client=http,
        max_network_retries=2,
    )
    try:
        yield client
    except stripe.StripeError as exc:
        log.warning("stripe call failed: %s", exc)
        raise BillingUnavailable(
            f"Stripe did not accept the request: {exc.user_message or 'error'}"
        ) from exc
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]


def check_return_url(url: str, *, settings: Settings, field: str) -> str:
    """http(s) and on BILLING_RETURN_HOSTS (or PUBLIC_URL's host): no open redirect."""
    parts = urlsplit(url)
    allowed = set(settings.billing_return_hosts)
    if settings.public_url:
        allowed.add(urlsplit(settings.public_url).hostname or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(f"{field} must be an http(s) URL", field=[field])
    if parts.username or parts.password or parts.hostname not in allowed:
        raise ValidationFailed(
            f"{field} must point to one of this service's hosts (BILLING_RETURN_HOSTS)",
            field=[field],
        )
    return url


# -- state --------------------------------------------------------------------------


async def state(*, organization_id: int, settings: Settings) -> BillingState:
    snap = await entitlements.snapshot(organization_id=organization_id)
    account = snap.account
    on = configured(settings)
    return BillingState(
        entitlement=snap.entitlement,
        account=account,
        checkout_available=on,
        portal_available=on
        and account is not None
        and account.stripe_customer_id is not None,
        earned_credits=await earned_credits(
            organization_id=organization_id, balance=snap.credits
        ),
    )


# -- checkout and portal ------------------------------------------------------------


async def _customer(
    client: stripe.StripeClient, actor: Actor, account: BillingAccount
) -> str:
    """The organization's Stripe customer, created once and stored."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    org = await Organization.get(id=actor.organization_id).only("id", "name")
    user = await User.get(id=actor.user_id).only("id", "email")
    customer = await client.v1.customers.create_async(
        params={
            "email": user.email,
            "name": org.name,
            "metadata": {"organization_id": str(org.id)},
        },
        options={"idempotency_key": f"careergraph-customer-org-{org.id}"},
    )
    await BillingAccount.filter(id=account.id, stripe_customer_id=None).update(
        stripe_customer_id=customer.id
    )
    await account.refresh_from_db(fields=["stripe_customer_id"])
    return account.stripe_customer_id or customer.id


async def create_checkout(
    *,
    actor: Actor,
    settings: Settings,
    plan_id: str,
    cadence: str,
    success_url: str,
    cancel_url: str,
) -> CheckoutLink:
    actor.require_role("owner", "admin")
    if not configured(settings):
        raise BillingUnavailable("Billing is not configured on this server")
    if plan_id not in SOLD_PLANS:
        raise ValidationFailed(
            f"The {plan_id} plan is not sold through checkout; "
            "join its waitlist (enterprise: contact sales)",
            field=["plan"],
        )
    if cadence not in CADENCES:
        raise ValidationFailed("cadence must be MONTHLY or YEARLY", field=["cadence"])
    check_return_url(success_url, settings=settings, field="successUrl")
    check_return_url(cancel_url, settings=settings, field="cancelUrl")
    account = await entitlements.account_for(actor.organization_id)
    async with stripe_client(settings) as client:
        customer = await _customer(client, actor, account)
        if account.subscription_id and account.subscription_status in LIVE_STATUSES:
            portal = await client.v1.billing_portal.sessions.create_async(
                params={"customer": customer, "return_url": success_url}
            )
            return CheckoutLink(
                url=portal.url, session_id=portal.id, redirected_to_portal=True
            )
        plan = billing.get_plan(plan_id)
        monthly = plan.price_cents_per_month or 0
        metadata = {
            "organization_id": str(actor.organization_id),
            "plan": plan_id,
            "cadence": cadence,
        }
        session = await client.v1.checkout.sessions.create_async(
            params={
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": str(actor.organization_id),
                "success_url": success_url,
                "cancel_url": cancel_url,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": settings.billing_currency,
                            "unit_amount": monthly
                            * (YEARLY_MONTHS if cadence == "yearly" else 1),
                            "recurring": {
                                "interval": "year" if cadence == "yearly" else "month"
                            },
                            "product_data": {"name": f"Careergraph {plan.name}"},
                        },
                    }
                ],
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
            }
        )
    if not session.url:
        raise BillingUnavailable("Stripe returned a checkout session without a URL")
    return CheckoutLink(
        url=session.url, session_id=session.id, redirected_to_portal=False
    )


async def create_portal(*, actor: Actor, settings: Settings, return_url: str) -> str:
    actor.require_role("owner", "admin")
    if not configured(settings):
        raise BillingUnavailable("Billing is not configured on this server")
    check_return_url(return_url, settings=settings, field="returnUrl")
    account = await BillingAccount.get_or_none(organization_id=actor.organization_id)
    if account is None or not account.stripe_customer_id:
        raise NoSubscription(
            "The organization has no Stripe customer yet; start with checkout"
        )
    async with stripe_client(settings) as client:
        portal = await client.v1.billing_portal.sessions.create_async(
            params={"customer": account.stripe_customer_id, "return_url": return_url}
        )
    return portal.url


async def buy_credits(
    *,
    actor: Actor,
    settings: Settings,
    credits: int,
    success_url: str,
    cancel_url: str,
) -> CheckoutLink:
    """Checkout in payment mode for a credit pack; the credits land when Stripe
    reports the payment (`checkout.session.completed`, paid), once."""
    actor.require_role("owner", "admin")
    if not configured(settings):
        raise BillingUnavailable("Billing is not configured on this server")
    if not 1 <= credits <= MAX_CREDITS_PER_PURCHASE:
        raise ValidationFailed(
            f"credits must be between 1 and {MAX_CREDITS_PER_PURCHASE}",
            field=["credits"],
        )
    amount = credits * settings.credit_price_cents
    if amount < 50:  # Stripe's minimum charge is about 0.50 in most currencies
        raise ValidationFailed(
            "A purchase must cost at least 0.50; buy "
            f"{-(-50 // settings.credit_price_cents)} credits or more",
            field=["credits"],
        )
    check_return_url(success_url, settings=settings, field="successUrl")
    check_return_url(cancel_url, settings=settings, field="cancelUrl")
    account = await entitlements.account_for(actor.organization_id)
    async with stripe_client(settings) as client:
        customer = await _customer(client, actor, account)
        session = await client.v1.checkout.sessions.create_async(
            params={
                "mode": "payment",
                "customer": customer,
                "client_reference_id": str(actor.organization_id),
                "success_url": success_url,
                "cancel_url": cancel_url,
                "line_items": [
                    {
                        "quantity": credits,
                        "price_data": {
                            "currency": settings.billing_currency,
                            "unit_amount": settings.credit_price_cents,
                            "product_data": {"name": "Careergraph credits"},
                        },
                    }
                ],
                "metadata": {
                    "organization_id": str(actor.organization_id),
                    "credits": str(credits),
                },
            }
        )
    await CreditPurchase.create(
        organization_id=actor.organization_id,
        session_id=session.id,
        credits=credits,
        amount_cents=amount,
        currency=settings.billing_currency,
    )
    if not session.url:
        raise BillingUnavailable("Stripe returned a checkout session without a URL")
    return CheckoutLink(
        url=session.url, session_id=session.id, redirected_to_portal=False
    )


# -- waitlist -----------------------------------------------------------------------


async def join_waitlist(*, actor: Actor, plan_id: str) -> BillingAccount:
    billing.get_plan(plan_id)
    if plan_id in SOLD_PLANS or plan_id == "free":
        raise ValidationFailed(
            f"The {plan_id} plan is available now; use createCheckoutSession",
            field=["plan"],
        )
    account = await entitlements.account_for(actor.organization_id)
    account.waitlist_plan = plan_id
    account.waitlist_at = datetime.now(UTC)
    await account.save(update_fields=["waitlist_plan", "waitlist_at", "updated_at"])
    return account


# -- Connect payouts ----------------------------------------------------------------


async def onboarding_link(
    *, actor: Actor, settings: Settings, return_url: str, refresh_url: str
) -> str:
    """A Stripe Connect (Express) onboarding link; the account is created once."""
    actor.require_session()
    if not configured(settings):
        raise BillingUnavailable("Billing is not configured on this server")
    check_return_url(return_url, settings=settings, field="returnUrl")
    check_return_url(refresh_url, settings=settings, field="refreshUrl")
    user = await User.get(id=actor.user_id)
    async with stripe_client(settings) as client:
        if not user.stripe_account_id:
            account = await client.v1.accounts.create_async(
                params={
                    "type": "express",
                    "email": user.email,
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {"user_id": str(user.id)},
                },
                options={"idempotency_key": f"careergraph-connect-user-{user.id}"},
            )
            await User.filter(id=user.id, stripe_account_id=None).update(
                stripe_account_id=account.id, stripe_account_status="pending"
            )
            await user.refresh_from_db(fields=["stripe_account_id"])
        assert user.stripe_account_id is not None
        link = await client.v1.account_links.create_async(
            params={
                "account": user.stripe_account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
    return link.url


async def earned_credits(*, organization_id: int, balance: int | None = None) -> int:
    """Credits earned from completed jobs and not paid out yet, capped by the
    balance: job rewards + reversed payouts - payouts."""
    rows = (
        await CreditEntry.filter(
            organization_id=organization_id, reason__in=EARNED_REASONS
        )
        .group_by("reason")
        .annotate(total=Sum("delta"))
        .values("reason", "total")
    )
    sums = {str(r["reason"]): int(r["total"] or 0) for r in rows}
    earned = (
        sums.get("job_reward", 0)
        + sums.get("payout_reversed", 0)
        - abs(sums.get("payout", 0))
    )
    if balance is None:
        org = await Organization.get(id=organization_id).only("id", "credits")
        balance = org.credits
    return max(0, min(earned, balance))


async def request_payout(*, actor: Actor, settings: Settings, credits: int) -> Payout:
    """Transfer earned credits to the user's Connect account, debiting the ledger
    first (so two requests cannot pay the same credits); a transfer Stripe
    refuses gives the credits back (`payout_reversed`)."""
    actor.require_session()
    actor.require_role("owner", "admin")
    if not configured(settings):
        raise BillingUnavailable("Billing is not configured on this server")
    if credits < 1:
        raise ValidationFailed("credits must be at least 1", field=["credits"])
    user = await User.get(id=actor.user_id)
    if not user.stripe_account_id or user.stripe_account_status != "active":
        raise PayoutsNotEnabled(
            "Payouts need an active Stripe account: finish onboarding first"
        )
    org_id = actor.organization_id
    async with in_transaction():
        # the row lock makes concurrent requests of one organization take turns
        await Organization.filter(id=org_id).select_for_update().only("id").first()
        earned = await earned_credits(organization_id=org_id)
        if credits > earned:
            raise InsufficientCredits(
                f"Only {earned} earned credits can be paid out", field=["credits"]
            )
        payout = await Payout.create(
            organization_id=org_id,
            user_id=user.id,
            credits=credits,
            amount_cents=credits * settings.credit_payout_cents,
            currency=settings.billing_currency,
            destination=user.stripe_account_id,
        )
        await billing.change_credits(
            organization_id=org_id,
            delta=-credits,
            reason="payout",
            subject=f"payout:{payout.id}",
        )
    try:
        async with stripe_client(settings) as client:
            transfer = await client.v1.transfers.create_async(
                params={
                    "amount": payout.amount_cents,
                    "currency": payout.currency,
                    "destination": payout.destination,
                    "metadata": {"payout_id": str(payout.id)},
                },
                options={"idempotency_key": f"careergraph-payout-{payout.id}"},
            )
    except BillingUnavailable:
        await reverse_payout(payout_id=payout.id, status="failed")
        raise
    payout.transfer_id = transfer.id
    payout.status = "paid"
    await Payout.filter(id=payout.id, status="pending").update(
        transfer_id=transfer.id, status="paid"
    )
    return payout


async def reverse_payout(*, payout_id: int, status: str = "reversed") -> bool:
    """Give a payout's credits back once (a refused or reversed transfer)."""
    async with in_transaction():
        claimed = await Payout.filter(
            id=payout_id, status__in=("pending", "paid")
        ).update(status=status)
        if not claimed:
            return False
        payout = await Payout.get(id=payout_id)
        await billing.change_credits(
            organization_id=payout.organization_id,
            delta=payout.credits,
            reason="payout_reversed",
            subject=f"payout:{payout.id}",
        )
    return True
