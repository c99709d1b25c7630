"""`node(id:)`: any object by its opaque global id, scoped like every other read.

One code path for every id that names nothing the caller may see: malformed ids,
unknown type names, types that are not Nodes (`Viewer`, `ImportPreview`, enums,
the `Node` interface itself), ids that are not database keys and other
organizations' objects all answer `null`, so the answer is no existence oracle.
"""

from __future__ import annotations

import inspect

import strawberry
from strawberry import relay
from strawberry.types.base import StrawberryObjectDefinition

from schema.context import Info


def _node_type(info: Info, type_name: str) -> type[relay.Node] | None:
    """The concrete Node class named `type_name`, or None."""
    definition = info.schema.get_type_by_name(type_name)
    if not isinstance(definition, StrawberryObjectDefinition):
        return None
    origin = definition.origin
    if definition.is_interface or not (
        isinstance(origin, type) and issubclass(origin, relay.Node)
    ):
        return None
    return origin


async def node(info: Info, id: strawberry.ID) -> relay.Node | None:
    try:
        global_id = relay.GlobalID.from_id(id)
    except ValueError:
        return None
    node_type = _node_type(info, global_id.type_name)
    if node_type is None:
        return None
    resolved = node_type.resolve_nodes(
        info=info, node_ids=[global_id.node_id], required=False
    )
    if inspect.isawaitable(resolved):
        resolved = await resolved
    found = next(iter(resolved), None)
    return found if isinstance(found, node_type) else None
