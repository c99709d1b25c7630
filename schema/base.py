"""Shared GraphQL building blocks: the error code enum, `UserError`, the `Node` base,
keyset connections (Relay's `first`/`after` and `last`/`before`, `totalCount`), cursor
helpers."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable, Sequence, Sized
from dataclasses import dataclass
from enum import Enum
from typing import (
    TYPE_CHECKING,
    Annotated,
    Generic,
    Literal,
    Self,
    TypeAlias,
    TypeVar,
    overload,
)

import strawberry
from strawberry import relay

if TYPE_CHECKING:
    from schema.context import Info

MAX_PAGE_SIZE = 100

# Connection arguments, described once: the range of `first` is part of the contract.
First: TypeAlias = Annotated[
    int | None,
    strawberry.argument(
        description="Page size, 0 to 100 (default 20); outside that range the "
        "field fails with a VALIDATION_ERROR."
    ),
]
After: TypeAlias = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor (an edge's `cursor` or pageInfo.endCursor): the page "
        "starts after it; left out, the first page."
    ),
]
Last: TypeAlias = Annotated[
    int | None,
    strawberry.argument(
        description="Page size from the end, 0 to 100 (default 20 with `before`); "
        "not together with `first`: both is a VALIDATION_ERROR."
    ),
]
Before: TypeAlias = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor (pageInfo.startCursor): the page ends before it; with "
        "`last` and no `before`, the last page. Not together with `after`."
    ),
]
MAX_ID = 2**31 - 1  # ids are IntField: int4 on PostgreSQL

EnumT = TypeVar("EnumT", bound=type[Enum])
MemberT = TypeVar("MemberT", bound=Enum)


def enum_or(enum: type[MemberT], raw: str | None, default: MemberT) -> MemberT:
    """The member of `enum` with value `raw`, else `default` (a value stored before
    the set was closed must not fail the whole field)."""
    try:
        return enum(raw)
    except ValueError:
        return default


def int_ids(node_ids: Iterable[str]) -> list[int]:
    """Database ids of global-id payloads; -1 (never found) for anything else."""
    out = []
    for node_id in node_ids:
        try:
            key = int(node_id)
        except ValueError:
            key = -1
        out.append(key if 0 < key <= MAX_ID else -1)
    return out


class Node(relay.Node):
    """`relay.Node` for types read by id through a loader: a type implements
    `load_nodes` (a node or None per id, in order; None also for another
    organization's ids) and this class answers strawberry's overloaded
    `resolve_nodes` from it, failing when `required` and an id names nothing."""

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        raise NotImplementedError

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: Literal[True]
    ) -> list[Self]: ...
    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: Literal[False] = ...
    ) -> list[Self | None]: ...
    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool
    ) -> list[Self] | list[Self | None]: ...
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self] | list[Self | None]:
        nodes = await cls.load_nodes(info=info, node_ids=node_ids)
        if not required:
            return nodes
        found = [node for node in nodes if node is not None]
        if len(found) < len(nodes):
            raise ValueError(f"No {cls.__name__} for some of the ids")
        return found


@strawberry.enum(description="Machine-readable code of an expected failure.")
class ErrorCode(Enum):
    VALIDATION_ERROR = strawberry.enum_value(
        "VALIDATION_ERROR", description="An input value is invalid; `field` names it."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description="The object does not exist or belongs to another organization.",
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT",
        description="The change conflicts with the current state (a taken name).",
    )
    DUPLICATE_UPLOAD = strawberry.enum_value(
        "DUPLICATE_UPLOAD", description="The same file was uploaded before."
    )
    PAYLOAD_TOO_LARGE = strawberry.enum_value(
        "PAYLOAD_TOO_LARGE", description="The upload is over the size limit."
    )
    UNSUPPORTED_MEDIA_TYPE = strawberry.enum_value(
        "UNSUPPORTED_MEDIA_TYPE",
        description="The file is not a PDF, DOCX, JSON, PNG or JPEG.",
    )
    PLAN_REQUIRED = strawberry.enum_value(
        "PLAN_REQUIRED", description="The organization's plan does not include this."
    )
    QUOTA_EXCEEDED = strawberry.enum_value(
        "QUOTA_EXCEEDED", description="The plan's monthly quota is used up."
    )
    INSUFFICIENT_CREDITS = strawberry.enum_value(
        "INSUFFICIENT_CREDITS", description="Not enough credits for this."
    )
    NO_MASTER_RESUME = strawberry.enum_value(
        "NO_MASTER_RESUME",
        description="The organization has no master resume to work from.",
    )
    NO_JOB_DESCRIPTION = strawberry.enum_value(
        "NO_JOB_DESCRIPTION",
        description="A job description is needed and none was given.",
    )
    TIMEOUT = strawberry.enum_value(
        "TIMEOUT", description="The work took longer than allowed."
    )
    PDF_RENDER_FAILED = strawberry.enum_value(
        "PDF_RENDER_FAILED", description="The PDF could not be rendered."
    )
    LLM_UNAVAILABLE = strawberry.enum_value(
        "LLM_UNAVAILABLE",
        description="The language model could not be reached or answered badly.",
    )
    BILLING_UNAVAILABLE = strawberry.enum_value(
        "BILLING_UNAVAILABLE",
        description="Billing (Stripe) is not configured or not reachable.",
    )
    INVALID_STATE = strawberry.enum_value(
        "INVALID_STATE", description="The object is not in a state that allows this."
    )
    DEFAULT_AGENT = strawberry.enum_value(
        "DEFAULT_AGENT", description="The default agent cannot be deleted or hidden."
    )
    AGENT_HAS_ACTIVE_JOBS = strawberry.enum_value(
        "AGENT_HAS_ACTIVE_JOBS", description="The agent still has jobs in progress."
    )
    NO_MATCHING_AGENT = strawberry.enum_value(
        "NO_MATCHING_AGENT", description="No agent matches the job."
    )
    NO_SUBSCRIPTION = strawberry.enum_value(
        "NO_SUBSCRIPTION", description="The organization has no Stripe subscription."
    )
    PAYOUTS_NOT_ENABLED = strawberry.enum_value(
        "PAYOUTS_NOT_ENABLED",
        description="The user's Stripe Connect account cannot receive payouts.",
    )
    SERVICE_BUSY = strawberry.enum_value(
        "SERVICE_BUSY",
        description="Too much work is queued; retry after `retryAfter` seconds.",
    )


@strawberry.type(
    description="An expected failure of a mutation, tied to an input field."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "email"].'
    )
    message: str = strawberry.field(description="What went wrong, for people.")
    code: ErrorCode = strawberry.field(description="What went wrong, for programs.")
    retry_after: int | None = strawberry.field(
        default=None, description="Seconds to wait before trying again (SERVICE_BUSY)."
    )


@strawberry.type(description="Where a page stands in its connection (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow the page (forward: known exactly; backward: "
        "true when `before` was given)."
    )
    has_previous_page: bool = strawberry.field(
        description="More items precede the page (backward: known exactly; "
        "forward: true when `after` was given)."
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor (for `before`); null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor (for `after`); null on an empty page."
    )


NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")
Counter: TypeAlias = Callable[[], Awaitable[int]]


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Where the item stands, for paging.")
    node: NodeT = strawberry.field(description="The item.")


async def _no_count() -> int:
    raise NotImplementedError("this connection does not count")


@strawberry.type(description="A page of a list, paginated Relay's way.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's items.")
    page_info: PageInfo = strawberry.field(description="Where the page stands.")
    counter: strawberry.Private[Counter] = _no_count

    @strawberry.field(description="The page's items without their cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many items the whole list has (every page, same "
        "filters): one COUNT query, run only when this field is selected."
    )
    async def total_count(self) -> int:
        return await self.counter()


@dataclass(frozen=True, slots=True)
class Window:
    """A page asked for with `first`/`after` or `last`/`before`: `size` rows from
    `cursor`, walking forward or (backward) from the end. A service walks
    backward by walking its order reversed from `cursor`."""

    size: int
    cursor: str | None
    backward: bool = False

    def rows(self, fetched: Sequence[RowT]) -> list[RowT]:
        """The page in the connection's order, from up to `size + 1` rows fetched
        in the walking direction."""
        page = list(fetched[: self.size])
        return page[::-1] if self.backward else page

    def page_info(self, edges: Sequence[Edge[NodeT]], fetched: Sized) -> PageInfo:
        more = len(fetched) > self.size
        return PageInfo(
            has_next_page=self.cursor is not None if self.backward else more,
            has_previous_page=more if self.backward else self.cursor is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )


def window(
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    *,
    default: int = 20,
) -> Window:
    """Check Relay's arguments: `first` with `last`, or `after` with `before`, is
    a VALIDATION_ERROR (InvalidArgument)."""
    if first is not None and last is not None:
        raise InvalidArgument("`first` and `last` cannot be used together")
    if after is not None and before is not None:
        raise InvalidArgument("`after` and `before` cannot be used together")
    if last is not None or before is not None:
        return Window(size=page_size(last, default), cursor=before, backward=True)
    return Window(size=page_size(first, default), cursor=after)


def page_info(
    edges: Sequence[Edge[NodeT]], rows: Sized, size: int, after: str | None
) -> PageInfo:
    """PageInfo of a keyset page: `rows` holds up to `size + 1` rows, one more
    than the page when there is a next page."""
    return PageInfo(
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


class InvalidArgument(ValueError):
    """A query argument the client got wrong; reported with code VALIDATION_ERROR."""


def encode_cursor(kind: str, key: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    """Return the key in a cursor of this kind; raise ValueError on a foreign cursor."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, key = raw.split(":", 1)
        if prefix != kind:
            raise ValueError(prefix)
        value = int(key)
        if not 0 <= value <= 2**31 - 1:  # ids are IntField: int4 on PostgreSQL
            raise ValueError(key)
        return value
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(f"Invalid cursor {cursor[:40]!r}") from None


def page_size(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0 or first > MAX_PAGE_SIZE:
        raise InvalidArgument(
            f"`first` and `last` must be between 0 and {MAX_PAGE_SIZE}"
        )
    return first
