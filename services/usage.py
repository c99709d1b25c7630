"""API usage counters: requests per API key, per UTC day, per operation name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from models.accounts import UsageCounter
from services.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class UsageRow:
    day: date
    api_key_id: int
    operation: str
    count: int


async def record(*, organization_id: int, api_key_id: int, operation: str) -> None:
    day = datetime.now(UTC).date()
    operation = operation[:100] or "anonymous"
    match = UsageCounter.filter(api_key_id=api_key_id, day=day, operation=operation)
    if await match.update(count=F("count") + 1):
        return
    try:
        await UsageCounter.create(
            organization_id=organization_id,
            api_key_id=api_key_id,
            day=day,
            operation=operation,
            count=1,
        )
    except IntegrityError:  # another request created the row first
        await match.update(count=F("count") + 1)


async def usage(*, organization_id: int, start: date, end: date) -> list[UsageRow]:
    if end < start:
        raise ValidationFailed("`to` must not be before `from`", field=["to"])
    if (end - start).days > 366:
        raise ValidationFailed("A usage range spans at most 366 days", field=["from"])
    rows = await UsageCounter.filter(
        organization_id=organization_id, day__gte=start, day__lte=end
    ).order_by("day", "api_key_id", "operation")
    return [UsageRow(r.day, r.api_key_id, r.operation, r.count) for r in rows]
