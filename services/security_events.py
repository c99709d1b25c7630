"""Security events of an organization: recorded (and published on the
organization's security channel) by the account and credential operations,
listed newest first. `services.accounts` re-exports it.
"""

from __future__ import annotations

from typing import Any

from models.accounts import SecurityEvent
from services.identity import Actor, AuthConfig, RequestMeta


def security_channel(organization_id: int) -> str:
    return f"org:{organization_id}:security"


def event_message(event: SecurityEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "organization_id": event.organization_id,
        "user_id": event.user_id,
        "kind": event.kind,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "detail": event.detail,
        "created_at": event.created_at.isoformat(),
    }


async def record_event(
    *,
    config: AuthConfig,
    kind: str,
    organization_id: int | None,
    user_id: int | None,
    meta: RequestMeta,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    event = await SecurityEvent.create(
        organization_id=organization_id,
        user_id=user_id,
        kind=kind,
        ip=meta.ip[:64],
        user_agent=meta.user_agent[:300],
        detail=detail or {},
    )
    if organization_id is not None:
        await config.pubsub.publish(
            security_channel(organization_id), event_message(event)
        )
    return event


async def list_security_events(
    *, actor: Actor, first: int, before_id: int | None, backward: bool = False
) -> list[SecurityEvent]:
    """Newest first, keyset-paginated by id; returns up to `first + 1` rows
    (`backward`: oldest first, newer than the cursor id `before_id`)."""
    query = SecurityEvent.filter(organization_id=actor.organization_id)
    if before_id is not None:
        query = (
            query.filter(id__gt=before_id)
            if backward
            else query.filter(id__lt=before_id)
        )
    return await query.order_by("id" if backward else "-id").limit(first + 1)


async def count_security_events(*, actor: Actor) -> int:
    return await SecurityEvent.filter(organization_id=actor.organization_id).count()
