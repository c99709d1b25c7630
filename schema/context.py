"""The per-request (or per-WebSocket-connection) context and the `Info` alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from strawberry.types import Info as StrawberryInfo

from services.accounts import Actor, RequestMeta
from services.errors import Unauthenticated
from services.runtime import Runtime

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


@dataclass(slots=True)
class Context:
    runtime: Runtime
    meta: RequestMeta
    loaders: Loaders
    actor: Actor | None = None
    operation_name: str = ""
    connection_params: dict[str, Any] = field(default_factory=dict)

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise Unauthenticated(
                "Authentication required: send `Authorization: Bearer <token>` "
                "or `X-API-Key`"
            )
        return self.actor


Info: TypeAlias = StrawberryInfo[Context, None]
