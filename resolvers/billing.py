"""Resolvers of the billing domain: plans, checkout, portal, credit packs, the
waitlist, Connect onboarding and payouts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from resolvers.errors import user_errors
from schema.accounts import PlanType
from schema.billing import (
    BuyCreditsInput,
    BuyCreditsPayload,
    CreateCheckoutSessionInput,
    CreateCheckoutSessionPayload,
    CreatePayoutOnboardingLinkInput,
    CreatePayoutOnboardingLinkPayload,
    CreatePortalSessionInput,
    CreatePortalSessionPayload,
    JoinWaitlistInput,
    JoinWaitlistPayload,
    Payout,
    RequestPayoutInput,
    RequestPayoutPayload,
    Waitlist,
)
from schema.context import Info
from services import payments
from services.billing import PLANS
from services.errors import ServiceError

_P = TypeVar("_P")


async def _url(payload: Callable[..., _P], link: Awaitable[str]) -> _P:
    """`payload` with the Stripe-hosted page's URL, or the service's user errors."""
    try:
        url = await link
    except ServiceError as exc:
        return payload(user_errors=user_errors(exc))
    return payload(url=url)


async def plans() -> list[PlanType]:
    return [PlanType.from_plan(plan) for plan in PLANS.values()]


async def create_checkout_session(
    info: Info, input: CreateCheckoutSessionInput
) -> CreateCheckoutSessionPayload:
    try:
        link = await payments.create_checkout(
            actor=info.context.require_actor(),
            settings=info.context.runtime.settings,
            plan_id=input.plan.value,
            cadence=input.cadence.value,
            success_url=input.success_url,
            cancel_url=input.cancel_url,
        )
    except ServiceError as exc:
        return CreateCheckoutSessionPayload(user_errors=user_errors(exc))
    return CreateCheckoutSessionPayload(
        url=link.url,
        session_id=link.session_id,
        redirected_to_portal=link.redirected_to_portal,
    )


async def create_portal_session(
    info: Info, input: CreatePortalSessionInput
) -> CreatePortalSessionPayload:
    return await _url(
        CreatePortalSessionPayload,
        payments.create_portal(
            actor=info.context.require_actor(),
            settings=info.context.runtime.settings,
            return_url=input.return_url,
        ),
    )


async def buy_credits(info: Info, input: BuyCreditsInput) -> BuyCreditsPayload:
    try:
        link = await payments.buy_credits(
            actor=info.context.require_actor(),
            settings=info.context.runtime.settings,
            credits=input.credits,
            success_url=input.success_url,
            cancel_url=input.cancel_url,
        )
    except ServiceError as exc:
        return BuyCreditsPayload(user_errors=user_errors(exc))
    return BuyCreditsPayload(url=link.url, session_id=link.session_id)


async def join_waitlist(info: Info, input: JoinWaitlistInput) -> JoinWaitlistPayload:
    try:
        account = await payments.join_waitlist(
            actor=info.context.require_actor(), plan_id=input.plan.value
        )
    except ServiceError as exc:
        return JoinWaitlistPayload(user_errors=user_errors(exc))
    return JoinWaitlistPayload(
        waitlist=Waitlist(
            signed_up=True, plan=input.plan, signed_up_at=account.waitlist_at
        )
    )


async def create_payout_onboarding_link(
    info: Info, input: CreatePayoutOnboardingLinkInput
) -> CreatePayoutOnboardingLinkPayload:
    return await _url(
        CreatePayoutOnboardingLinkPayload,
        payments.onboarding_link(
            actor=info.context.require_actor(),
            settings=info.context.runtime.settings,
            return_url=input.return_url,
            refresh_url=input.refresh_url,
        ),
    )


async def request_payout(info: Info, input: RequestPayoutInput) -> RequestPayoutPayload:
    try:
        row = await payments.request_payout(
            actor=info.context.require_actor(),
            settings=info.context.runtime.settings,
            credits=input.credits,
        )
    except ServiceError as exc:
        return RequestPayoutPayload(user_errors=user_errors(exc))
    return RequestPayoutPayload(payout=Payout.from_row(row))
