"""Entitlements: the one place that says which plan an organization has now.

Every plan gate (tailoring, letters, themes, layouts, quotas, rate limits) asks
`for_organization`, which reads the rows on each call, so a change (a webhook, the
admin CLI, a grace period running out) takes effect on the next request everywhere.

Inputs, in `BillingAccount` and `Organization.plan`:

- the Stripe subscription: `active` gives its plan (source BILLING), `trialing`
  gives it as TRIAL, `past_due` keeps it until `grace_until` (BILLING_GRACE_DAYS
  after the first failed payment); anything else (canceled, unpaid, incomplete,
  paused) gives nothing. A subscription set to cancel at period end keeps its
  plan until that end.
- the plan granted by hand (`Organization.plan`, the admin CLI's `set-plan`),
  as MANUAL or TRIAL (`manual_source`), until `manual_until` when set.
- enterprise overrides: `rate_limit_override`, `tailor_quota_override`.

The higher of the two plans wins (billing on a tie); without either the
organization is on free with source NONE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from models.accounts import Organization
from models.billing import BillingAccount
from services.billing import PLANS, Plan, get_plan
from services.errors import NotFound, ValidationFailed

SOURCES = ("BILLING", "MANUAL", "TRIAL", "NONE")
_ACCOUNT_FIELDS = (
    "stripe_customer_id",
    "cadence",
    "waitlist_plan",
    "waitlist_at",
    "subscription_id",
    "subscription_plan",
    "subscription_status",
    "current_period_end",
    "cancel_at_period_end",
    "grace_until",
    "manual_source",
    "manual_until",
    "rate_limit_override",
    "tailor_quota_override",
)
RANK = {plan_id: rank for rank, plan_id in enumerate(PLANS)}


@dataclass(frozen=True, slots=True)
class Entitlement:
    plan: Plan
    source: str  # one of SOURCES
    rate_limit_per_minute: int
    tailor_calls_per_month: int | None  # None: unlimited

    def allows(self, feature: str) -> bool:
        return self.plan.allows(feature)


def _subscription_plan(
    account: BillingAccount, now: datetime
) -> tuple[str, str] | None:
    """(plan id, source) the subscription gives now, if any."""
    plan_id = account.subscription_plan
    if not account.subscription_id or plan_id not in PLANS:
        return None
    status = account.subscription_status
    ends = account.current_period_end
    if account.cancel_at_period_end and ends is not None and now >= ends:
        return None  # ended; Stripe's `deleted` event may still be on its way
    if status == "active":
        return plan_id, "BILLING"
    if status == "trialing":
        return plan_id, "TRIAL"
    if status == "past_due" and (
        account.grace_until is None or now < account.grace_until
    ):
        return plan_id, "BILLING"
    return None


def resolve(
    *,
    manual_plan: str,
    account: BillingAccount | None,
    now: datetime | None = None,
) -> Entitlement:
    """The entitlement from its inputs (pure: no database)."""
    now = now or datetime.now(UTC)
    candidates: list[tuple[str, str]] = []
    if account is not None:
        billed = _subscription_plan(account, now)
        if billed is not None:
            candidates.append(billed)
    if manual_plan in PLANS and manual_plan != "free":
        until = account.manual_until if account else None
        if until is None or now < until:
            source = account.manual_source.upper() if account else "MANUAL"
            candidates.append((manual_plan, source if source in SOURCES else "MANUAL"))
    if candidates:
        plan_id, source = max(candidates, key=lambda c: (RANK[c[0]], c[1] == "BILLING"))
    else:
        plan_id, source = "free", "NONE"
    plan = PLANS[plan_id]
    rate_limit = plan.rate_limit_per_minute
    quota = plan.tailor_calls_per_month
    if account is not None:
        if account.rate_limit_override is not None:
            rate_limit = account.rate_limit_override
        if account.tailor_quota_override is not None:
            quota = account.tailor_quota_override
    return Entitlement(
        plan=plan,
        source=source,
        rate_limit_per_minute=rate_limit,
        tailor_calls_per_month=quota,
    )


# One statement, written once: the ORM's `values()` across the relation costs ~2 ms of
# query building per call, more than the query itself.
_SELECT = (
    'SELECT o."plan" AS "plan", o."credits" AS "credits", b."id" AS "billing_id", '  # noqa: S608 (fixed names)
    + ", ".join(f'b."{name}" AS "{name}"' for name in _ACCOUNT_FIELDS)
    + ' FROM "organizations" o LEFT OUTER JOIN "billing_accounts" b'
    ' ON b."organization_id" = o."id" WHERE o."id" = '
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    entitlement: Entitlement
    account: BillingAccount | None  # the columns entitlements and billing read
    credits: int


async def for_organization(*, organization_id: int) -> Entitlement:
    return (await snapshot(organization_id=organization_id)).entitlement


async def snapshot(*, organization_id: int) -> Snapshot:
    """One query: the organization's plan and balance joined with its billing row."""
    conn = Organization._meta.db
    placeholder = "?" if conn.capabilities.dialect == "sqlite" else "$1"
    rows = await conn.execute_query_dict(_SELECT + placeholder, [organization_id])
    if not rows:
        raise NotFound("Organization not found")
    row = rows[0]
    account = None
    if row["billing_id"] is not None:
        fields = BillingAccount._meta.fields_map
        account = BillingAccount(
            **{
                name: fields[name].to_python_value(row[name])
                for name in _ACCOUNT_FIELDS
            }
        )
    return Snapshot(
        entitlement=resolve(manual_plan=str(row["plan"]), account=account),
        account=account,
        credits=int(row["credits"]),
    )


async def account_for(organization_id: int) -> BillingAccount:
    """The organization's billing row, created on first need."""
    account, _ = await BillingAccount.get_or_create(organization_id=organization_id)
    return account


async def grant(
    *,
    organization_id: int,
    plan_id: str,
    source: str = "manual",
    until: datetime | None = None,
    rate_limit: int | None = None,
    tailor_quota: int | None = None,
) -> Entitlement:
    """The admin CLI: a plan by hand (a sales deal or a trial), and enterprise
    overrides. A negative rate limit or quota clears that override."""
    get_plan(plan_id)
    if source not in ("manual", "trial"):
        raise ValidationFailed("source must be manual or trial", field=["source"])
    if rate_limit == 0:
        raise ValidationFailed("A rate limit must be positive", field=["rateLimit"])
    updated = await Organization.filter(id=organization_id).update(plan=plan_id)
    if not updated:
        raise NotFound("Organization not found")
    account = await account_for(organization_id)
    account.manual_source = source
    account.manual_until = until
    if rate_limit is not None:
        account.rate_limit_override = rate_limit if rate_limit > 0 else None
    if tailor_quota is not None:
        account.tailor_quota_override = tailor_quota if tailor_quota >= 0 else None
    await account.save()
    return await for_organization(organization_id=organization_id)
