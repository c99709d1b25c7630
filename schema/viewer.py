"""The viewer: the authenticated caller, with everything of their organization a
page reads (plan, billing, keys, events, usage, profile, agents, jobs, transcripts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from schema.accounts import (
    ApiKeyNode,
    OrganizationNode,
    PlanKey,
    PlanType,
    Role,
    SecurityEventConnection,
    SecurityEventNode,
    UsageRecord,
    UserNode,
)
from schema.agents import (
    AgentConnection,
    agent_connection,
    decode_agent_cursor,
)
from schema.base import (
    After,
    Before,
    Edge,
    First,
    Last,
    Node,
    Window,
    decode_cursor,
    encode_cursor,
    enum_or,
    window,
)
from schema.base import (
    int_ids as _int_ids,
)
from schema.billing import (
    Billing,
)
from schema.chat import (
    TranscriptConnection,
    TranscriptNode,
)
from schema.context import (
    Info,
)
from schema.jobs import (
    JobConnection,
    JobNode,
    JobStatus,
    decode_job_cursor,
    job_connection,
)
from schema.presentation import (
    Layout,
    Theme,
)
from schema.profiles import (
    DailyViews,
    Insights,
    ProfileNode,
)

if TYPE_CHECKING:
    from models.accounts import Organization as OrganizationRow
    from resolvers.loaders.agents import JobListing
    from services.accounts import Actor


async def _job_list(
    info: Info, listing: JobListing, win: Window, status: JobStatus | None
) -> JobConnection:
    """A page of one of the viewer's job lists, counted on demand."""
    wanted = status.value if status else None
    loaders = info.context.loaders.agents
    rows = await loaders.job_list(
        listing,
        first=win.size,
        after=decode_job_cursor(win.cursor),
        status=wanted,
        backward=win.backward,
    )
    page = job_connection(rows, win.size, win.cursor, JobNode.from_row, win)
    page.counter = partial(loaders.job_list_count, listing, status=wanted)
    return page


@strawberry.enum(description="How the caller authenticated.")
class AuthMethod(Enum):
    SESSION = strawberry.enum_value("session", description="A signed-in session (JWT).")
    API_KEY = strawberry.enum_value("api_key", description="An API key.")


@strawberry.type(description="The caller: their user, organization, plan and keys.")
class Viewer(Node):
    id: relay.NodeID[int] = strawberry.field(
        description="Global id of the viewer itself (type Viewer), distinct from its "
        "user's id so that normalized caches keep two records."
    )
    role: Role = strawberry.field(description="The caller's role in the organization.")
    auth_method: AuthMethod = strawberry.field(
        description="How the caller authenticated."
    )
    user_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        """Only the caller's own viewer resolves; every other id answers null."""
        actor = info.context.loaders.actor()
        if actor is None:
            return [None for _ in node_ids]
        return [
            cls.from_actor(actor) if key == actor.user_id else None
            for key in _int_ids(node_ids)
        ]

    @classmethod
    def from_actor(cls, actor: Actor) -> Self:
        return cls(
            id=actor.user_id,
            role=Role(actor.role),
            auth_method=AuthMethod(actor.kind),
            user_id=actor.user_id,
            organization_id=actor.organization_id,
        )

    @strawberry.field(
        description="The user behind the caller (for an API key: its creator)."
    )
    async def user(self, info: Info) -> UserNode:
        row = await info.context.loaders.user_by_id.load(self.user_id)
        assert row is not None
        return UserNode.from_row(row)

    async def _organization(self, info: Info) -> OrganizationRow:
        row = await info.context.loaders.organization_by_id.load(self.organization_id)
        assert row is not None
        return row

    @strawberry.field(
        description="The caller's organization (the one the session or key acts for)."
    )
    async def organization(self, info: Info) -> OrganizationNode:
        return OrganizationNode.from_row(await self._organization(info))

    @strawberry.field(description="The organization's plan and its entitlements.")
    async def plan(self, info: Info) -> PlanType:
        return PlanType.from_plan((await info.context.loaders.entitlement()).plan)

    @strawberry.field(
        description="Effective plan, its source, the Stripe subscription, checkout "
        "and portal availability, waitlist."
    )
    async def billing(self, info: Info) -> Billing:
        state = await info.context.loaders.billing_state(info.context.runtime.settings)
        return Billing.from_state(state)

    @strawberry.field(description="Credit balance of the organization.")
    async def credits(self, info: Info) -> int:
        return (await self._organization(info)).credits

    @strawberry.field(description="API keys of the organization, newest first.")
    async def api_keys(self, info: Info) -> list[ApiKeyNode]:
        return [ApiKeyNode.from_row(r) for r in await info.context.loaders.api_keys()]

    @strawberry.field(description="Security events of the organization, newest first.")
    async def security_events(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> SecurityEventConnection:
        win = window(first, after, last, before)
        loaders = info.context.loaders
        rows = await loaders.security_events(
            first=win.size,
            before_id=decode_cursor("se", win.cursor),
            backward=win.backward,
        )
        edges = [
            Edge(cursor=encode_cursor("se", r.id), node=SecurityEventNode.from_row(r))
            for r in win.rows(rows)
        ]
        return SecurityEventConnection(
            edges=edges,
            page_info=win.page_info(edges, rows),
            counter=loaders.security_event_count,
        )

    @strawberry.field(
        description="API-key requests per day, key and operation, `from` to `to` "
        "inclusive (UTC days). Null with an error for a bad range."
    )
    async def usage(
        self,
        info: Info,
        from_: Annotated[
            dt.date,
            strawberry.argument(name="from", description="First UTC day, inclusive."),
        ],
        to: Annotated[
            dt.date,
            strawberry.argument(
                description="Last UTC day, inclusive (not before `from`)."
            ),
        ],
    ) -> list[UsageRecord] | None:
        rows = await info.context.loaders.usage(start=from_, end=to)
        return [
            UsageRecord(
                day=r.day,
                api_key_id=strawberry.ID(relay.to_base64("ApiKey", r.api_key_id)),
                operation=r.operation,
                count=r.count,
            )
            for r in rows
        ]

    @strawberry.field(description="The organization's owner profile.")
    async def profile(self, info: Info) -> ProfileNode:
        return ProfileNode.from_row(await info.context.loaders.profiles.profile())

    @strawberry.field(
        description="Profile theme: stored, effective after entitlements, catalog."
    )
    async def theme(self, info: Info) -> Theme:
        state, catalog = await info.context.loaders.profiles.theme()
        return Theme.from_state(state, catalog)

    @strawberry.field(description="Section order, hidden sections and font.")
    async def layout(self, info: Info) -> Layout:
        state, fonts = await info.context.loaders.profiles.layout()
        return Layout.from_state(state, fonts)

    @strawberry.field(
        description="Public profile views per day, `from` to `to` inclusive, at most "
        "366 days (UTC). Null with an error for a bad range."
    )
    async def insights(
        self,
        info: Info,
        from_: Annotated[
            dt.date,
            strawberry.argument(name="from", description="First UTC day, inclusive."),
        ],
        to: Annotated[
            dt.date,
            strawberry.argument(
                description="Last UTC day, inclusive (not before `from`)."
            ),
        ],
    ) -> Insights | None:
        days = await info.context.loaders.profiles.insights(start=from_, end=to)
        return Insights(
            total_views=sum(views for _, views in days),
            days=[DailyViews(day=day, views=views) for day, views in days],
            start=from_,
            end=to,
        )

    @strawberry.field(
        description="The viewer's agents: the default first, then by creation."
    )
    async def agents(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> AgentConnection:
        win = window(first, after, last, before)
        loaders = info.context.loaders.agents
        rows = await loaders.viewer_agents(
            first=win.size, after=decode_agent_cursor(win.cursor), backward=win.backward
        )
        page = agent_connection(rows, win.size, win.cursor, self.organization_id, win)
        page.counter = loaders.agent_count
        return page

    @strawberry.field(
        description="Every job received by any of the viewer's agents, newest "
        "update first (the worker status)."
    )
    async def worker_status(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            JobStatus | None,
            strawberry.argument(
                description="Only jobs in this status; null: every status."
            ),
        ] = None,
        last: Last = None,
        before: Before = None,
    ) -> JobConnection:
        return await _job_list(
            info, "worker_status", window(first, after, last, before), status
        )

    @strawberry.field(description="Jobs the organization posted, newest update first.")
    async def posted_jobs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            JobStatus | None,
            strawberry.argument(
                description="Only jobs in this status; null: every status."
            ),
        ] = None,
        last: Last = None,
        before: Before = None,
    ) -> JobConnection:
        return await _job_list(
            info, "posted_jobs", window(first, after, last, before), status
        )

    @strawberry.field(
        description="Visitor chat transcripts, newest first (Pro; below Pro "
        "`available` is false). `from`/`to` are UTC days, inclusive."
    )
    async def transcripts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        from_: Annotated[
            dt.date | None,
            strawberry.argument(
                name="from",
                description="First UTC day, inclusive; null: no lower bound.",
            ),
        ] = None,
        to: Annotated[
            dt.date | None,
            strawberry.argument(
                description="Last UTC day, inclusive; null: up to today."
            ),
        ] = None,
        last: Last = None,
        before: Before = None,
    ) -> TranscriptConnection:
        win = window(first, after, last, before)
        loaders = info.context.loaders.chat
        available, plan, rows = await loaders.transcripts(
            first=win.size,
            before_id=decode_cursor("tr", win.cursor),
            start=from_,
            end=to,
            backward=win.backward,
        )
        edges = [
            Edge(cursor=encode_cursor("tr", r.id), node=TranscriptNode.from_row(r))
            for r in win.rows(rows)
        ]
        return TranscriptConnection(
            edges=edges,
            page_info=win.page_info(edges, rows),
            available=available,
            effective_plan=enum_or(PlanKey, plan, PlanKey.FREE),
            counter=partial(loaders.transcript_count, start=from_, end=to),
        )

    @strawberry.field(
        description="One transcript with its messages (Pro); null "
        "when it does not exist, or below Pro."
    )
    async def transcript(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="Global id of the transcript (type Transcript)."
            ),
        ],
    ) -> TranscriptNode | None:
        try:
            type_name, key = relay.from_base64(id)
        except ValueError:
            return None
        if type_name != "Transcript" or not key.isdigit():
            return None
        row = await info.context.loaders.chat.transcript_by_id.load(int(key))
        return TranscriptNode.from_row(row) if row else None
