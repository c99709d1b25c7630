"""GraphQL types of the billing domain: the viewer's billing state, checkout, portal,
credit packs, the waitlist, Connect onboarding and payouts."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry

from schema.base import UserError

if TYPE_CHECKING:
    from models.billing import Payout as PayoutRow
    from services.payments import BillingState


@strawberry.enum(description="Where the effective plan comes from.")
class EntitlementSource(Enum):
    BILLING = "BILLING"
    MANUAL = "MANUAL"
    TRIAL = "TRIAL"
    NONE = "NONE"


@strawberry.enum
class BillingCadence(Enum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


@strawberry.enum(description="The Stripe subscription's status.")
class SubscriptionStatus(Enum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    PAUSED = "paused"


@strawberry.type(description="The organization's place on a plan's waitlist.")
class Waitlist:
    signed_up: bool
    plan: str | None
    signed_up_at: dt.datetime | None


@strawberry.type(
    description="Billing truth for the viewer's organization: the effective plan "
    "after entitlement resolution, its source and the Stripe subscription."
)
class Billing:
    effective_plan: str = strawberry.field(description="Id of the plan in force now.")
    entitlement_source: EntitlementSource
    rate_limit_per_minute: int = strawberry.field(
        description="API-key requests per minute (the plan's, or an override)."
    )
    tailor_calls_per_month: int | None = strawberry.field(
        description="Tailoring calls per month (plan or override); null: unlimited."
    )
    subscription_status: SubscriptionStatus | None
    subscription_plan: str | None
    cadence: BillingCadence | None
    current_period_end: dt.datetime | None
    cancel_at_period_end: bool
    grace_period_end: dt.datetime | None = strawberry.field(
        description="A PAST_DUE subscription keeps its plan until then."
    )
    checkout_available: bool
    portal_available: bool
    earned_credits: int = strawberry.field(
        description="Credits earned from completed jobs that can be paid out."
    )
    waitlist: Waitlist

    @classmethod
    def from_state(cls, state: BillingState) -> Self:
        ent, account = state.entitlement, state.account
        status = account.subscription_status if account else ""
        statuses = {s.value for s in SubscriptionStatus}
        return cls(
            effective_plan=ent.plan.id,
            entitlement_source=EntitlementSource(ent.source),
            rate_limit_per_minute=ent.rate_limit_per_minute,
            tailor_calls_per_month=ent.tailor_calls_per_month,
            subscription_status=(
                SubscriptionStatus(status) if status in statuses else None
            ),
            subscription_plan=(account.subscription_plan or None) if account else None,
            cadence=(
                BillingCadence(account.cadence)
                if account and account.cadence in ("monthly", "yearly")
                else None
            ),
            current_period_end=account.current_period_end if account else None,
            cancel_at_period_end=account.cancel_at_period_end if account else False,
            grace_period_end=(
                account.grace_until
                if account and account.subscription_status == "past_due"
                else None
            ),
            checkout_available=state.checkout_available,
            portal_available=state.portal_available,
            earned_credits=state.earned_credits,
            waitlist=Waitlist(
                signed_up=bool(account and account.waitlist_plan),
                plan=account.waitlist_plan if account else None,
                signed_up_at=account.waitlist_at if account else None,
            ),
        )


@strawberry.input
class CreateCheckoutSessionInput:
    plan: str = strawberry.field(description="starter or pro.")
    success_url: str
    cancel_url: str
    cadence: BillingCadence = BillingCadence.MONTHLY


@strawberry.type
class CreateCheckoutSessionPayload:
    url: str | None = None
    session_id: str | None = None
    redirected_to_portal: bool = strawberry.field(
        default=False,
        description="True when a subscription exists: `url` is the customer portal.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreatePortalSessionInput:
    return_url: str


@strawberry.type
class CreatePortalSessionPayload:
    url: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class BuyCreditsInput:
    credits: int
    success_url: str
    cancel_url: str


@strawberry.type
class BuyCreditsPayload:
    url: str | None = None
    session_id: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class JoinWaitlistInput:
    plan: str = strawberry.field(description="A plan not sold through checkout.")


@strawberry.type
class JoinWaitlistPayload:
    waitlist: Waitlist | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreatePayoutOnboardingLinkInput:
    return_url: str
    refresh_url: str


@strawberry.type
class CreatePayoutOnboardingLinkPayload:
    url: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RequestPayoutInput:
    credits: int


@strawberry.enum
class PayoutStatus(Enum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REVERSED = "reversed"


@strawberry.type(description="Earned credits sent to a Stripe Connect account.")
class Payout:
    credits: int
    amount_cents: int
    currency: str
    status: PayoutStatus
    transfer_id: str | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: PayoutRow) -> Self:
        return cls(
            credits=row.credits,
            amount_cents=row.amount_cents,
            currency=row.currency,
            status=PayoutStatus(row.status),
            transfer_id=row.transfer_id,
            created_at=row.created_at,
        )


@strawberry.type
class RequestPayoutPayload:
    payout: Payout | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
