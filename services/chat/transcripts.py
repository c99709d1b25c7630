"""Transcripts of the visitor chat (Pro): listing, one with its messages,
deletion. Below Pro they are kept (insights count them) but not shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from models.chat import ChatMessage, Conversation
from services import billing, entitlements
from services.accounts import Actor
from services.errors import NotFound, PlanRequired, ValidationFailed

# features of the plan table (services.billing.PLANS), read like every other gate
TRANSCRIPT_FEATURE = "transcripts"
INSIGHT_EXPORT_FEATURE = "insight_exports"


# -- transcripts (Pro) -----------------------------------------------------------------


async def plan_of(organization_id: int) -> str:
    """The effective plan (billing, manual or trial), as every plan gate reads it."""
    entitlement = await entitlements.for_organization(organization_id=organization_id)
    return entitlement.plan.id


async def allows(organization_id: int, feature: str) -> bool:
    """Whether the effective plan includes `feature`."""
    entitlement = await entitlements.for_organization(organization_id=organization_id)
    return entitlement.allows(feature)


async def require_plan(organization_id: int, feature: str, what: str) -> None:
    if not await allows(organization_id, feature):
        needed = next(p.name for p in billing.PLANS.values() if p.allows(feature))
        raise PlanRequired(f"{what} need the {needed} plan or above")


def day_range(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    if start and end and end < start:
        raise ValidationFailed("`to` must not be before `from`", field=["to"])
    low = (
        datetime.combine(start, time.min, UTC)
        if start
        else datetime.min.replace(tzinfo=UTC)
    )
    high = (
        datetime.combine(end + timedelta(days=1), time.min, UTC)
        if end
        else datetime.max.replace(tzinfo=UTC)
    )
    return low, high


async def list_transcripts(
    *,
    actor: Actor,
    first: int,
    before_id: int | None,
    start: date | None,
    end: date | None,
    backward: bool = False,
) -> list[Conversation]:
    """Newest first, keyset by id; `first` + 1 rows so the caller knows if more
    (`backward`: oldest first, newer than the cursor id `before_id`)."""
    await require_plan(actor.organization_id, TRANSCRIPT_FEATURE, "Transcripts")
    low, high = day_range(start, end)
    query = Conversation.filter(
        organization_id=actor.organization_id, created_at__gte=low, created_at__lt=high
    )
    if before_id is not None:
        query = (
            query.filter(id__gt=before_id)
            if backward
            else query.filter(id__lt=before_id)
        )
    return list(await query.order_by("id" if backward else "-id").limit(first + 1))


async def count_transcripts(
    *, actor: Actor, start: date | None, end: date | None
) -> int:
    """How many transcripts `list_transcripts` pages through (Pro)."""
    await require_plan(actor.organization_id, TRANSCRIPT_FEATURE, "Transcripts")
    low, high = day_range(start, end)
    return await Conversation.filter(
        organization_id=actor.organization_id, created_at__gte=low, created_at__lt=high
    ).count()


async def messages_of(
    *, organization_id: int, conversation_ids: Sequence[int]
) -> dict[int, list[ChatMessage]]:
    rows = await ChatMessage.filter(
        organization_id=organization_id, conversation_id__in=list(conversation_ids)
    ).order_by("id")
    out: dict[int, list[ChatMessage]] = {i: [] for i in conversation_ids}
    for row in rows:
        out[row.conversation_id].append(row)
    return out


async def get_transcript(*, actor: Actor, transcript_id: int) -> Conversation:
    await require_plan(actor.organization_id, TRANSCRIPT_FEATURE, "Transcripts")
    row = await Conversation.get_or_none(
        id=transcript_id, organization_id=actor.organization_id
    )
    if row is None:
        raise NotFound("Transcript not found", field=["id"])
    return row


async def get_transcripts(
    *, organization_id: int, ids: Sequence[int]
) -> list[Conversation]:
    """For node(id:): nothing below Pro (as if the rows did not exist)."""
    if not await allows(organization_id, TRANSCRIPT_FEATURE):
        return []
    return list(
        await Conversation.filter(organization_id=organization_id, id__in=list(ids))
    )


async def delete_transcript(*, actor: Actor, transcript_id: int) -> int:
    row = await get_transcript(actor=actor, transcript_id=transcript_id)
    await row.delete()
    return transcript_id
