"""GraphQL types of the billing domain: the viewer's billing state, checkout, portal,
credit packs, the waitlist, Connect onboarding and payouts."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry

from schema.accounts import PlanKey
from schema.base import UserError, enum_or
from schema.docs import describe_values

if TYPE_CHECKING:
    from models.billing import Payout as PayoutRow
    from services.payments import BillingState


@describe_values(
    BILLING="A paid Stripe subscription.",
    MANUAL="Set by an operator (an override).",
    TRIAL="A trial period.",
    NONE="Nothing: the free plan.",
)
@strawberry.enum(description="Where the effective plan comes from.")
class EntitlementSource(Enum):
    BILLING = "BILLING"
    MANUAL = "MANUAL"
    TRIAL = "TRIAL"
    NONE = "NONE"


@describe_values(
    MONTHLY="Billed every month.",
    YEARLY="Billed every year.",
)
@strawberry.enum(description="How often a subscription is billed.")
class BillingCadence(Enum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


@describe_values(
    ACTIVE="Paid and in force.",
    TRIALING="In its trial.",
    PAST_DUE="A payment failed; the plan holds until gracePeriodEnd.",
    CANCELED="Ended: the organization is back on the free plan.",
    UNPAID="Payments failed past the grace period: free plan.",
    INCOMPLETE="The first payment is not done yet.",
    INCOMPLETE_EXPIRED="The first payment never came: no plan.",
    PAUSED="Paused at Stripe: free plan until resumed.",
)
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
    signed_up: bool = strawberry.field(description="True once joinWaitlist ran.")
    plan: PlanKey | None = strawberry.field(
        description=("The plan waited for (e.g. ENTERPRISE); null when not signed up.")
    )
    signed_up_at: dt.datetime | None = strawberry.field(
        description="When the organization signed up; null when not."
    )


@strawberry.type(
    description="Billing truth for the viewer's organization: the effective plan "
    "after entitlement resolution, its source and the Stripe subscription."
)
class Billing:
    effective_plan: PlanKey = strawberry.field(description="The plan in force now.")
    entitlement_source: EntitlementSource = strawberry.field(
        description="Where the effective plan comes from."
    )
    rate_limit_per_minute: int = strawberry.field(
        description="API-key requests per minute (the plan's, or an override)."
    )
    tailor_calls_per_month: int | None = strawberry.field(
        description="Tailoring calls per month (plan or override); null: unlimited."
    )
    subscription_status: SubscriptionStatus | None = strawberry.field(
        description="The Stripe subscription's status; null without one."
    )
    subscription_plan: PlanKey | None = strawberry.field(
        description=("The plan subscribed to (e.g. PRO); null without a subscription.")
    )
    cadence: BillingCadence | None = strawberry.field(
        description="Billing period of the subscription; null without one."
    )
    current_period_end: dt.datetime | None = strawberry.field(
        description=("When the current paid period ends; null without a subscription.")
    )
    cancel_at_period_end: bool = strawberry.field(
        description=(
            "True when the subscription ends at currentPeriodEnd instead of renewing."
        )
    )
    grace_period_end: dt.datetime | None = strawberry.field(
        description="A PAST_DUE subscription keeps its plan until then."
    )
    checkout_available: bool = strawberry.field(
        description=(
            "createCheckoutSession can be used (billing configured, "
            "caller owner or admin)."
        )
    )
    portal_available: bool = strawberry.field(
        description="createPortalSession can be used (a Stripe customer exists)."
    )
    earned_credits: int = strawberry.field(
        description="Credits earned from completed jobs that can be paid out."
    )
    waitlist: Waitlist = strawberry.field(
        description="The organization's place on a waitlist."
    )

    @classmethod
    def from_state(cls, state: BillingState) -> Self:
        ent, account = state.entitlement, state.account
        status = account.subscription_status if account else ""
        statuses = {s.value for s in SubscriptionStatus}
        return cls(
            effective_plan=enum_or(PlanKey, ent.plan.id, PlanKey.FREE),
            entitlement_source=EntitlementSource(ent.source),
            rate_limit_per_minute=ent.rate_limit_per_minute,
            tailor_calls_per_month=ent.tailor_calls_per_month,
            subscription_status=(
                SubscriptionStatus(status) if status in statuses else None
            ),
            subscription_plan=(
                enum_or(PlanKey, account.subscription_plan, PlanKey.FREE)
                if account and account.subscription_plan
                else None
            ),
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
                plan=(
                    enum_or(PlanKey, account.waitlist_plan, PlanKey.ENTERPRISE)
                    if account and account.waitlist_plan
                    else None
                ),
                signed_up_at=account.waitlist_at if account else None,
            ),
        )


@strawberry.input(description="A subscription to buy through Stripe Checkout.")
class CreateCheckoutSessionInput:
    plan: PlanKey = strawberry.field(description="STARTER or PRO.")
    success_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR. Stripe sends "
            "the buyer there after paying."
        )
    )
    cancel_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR. Stripe sends "
            "the buyer there on cancel."
        )
    )
    cadence: BillingCadence = strawberry.field(
        default=BillingCadence.MONTHLY,
        description="Monthly (default) or yearly billing.",
    )


@strawberry.type(description="The result of createCheckoutSession.")
class CreateCheckoutSessionPayload:
    url: str | None = strawberry.field(
        default=None,
        description=(
            "Where to send the buyer (Stripe Checkout, or the portal when"
            " redirectedToPortal); null on a user error."
        ),
    )
    session_id: str | None = strawberry.field(
        default=None,
        description=(
            "Stripe's id of the Checkout or portal session; null on a user error."
        ),
    )
    redirected_to_portal: bool = strawberry.field(
        default=False,
        description="True when a subscription exists: `url` is the customer portal.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.input(description="Where the customer portal returns.")
class CreatePortalSessionInput:
    return_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR."
        )
    )


@strawberry.type(description="The result of createPortalSession.")
class CreatePortalSessionPayload:
    url: str | None = strawberry.field(
        default=None, description="The Stripe customer portal; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.input(description="A credit pack to buy through Stripe Checkout.")
class BuyCreditsInput:
    credits: int = strawberry.field(
        description=(
            "How many credits, 1 to the server's per-purchase limit; the "
            "charge (credits times the credit price) must be at least 0.50."
        )
    )
    success_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR."
        )
    )
    cancel_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR."
        )
    )


@strawberry.type(description="The result of buyCredits.")
class BuyCreditsPayload:
    url: str | None = strawberry.field(
        default=None, description="Stripe Checkout; null on a user error."
    )
    session_id: str | None = strawberry.field(
        default=None,
        description="Stripe's id of the Checkout session; null on a user error.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.input(description="The plan to wait for.")
class JoinWaitlistInput:
    plan: PlanKey = strawberry.field(description="A plan not sold through checkout.")


@strawberry.type(description="The result of joinWaitlist.")
class JoinWaitlistPayload:
    waitlist: Waitlist | None = strawberry.field(
        default=None, description="The organization's place; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.input(description="Where Stripe Connect onboarding returns.")
class CreatePayoutOnboardingLinkInput:
    return_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR. Stripe sends "
            "the user there when onboarding ends."
        )
    )
    refresh_url: str = strawberry.field(
        description=(
            "An http(s) URL on this service's hosts (BILLING_RETURN_HOSTS"
            " or PUBLIC_URL's host), else VALIDATION_ERROR. Stripe sends "
            "the user there when the link expired (ask for a new one)."
        )
    )


@strawberry.type(description="The result of createPayoutOnboardingLink.")
class CreatePayoutOnboardingLinkPayload:
    url: str | None = strawberry.field(
        default=None,
        description=(
            "The onboarding link (single use, short-lived); null on a user error."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.input(description="Earned credits to pay out.")
class RequestPayoutInput:
    credits: int = strawberry.field(
        description="How many, at least 1 and at most Billing.earnedCredits."
    )


@describe_values(
    PENDING="Sent to Stripe, not settled yet.",
    PAID="Arrived.",
    FAILED="Stripe could not pay it; the credits came back.",
    REVERSED="Reversed by Stripe; the credits came back.",
)
@strawberry.enum(description="Where a payout stands.")
class PayoutStatus(Enum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REVERSED = "reversed"


@strawberry.type(description="Earned credits sent to a Stripe Connect account.")
class Payout:
    credits: int = strawberry.field(description="Credits paid out.")
    amount_cents: int = strawberry.field(
        description="The amount in the currency's smallest unit."
    )
    currency: str = strawberry.field(
        description='ISO 4217 code, lower case (e.g. "usd").'
    )
    status: PayoutStatus = strawberry.field(description="Where it stands.")
    transfer_id: str | None = strawberry.field(
        description="Stripe's transfer id; null before Stripe answered."
    )
    created_at: dt.datetime = strawberry.field(description="When it was requested.")

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


@strawberry.type(description="The result of requestPayout.")
class RequestPayoutPayload:
    payout: Payout | None = strawberry.field(
        default=None, description="The payout; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )
