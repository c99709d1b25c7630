"""Reading mutation inputs: database ids inside global ids, and the fields a
client actually sent."""

from __future__ import annotations

from enum import Enum
from typing import Any

from strawberry import relay
from strawberry.types.unset import UNSET

from schema.base import MAX_ID
from schema.context import Info
from services.errors import NotFound
from services.resumes import QueueLimits


def decode_node_id(
    global_id: str, type_name: str, *, field: str = "id", label: str | None = None
) -> int:
    """The database id inside a global id of `type_name`, else NOT_FOUND at
    `field` ("<label or type_name> not found")."""
    try:
        gid = relay.GlobalID.from_id(global_id)
        if gid.type_name != type_name:
            raise ValueError(gid.type_name)
        key = int(gid.node_id)
        if not 0 < key <= MAX_ID:  # no row has it (and the database cannot hold it)
            raise ValueError(key)
        return key
    except ValueError:
        raise NotFound(f"{label or type_name} not found", field=[field]) from None


def decode_resume_id(global_id: str, field: str = "id") -> int:
    """The database id inside a Resume global id (NOT_FOUND at `field`)."""
    return decode_node_id(global_id, "Resume", field=field)


def queue_limits(info: Info) -> QueueLimits:
    """The queue's admission limits from the settings, for services that enqueue."""
    settings = info.context.runtime.settings
    return QueueLimits(
        max_pending=settings.queue_max_pending,
        retry_after=settings.queue_retry_after,
    )


def given_fields(input: object, *, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The input's fields the client sent (left-out fields are UNSET), enums as
    their values."""
    return {
        name: value.value if isinstance(value, Enum) else value
        for name, value in vars(input).items()
        if value is not UNSET and name not in skip
    }
