"""Billing: the credit ledger (the balance lives on `Organization.credits`; every change
is one `CreditEntry` written in the same transaction), Stripe customers and
subscriptions, verified webhook events, credit purchases and payouts."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization, User


class CreditEntry(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    delta = fields.IntField()
    balance_after = fields.IntField()
    reason = fields.CharField(max_length=64)
    # What the movement pays for, as "<kind>:<id>" (e.g. "job:42", "resume:7",
    # "checkout:cs_123", "payout:tr_9"); empty for grants by hand.
    subject = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "credit_entries"
        indexes = (("organization_id", "id"),)


class BillingAccount(Model):
    """One per organization (created on first need): its Stripe customer and
    subscription as Stripe last told us, and what was granted by hand. The
    effective plan is computed from it by `services.entitlements`."""

    id = fields.IntField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name="billing", on_delete=fields.CASCADE
    )
    organization_id: int
    stripe_customer_id = fields.CharField(max_length=255, null=True, unique=True)
    subscription_id = fields.CharField(max_length=255, null=True)
    subscription_plan = fields.CharField(max_length=32, default="")
    # Stripe's subscription status: active, trialing, past_due, canceled, unpaid,
    # incomplete, incomplete_expired, paused; "" before any subscription.
    subscription_status = fields.CharField(max_length=32, default="")
    cadence = fields.CharField(max_length=16, default="")  # monthly | yearly
    current_period_end = fields.DatetimeField(null=True)
    cancel_at_period_end = fields.BooleanField(default=False)
    # set by the first failed payment: a past_due subscription keeps its plan
    # until then (BILLING_GRACE_DAYS later)
    grace_until = fields.DatetimeField(null=True)
    # `Organization.plan` is the plan granted by hand; this says how: manual | trial
    manual_source = fields.CharField(max_length=16, default="manual")
    manual_until = fields.DatetimeField(null=True)
    rate_limit_override = fields.IntField(null=True)  # API-key requests / minute
    tailor_quota_override = fields.IntField(null=True)  # tailoring calls / month
    waitlist_plan = fields.CharField(max_length=32, null=True)
    waitlist_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "billing_accounts"


class StripeEvent(Model):
    """A verified webhook event, stored by its Stripe id so it is applied once.

    status: received (stored, its job pending or retrying) | applied | ignored
    (stale or not handled) | failed (gave up after MAX_ATTEMPTS)."""

    id = fields.IntField(primary_key=True)
    event_id = fields.CharField(max_length=255, unique=True)
    type = fields.CharField(max_length=100)
    # The object whose state the event carries (a subscription, account, ...):
    # an event older than one already applied to the same object is stale.
    object_id = fields.CharField(max_length=255, default="")
    created = fields.BigIntField()  # Stripe's `created`, Unix seconds
    payload = fields.JSONField[dict[str, Any]]()
    status = fields.CharField(max_length=16, default="received")
    attempts = fields.IntField(default=0)
    error = fields.TextField(default="")
    received_at = fields.DatetimeField(auto_now_add=True)
    applied_at = fields.DatetimeField(null=True)

    class Meta:
        table = "stripe_events"
        indexes = (("object_id", "created"), ("status", "received_at"))


class CreditPurchase(Model):
    """A credit pack bought through Checkout (payment mode), paid once."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    session_id = fields.CharField(max_length=255, unique=True)
    credits = fields.IntField()
    amount_cents = fields.IntField()
    currency = fields.CharField(max_length=3)
    status = fields.CharField(max_length=16, default="pending")  # pending | paid
    created_at = fields.DatetimeField(auto_now_add=True)
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "credit_purchases"


class Payout(Model):
    """Earned credits transferred to the Stripe Connect account of a user.

    status: pending (ledger debited, transfer not confirmed) | paid | failed
    (Stripe refused; credits given back) | reversed (transfer.reversed)."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    credits = fields.IntField()
    amount_cents = fields.IntField()
    currency = fields.CharField(max_length=3)
    destination = fields.CharField(max_length=255)
    transfer_id = fields.CharField(max_length=255, null=True, unique=True)
    status = fields.CharField(max_length=16, default="pending")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payouts"
        indexes = (("organization_id", "id"),)
