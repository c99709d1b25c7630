"""GraphQL types of the agents domain: agents (worker personas), a public summary
of users (owners and posters), matches, and the agent mutations' inputs and
payloads. Of another organization's agent only the public fields show."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from schema.base import (
    After,
    Before,
    Connection,
    Edge,
    First,
    InvalidArgument,
    Last,
    Node,
    UserError,
    Window,
    window,
)
from schema.base import int_ids as _int_ids
from schema.context import Info

if TYPE_CHECKING:
    from models.accounts import User as UserRow
    from models.agents import Agent as AgentRow
    from schema.jobs import JobConnection, JobStatus


@strawberry.enum(description="Who can find an agent.")
class AgentVisibility(Enum):
    PRIVATE = strawberry.enum_value("PRIVATE", description="Only its organization.")
    PUBLIC = strawberry.enum_value("PUBLIC", description="Everyone (matchAgents).")


@strawberry.type(description="What anyone may see of a user: id, name, avatar.")
class UserSummary:
    user_id: strawberry.ID = strawberry.field(
        description="Global id of the user (type User; not refetchable by others)."
    )
    name: str = strawberry.field(description="The user's display name.")
    avatar_url: str | None = strawberry.field(description="The user's avatar, if any.")

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        return cls(
            user_id=strawberry.ID(relay.to_base64("User", row.id)),
            name=row.name,
            avatar_url=row.avatar_url,
        )


def agent_cursor(row: AgentRow) -> str:
    raw = f"agent:{int(row.is_default)}:{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_agent_cursor(cursor: str | None) -> tuple[bool, int] | None:
    if cursor is None:
        return None
    try:
        kind, default, key = base64.urlsafe_b64decode(cursor).decode().split(":")
        if kind != "agent" or default not in ("0", "1"):
            raise ValueError(kind)
        return default == "1", int(key)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(f"Invalid cursor {cursor[:40]!r}") from None


@strawberry.type(name="Agent", description="A worker persona that receives jobs.")
class AgentNode(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(
        description="Display name, unique among its owner's agents."
    )
    personality: str | None = strawberry.field(
        description=(
            "How it presents itself, at most 4,000 characters; null when none."
        )
    )
    avatar_url: str | None = strawberry.field(
        description="Link to an avatar image; null when none."
    )
    is_default: bool = strawberry.field(
        description="The organization's default agent (cannot be deleted)."
    )
    visibility: AgentVisibility = strawberry.field(description="Who can find it.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    owner_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    mine: strawberry.Private[bool]

    @classmethod
    def from_row(cls, row: AgentRow, *, viewer_organization_id: int | None) -> Self:
        mine = row.organization_id == viewer_organization_id
        shown = mine or row.visibility == "PUBLIC"
        return cls(
            id=row.id,
            name=row.name,
            # a job's other party sees a private agent's name only
            personality=row.personality if shown else None,
            avatar_url=row.avatar_url,
            is_default=row.is_default,
            visibility=AgentVisibility(row.visibility),
            created_at=row.created_at,
            owner_id=row.owner_id,
            organization_id=row.organization_id,
            mine=mine,
        )

    @strawberry.field(description="The user who owns it.")
    async def owner(self, info: Info) -> UserSummary:
        row = await info.context.loaders.agents.user_summary_by_id.load(self.owner_id)
        assert row is not None
        return UserSummary.from_row(row)

    @strawberry.field(
        description="Held, accepted or submitted jobs; null unless the agent is "
        "the viewer's organization's."
    )
    async def active_job_count(self, info: Info) -> int | None:
        if not self.mine:
            return None
        return await info.context.loaders.agents.active_job_count.load(self.id)

    @strawberry.field(
        description="Jobs the agent received, newest update first; null unless the "
        "agent is the viewer's organization's."
    )
    async def jobs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            Annotated[JobStatus, strawberry.lazy("schema.jobs")] | None,
            strawberry.argument(description="Only jobs in this status; null: all."),
        ] = None,
        last: Last = None,
        before: Before = None,
    ) -> Annotated[JobConnection, strawberry.lazy("schema.jobs")] | None:
        from schema.jobs import JobNode, decode_job_cursor, job_connection

        if not self.mine:
            return None
        win = window(first, after, last, before)
        key = (
            self.id,
            win.size,
            decode_job_cursor(win.cursor),
            status.value if status else None,
            win.backward,
        )
        loaders = info.context.loaders.agents
        rows = await loaders.jobs_of_agent.load(key)
        page = job_connection(rows, win.size, win.cursor, JobNode.from_row, win)
        counted = (self.id, key[3])
        page.counter = partial(loaders.job_count_of_agent.load, counted)
        return page

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loaders = info.context.loaders.agents
        org = loaders.organization_id()
        rows = await loaders.agent_by_id.load_many(_int_ids(node_ids))
        return [
            cls.from_row(r, viewer_organization_id=org)
            if r is not None
            and org is not None
            and (r.organization_id == org or r.visibility == "PUBLIC")
            else None
            for r in rows
        ]


AgentConnection = Connection[AgentNode]


def agent_connection(
    rows: list[AgentRow],
    size: int,
    after: str | None,
    org: int,
    win: Window | None = None,
) -> AgentConnection:
    """A page of agents; with `win`, of a forward or backward window."""
    win = win or Window(size=size, cursor=after)
    edges = [
        Edge(
            cursor=agent_cursor(r),
            node=AgentNode.from_row(r, viewer_organization_id=org),
        )
        for r in win.rows(rows)
    ]
    return AgentConnection(edges=edges, page_info=win.page_info(edges, rows))


@strawberry.type(description="A PUBLIC agent ranked for a job description.")
class AgentMatch:
    agent: AgentNode = strawberry.field(description="The agent.")
    score: float = strawberry.field(
        description="0-1: 0.6 x the share of the description's terms (weighted by "
        "rarity) the agent's document holds + 0.4 x embedding cosine."
    )
    matched_terms: list[str] = strawberry.field(
        description="Terms of the job description the agent matched, best first."
    )


# -- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="A new agent.")
class CreateAgentInput:
    name: str = strawberry.field(description="1-64 characters, unique per user.")
    personality: str | None = strawberry.field(
        default=None, description="At most 4,000 characters; used for matching."
    )
    avatar_url: str | None = strawberry.field(
        default=None,
        description="An http(s) link to an avatar, at most 2,048 characters.",
    )
    visibility: AgentVisibility = strawberry.field(
        default=AgentVisibility.PRIVATE,
        description="Who can find it (default PRIVATE).",
    )


@strawberry.input(description="Fields left out keep their values.")
class UpdateAgentInput:
    id: strawberry.ID = strawberry.field(description="Global id of the agent.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="1-64 characters, unique per user. Left out: kept; null is a "
        "VALIDATION_ERROR.",
    )
    personality: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='At most 4,000 characters. Left out: kept; null (or "") clears it.',
    )
    avatar_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An http(s) link, at most 2,048 characters. Left out: kept; "
        'null (or "") clears it.',
    )
    visibility: AgentVisibility | None = strawberry.field(
        default=strawberry.UNSET,
        description="Who can find it. Left out: kept; null is a VALIDATION_ERROR.",
    )


@strawberry.input(description="The agent to delete.")
class DeleteAgentInput:
    id: strawberry.ID = strawberry.field(description="Global id of the agent.")


@strawberry.type(description="The result of createAgent or updateAgent.")
class AgentPayload:
    agent: AgentNode | None = strawberry.field(
        default=None, description="The agent; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.type(description="The result of deleteAgent.")
class DeleteAgentPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Global id of the deleted agent; null on a user error.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )
