"""Plans, entitlements and the credit ledger.

`PLANS` is the one declarative table of what each plan allows, mirroring the
Refleum plan table (seed 002): tailoring calls per month, API-key requests per
minute, and features.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.accounts import Organization
from models.billing import CreditEntry
from services.errors import InsufficientCredits, NotFound, ValidationFailed

FEATURES = (
    "upload",
    "crud",
    "pdf_export",
    "tailoring",
    "cover_letters",
    "outreach",
    "parallel_generation",
    "multi_language",
    "custom_rate_limits",
    "sla",
    "premium_themes",
    "insight_exports",
    "transcripts",
)


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    name: str
    price_cents_per_month: int | None  # None: custom pricing
    tailor_calls_per_month: int | None  # None: unlimited
    rate_limit_per_minute: int
    features: frozenset[str]

    def allows(self, feature: str) -> bool:
        return feature in self.features


_BASE = frozenset({"upload", "crud", "pdf_export"})
_STARTER = _BASE | {
    "tailoring",
    "cover_letters",
    "outreach",
    "premium_themes",
    "insight_exports",
}
_PRO = _STARTER | {"parallel_generation", "multi_language", "transcripts"}
_ENTERPRISE = _PRO | {"custom_rate_limits", "sla"}

PLANS: dict[str, Plan] = {
    plan.id: plan
    for plan in (
        Plan("free", "Free", 0, 10, 1, _BASE),
        Plan("starter", "Starter", 2900, 200, 20, _STARTER),
        Plan("pro", "Pro", 9900, 1000, 60, _PRO),
        Plan("enterprise", "Enterprise", None, None, 600, _ENTERPRISE),
    )
}


def get_plan(plan_id: str) -> Plan:
    try:
        return PLANS[plan_id]
    except KeyError:
        raise ValidationFailed(f"Unknown plan {plan_id!r}", field=["plan"]) from None


async def set_plan(*, organization_id: int, plan_id: str) -> Organization:
    get_plan(plan_id)
    updated = await Organization.filter(id=organization_id).update(plan=plan_id)
    if not updated:
        raise NotFound("Organization not found")
    return await Organization.get(id=organization_id)


async def change_credits(
    *, organization_id: int, delta: int, reason: str, subject: str = ""
) -> int:
    """Apply one ledger entry atomically; the balance never goes below zero.

    Returns the new balance. Raises InsufficientCredits when a debit exceeds it.
    """
    if not reason or len(reason) > 64:
        raise ValidationFailed(
            "A reason of 1-64 characters is required", field=["reason"]
        )
    async with in_transaction():
        query = Organization.filter(id=organization_id)
        if delta < 0:
            query = query.filter(credits__gte=-delta)
        updated = await query.update(credits=F("credits") + delta)
        if not updated:
            if not await Organization.exists(id=organization_id):
                raise NotFound("Organization not found")
            raise InsufficientCredits("Not enough credits for this operation")
        org = await Organization.get(id=organization_id).only("id", "credits")
        await CreditEntry.create(
            organization_id=organization_id,
            delta=delta,
            balance_after=org.credits,
            reason=reason,
            subject=subject,
        )
    return org.credits


async def credit_history(*, organization_id: int, limit: int = 50) -> list[CreditEntry]:
    return (
        await CreditEntry.filter(organization_id=organization_id)
        .order_by("-id")
        .limit(min(max(limit, 1), 100))
    )
