"""`node(id:)`: any object by its opaque global id, scoped like every other read."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.base import InvalidArgument
from schema.context import Info


async def node(info: Info, id: strawberry.ID) -> relay.Node | None:
    try:
        global_id = relay.GlobalID.from_id(id)
    except ValueError:
        raise InvalidArgument(f"{id[:60]!r} is not a global id") from None
    if info.schema.get_type_by_name(global_id.type_name) is None:
        return None
    resolved: relay.Node | None = await global_id.resolve_node(info, required=False)
    return resolved
