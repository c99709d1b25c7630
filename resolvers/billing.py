"""Resolvers of the billing domain."""

from __future__ import annotations

from schema.accounts import PlanType
from services.billing import PLANS


async def plans() -> list[PlanType]:
    return [PlanType.from_plan(plan) for plan in PLANS.values()]
