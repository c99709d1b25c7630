"""`schema.base.Node`: strawberry's `resolve_nodes` answered from a type's
`load_nodes`, with `required` honoured."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

import pytest
import strawberry
from strawberry import relay

from schema.base import Node


@strawberry.type
class Thing(Node):
    id: relay.NodeID[int]

    @classmethod
    async def load_nodes(
        cls, *, info: Any, node_ids: Iterable[str]
    ) -> list[Self | None]:
        return [cls(id=1) if node_id == "1" else None for node_id in node_ids]


async def test_missing_ids_resolve_to_none_unless_required() -> None:
    # given one id that names a Thing and one that names nothing
    ids = ["1", "2"]
    # when resolved without `required`, then the missing one is None, in order
    assert await Thing.resolve_nodes(info=None, node_ids=ids) == [Thing(id=1), None]
    # when `required`, then the missing one is an error, not a None
    with pytest.raises(ValueError, match="No Thing"):
        await Thing.resolve_nodes(info=None, node_ids=ids, required=True)
    assert await Thing.resolve_nodes(info=None, node_ids=["1"], required=True) == [
        Thing(id=1)
    ]
