"""Stripe webhooks: verify, store once, apply as a background job.

`receive` checks the signature with the stripe SDK (`Webhook.construct_event`,
default tolerance of 300 s) and stores the event by its id; a replay finds the
stored row and changes nothing. The caller then enqueues `apply`, which claims the
row (received -> applied) in the same transaction as the state it changes, so a
crash mid-event rolls everything back and the sweeper (`pending`) queues it again.

Out-of-order delivery: an event about an object (a subscription, an invoice's
subscription, a Connect account) older than one already applied to that object is
stale and ignored; a canceled subscription never comes back to life.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import User
from models.billing import BillingAccount, CreditPurchase, Payout, StripeEvent
from services import billing, payments, runs
from services.billing import PLANS
from settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# a run of the lifecycle in `services.runs`: an event is claimed by attempt while
# `received`; the sweeper queues again one received before `STUCK_AFTER` and not
# applied (no stage writes: the claim and the effects are one transaction)
RUNS: runs.Lifecycle[StripeEvent] = runs.Lifecycle(
    StripeEvent,
    active={"status": "received"},
    max_attempts=MAX_ATTEMPTS,
    stamp="received_at",
    touches=False,
)
HANDLED = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "account.updated",
    "transfer.reversed",
)


class WebhookRejected(Exception):
    """The request is not a genuine Stripe event (HTTP 400); nothing changed."""


@dataclass(frozen=True, slots=True)
class Received:
    event: StripeEvent
    new: bool


def _subscription_of_invoice(invoice: dict[str, Any]) -> str:
    sub = invoice.get("subscription")
    if not sub:  # API versions from 2025 moved it under parent
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        sub = details.get("subscription")
    if isinstance(sub, dict):
        sub = sub.get("id")
    return str(sub or "")


def _object_key(event_type: str, obj: dict[str, Any]) -> str:
    if event_type.startswith("invoice."):
        return _subscription_of_invoice(obj)
    return str(obj.get("id") or "")


async def receive(*, payload: bytes, signature: str | None, secret: str) -> Received:
    if not secret:
        raise WebhookRejected("Stripe webhooks are not configured on this server")
    try:
        text = payload.decode("utf-8")
        stripe.Webhook.construct_event(text, signature or "", secret)
        data = json.loads(text)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookRejected(f"Invalid Stripe webhook: {exc}") from None
    try:
        event_id = str(data["id"])
        event_type = str(data["type"])
        obj = data["data"]["object"]
        created = int(data["created"])
    except (KeyError, TypeError, ValueError):
        raise WebhookRejected("Not a Stripe event") from None
    try:
        row = await StripeEvent.create(
            event_id=event_id,
            type=event_type,
            object_id=_object_key(event_type, obj),
            created=created,
            payload=data,
        )
    except IntegrityError:
        return Received(await StripeEvent.get(event_id=event_id), new=False)
    return Received(row, new=True)


async def pending(*, older_than: datetime) -> list[int]:
    """Events stored but not applied since `older_than`: their job was lost or
    failed; the sweeper queues them again."""
    return await RUNS.sweep(older_than=older_than, touch=False)


async def apply(*, event_row_id: int, settings: Settings) -> str:
    """Apply one stored event; idempotent (a second run finds it applied)."""
    row = await StripeEvent.get_or_none(id=event_row_id)
    if row is None or row.status != "received":
        return row.status if row else "missing"
    if not await RUNS.claim(row.id):  # failed MAX_ATTEMPTS times (or just applied)
        given_up = StripeEvent.filter(id=row.id, status="received")
        if not await given_up.update(status="failed"):
            return "duplicate"
        log.error(
            "stripe event %s failed %d times; giving up", row.event_id, MAX_ATTEMPTS
        )
        return "failed"
    obj: dict[str, Any] = row.payload["data"]["object"]
    try:
        fetched = await _fetch(row, obj, settings)
        async with in_transaction():
            claimed = await StripeEvent.filter(id=row.id, status="received").update(
                status="applied", applied_at=datetime.now(UTC)
            )
            if not claimed:
                return "duplicate"
            outcome = await _dispatch(row, obj, fetched, settings)
            if outcome != "applied":
                await StripeEvent.filter(id=row.id).update(status="ignored")
            return outcome
    except Exception as exc:
        await StripeEvent.filter(id=row.id).update(error=repr(exc)[:2000])
        raise


async def _fetch(
    row: StripeEvent, obj: dict[str, Any], settings: Settings
) -> dict[str, Any] | None:
    """What applying needs from Stripe's API, before the transaction: the
    subscription a completed checkout created (its state as of now)."""
    if row.type != "checkout.session.completed" or obj.get("mode") != "subscription":
        return None
    sub_id = obj.get("subscription")
    if not sub_id or not payments.configured(settings):
        return None
    async with payments.stripe_client(settings) as client:
        sub = await client.v1.subscriptions.retrieve_async(str(sub_id))
    fetched: dict[str, Any] = sub.to_dict()
    return fetched


async def _dispatch(
    row: StripeEvent,
    obj: dict[str, Any],
    fetched: dict[str, Any] | None,
    settings: Settings,
) -> str:
    if row.type not in HANDLED:
        return "ignored"
    if row.type.startswith("checkout.session."):
        return await _checkout_completed(obj, fetched, row, settings)
    if row.type.startswith("customer.subscription."):
        return await _subscription_changed(obj, row, settings)
    if row.type.startswith("invoice."):
        return await _invoice(obj, row, settings)
    if row.type == "account.updated":
        return await _account_updated(obj, row)
    return await _transfer_reversed(obj)


async def _stale(row: StripeEvent, object_id: str) -> bool:
    """An event about `object_id` newer than `row` was applied already. Asked
    after the row the event changes is locked, so two events of one object
    applied at once still compare in commit order."""
    if not object_id:
        return False
    newer = (
        await StripeEvent.filter(
            object_id=object_id, status="applied", created__gt=row.created
        )
        .exclude(id=row.id)
        .exists()
    )
    if newer:
        log.info("stripe event %s is older than one applied: ignored", row.event_id)
    return newer


async def _account_for_customer(
    customer: Any, metadata: dict[str, Any] | None
) -> BillingAccount | None:
    customer_id = customer.get("id") if isinstance(customer, dict) else customer
    if customer_id:
        found = (
            await BillingAccount.filter(stripe_customer_id=str(customer_id))
            .select_for_update()
            .first()
        )
        if found is not None:
            return found
    org_id = str((metadata or {}).get("organization_id") or "")
    if not org_id.isdigit():
        return None
    found = (
        await BillingAccount.filter(organization_id=int(org_id))
        .select_for_update()
        .first()
    )
    if found is not None and not found.stripe_customer_id and customer_id:
        found.stripe_customer_id = str(customer_id)
    return found


async def _checkout_completed(
    obj: dict[str, Any],
    fetched: dict[str, Any] | None,
    row: StripeEvent,
    settings: Settings,
) -> str:
    if obj.get("mode") == "payment":
        if obj.get("payment_status") != "paid":
            return "unpaid"  # async payment: `async_payment_succeeded` follows
        return await _credits_paid(str(obj.get("id")))
    if obj.get("mode") != "subscription":
        return "ignored"
    metadata = dict(obj.get("metadata") or {})
    if not metadata.get("organization_id") and obj.get("client_reference_id"):
        metadata["organization_id"] = obj["client_reference_id"]
    account = await _account_for_customer(obj.get("customer"), metadata)
    if account is None:
        return "unknown_customer"
    if fetched is not None:
        sub_id = str(fetched.get("id"))
        if await _stale(row, sub_id):  # a newer event set the state: link only
            account.subscription_id = account.subscription_id or sub_id
            await account.save()
            return "applied"
        # the state fetched now is at least as new as this event: later stale
        # events about the subscription compare with it
        await StripeEvent.filter(id=row.id).update(object_id=sub_id)
        return await _set_subscription(account, fetched, row, settings)
    if not account.subscription_id:
        account.subscription_id = str(obj.get("subscription") or "") or None
    await account.save()
    return "applied"


async def _credits_paid(session_id: str) -> str:
    claimed = await CreditPurchase.filter(
        session_id=session_id, status="pending"
    ).update(status="paid", paid_at=datetime.now(UTC))
    if not claimed:
        return "already_paid"
    purchase = await CreditPurchase.get(session_id=session_id)
    await billing.change_credits(
        organization_id=purchase.organization_id,
        delta=purchase.credits,
        reason="purchase",
        subject=f"checkout:{session_id}"[:64],
    )
    return "applied"


def _plan_and_cadence(sub: dict[str, Any]) -> tuple[str, str, datetime | None]:
    items = ((sub.get("items") or {}).get("data")) or [{}]
    item = items[0] or {}
    price = item.get("price") or {}
    metadata = sub.get("metadata") or {}
    plan, cadence = str(metadata.get("plan") or ""), str(metadata.get("cadence") or "")
    lookup = str(price.get("lookup_key") or "")
    if "_" in lookup:  # prices made in the dashboard: lookup key "<plan>_<cadence>"
        key_plan, _, key_cadence = lookup.partition("_")
        if key_plan in PLANS:
            plan, cadence = key_plan, key_cadence
    interval = (price.get("recurring") or {}).get("interval")
    if interval in ("month", "year"):
        cadence = "yearly" if interval == "year" else "monthly"
    end = sub.get("current_period_end") or item.get("current_period_end")
    ends = datetime.fromtimestamp(int(end), UTC) if end else None
    return plan, cadence, ends


async def _set_subscription(
    account: BillingAccount, sub: dict[str, Any], row: StripeEvent, settings: Settings
) -> str:
    sub_id = str(sub.get("id") or "")
    status = "canceled" if row.type.endswith(".deleted") else str(sub.get("status"))
    if (
        account.subscription_id == sub_id
        and account.subscription_status == "canceled"
        and status != "canceled"
    ):
        return "stale"  # a canceled subscription stays canceled
    if (
        account.subscription_id
        and account.subscription_id != sub_id
        and account.subscription_status in payments.LIVE_STATUSES
        and status not in payments.LIVE_STATUSES
    ):
        return "other_subscription"  # an old subscription ending changes nothing
    plan, cadence, ends = _plan_and_cadence(sub)
    account.subscription_id = sub_id
    account.subscription_status = status
    if plan in PLANS:
        account.subscription_plan = plan
    if cadence in payments.CADENCES:
        account.cadence = cadence
    account.current_period_end = ends
    account.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    _set_grace(account, status, settings)
    await account.save()
    return "applied"


def _set_grace(account: BillingAccount, status: str, settings: Settings) -> None:
    if status == "past_due":
        if account.grace_until is None:
            account.grace_until = datetime.now(UTC) + timedelta(
                days=settings.billing_grace_days
            )
    else:
        account.grace_until = None


async def _subscription_changed(
    sub: dict[str, Any], row: StripeEvent, settings: Settings
) -> str:
    account = await _account_for_customer(sub.get("customer"), sub.get("metadata"))
    if account is None:
        return "unknown_customer"
    if await _stale(row, row.object_id):
        return "stale"
    return await _set_subscription(account, sub, row, settings)


async def _invoice(
    invoice: dict[str, Any], row: StripeEvent, settings: Settings
) -> str:
    sub_id = _subscription_of_invoice(invoice)
    if not sub_id:
        return "ignored"  # a one-off invoice
    account = (
        await BillingAccount.filter(subscription_id=sub_id).select_for_update().first()
    )
    if account is None:
        return "unknown_subscription"
    if await _stale(row, row.object_id):
        return "stale"
    if row.type == "invoice.paid":
        if account.subscription_status == "past_due":
            account.subscription_status = "active"
    elif account.subscription_status == "active":
        account.subscription_status = "past_due"
    _set_grace(account, account.subscription_status, settings)
    await account.save()
    return "applied"


def _connect_status(account: dict[str, Any]) -> str:
    requirements = account.get("requirements") or {}
    if requirements.get("disabled_reason"):
        return "restricted"
    if account.get("payouts_enabled") and account.get("details_submitted"):
        return "active"
    return "pending"


async def _account_updated(account: dict[str, Any], row: StripeEvent) -> str:
    users = User.filter(stripe_account_id=str(account.get("id")))
    if await users.select_for_update().first() is None:
        return "unknown_account"
    if await _stale(row, row.object_id):
        return "stale"
    await users.update(stripe_account_status=_connect_status(account))
    return "applied"


async def _transfer_reversed(transfer: dict[str, Any]) -> str:
    payout = await Payout.get_or_none(transfer_id=str(transfer.get("id")))
    if payout is None:
        return "unknown_transfer"
    reversed_now = await payments.reverse_payout(payout_id=payout.id)
    return "applied" if reversed_now else "already_reversed"
