"""GraphQL types of the accounts domain: users, organizations, plans, API keys,
security events, usage, the viewer, and the account mutations' inputs and payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from schema.agents import (
    AgentConnection,
    agent_connection,
    decode_agent_cursor,
)
from schema.base import (
    After,
    Before,
    Connection,
    Edge,
    First,
    Last,
    UserError,
    decode_cursor,
    encode_cursor,
    window,
)
from schema.base import (
    int_ids as _int_ids,
)
from schema.billing import Billing
from schema.chat import TranscriptConnection, TranscriptNode
from schema.context import Info
from schema.jobs import (
    JobConnection,
    JobNode,
    JobStatus,
    decode_job_cursor,
    job_connection,
)
from schema.profiles import (
    DailyViews,
    Insights,
    Layout,
    ProfileNode,
    Theme,
)

if TYPE_CHECKING:
    from models.accounts import ApiKey as ApiKeyRow
    from models.accounts import Organization as OrganizationRow
    from models.accounts import SecurityEvent as SecurityEventRow
    from models.accounts import User as UserRow
    from services.accounts import Actor
    from services.billing import Plan as PlanRow


@strawberry.enum(description="A member's role in an organization.")
class Role(Enum):
    OWNER = strawberry.enum_value("owner", description="Owns it: everything.")
    ADMIN = strawberry.enum_value(
        "admin", description="Manages keys, billing and settings."
    )
    MEMBER = strawberry.enum_value("member", description="Uses it.")


@strawberry.enum(description="What an API key may do.")
class ApiKeyScope(Enum):
    READ = "read"
    WRITE = "write"


@strawberry.enum
class SecurityEventKind(Enum):
    SIGNED_UP = "SIGNED_UP"
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGGED_OUT = "LOGGED_OUT"
    TOKEN_REUSE_DETECTED = "TOKEN_REUSE_DETECTED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    API_KEY_CREATED = "API_KEY_CREATED"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    RESUME_CONTENT_RESET = "RESUME_CONTENT_RESET"


@strawberry.enum(description="The user's Stripe Connect account, for payouts.")
class StripeAccountStatus(Enum):
    NONE = "none"
    PENDING = "pending"
    ACTIVE = "active"
    RESTRICTED = "restricted"


@strawberry.type(name="User")
class UserNode(relay.Node):
    id: relay.NodeID[int]
    email: str
    name: str
    created_at: dt.datetime
    avatar_url: str | None = None
    stripe_account_status: StripeAccountStatus = StripeAccountStatus.NONE
    default_organization_id: strawberry.Private[int] = 0

    @strawberry.field(
        description="The balance the user spends and earns: their own "
        "organization's credits. Null for a member whose own organization is "
        "another than the viewer's."
    )
    async def credits(self, info: Info) -> int | None:
        actor = info.context.actor
        if actor is None or (
            actor.user_id != self.id
            and actor.organization_id != self.default_organization_id
        ):
            return None
        loader = info.context.loaders.agents.credits_by_organization_id
        return await loader.load(self.default_organization_id)

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        return cls(
            id=row.id,
            email=row.email,
            name=row.name,
            created_at=row.created_at,
            avatar_url=row.avatar_url,
            stripe_account_status=StripeAccountStatus(row.stripe_account_status),
            default_organization_id=row.default_organization_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.user_by_id.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.enum(
    description="Key of a plan. May gain values: do not switch on it exhaustively."
)
class PlanKey(Enum):
    FREE = strawberry.enum_value("free", description="Free: upload, CRUD, PDF export.")
    STARTER = strawberry.enum_value(
        "starter", description="Starter: adds tailoring, letters, premium themes."
    )
    PRO = strawberry.enum_value(
        "pro", description="Pro: adds parallel generation and other languages."
    )
    ENTERPRISE = strawberry.enum_value(
        "enterprise", description="Enterprise: custom rate limits and an SLA."
    )


@strawberry.type(name="Plan", description="A plan and what it entitles to.")
class PlanType(relay.Node):
    id: relay.NodeID[str] = strawberry.field(
        description="Global id of the plan (type Plan); its name is `key`."
    )
    key: PlanKey = strawberry.field(description="The plan's stable key.")
    name: str = strawberry.field(description="Display name of the plan.")
    price_cents_per_month: int | None = strawberry.field(
        description="Monthly price in cents; null when the price is custom."
    )
    tailor_calls_per_month: int | None = strawberry.field(
        description="Tailoring calls per month; null when unlimited."
    )
    rate_limit_per_minute: int = strawberry.field(
        description="API-key requests per minute for the whole organization."
    )
    features: list[str] = strawberry.field(
        description="Feature flags the plan grants (e.g. tailoring, premium_themes)."
    )

    @classmethod
    def from_plan(cls, plan: PlanRow) -> Self:
        return cls(
            id=plan.id,
            key=PlanKey(plan.id),
            name=plan.name,
            price_cents_per_month=plan.price_cents_per_month,
            tailor_calls_per_month=plan.tailor_calls_per_month,
            rate_limit_per_minute=plan.rate_limit_per_minute,
            features=sorted(plan.features),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        plans = info.context.loaders.plans_by_key()
        return [cls.from_plan(plans[key]) if key in plans else None for key in node_ids]


@strawberry.type(name="Organization")
class OrganizationNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    credits: int
    created_at: dt.datetime

    @strawberry.field(description="The effective plan's id (see viewer.billing).")
    async def plan(self, info: Info) -> str:
        return (await info.context.loaders.entitlement_by_org.load(self.id)).plan.id

    @classmethod
    def from_row(cls, row: OrganizationRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            credits=row.credits,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.organization_by_id
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(name="ApiKey")
class ApiKeyNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    prefix: str
    last_four: str
    scopes: list[ApiKeyScope]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            last_four=row.last_four,
            scopes=[ApiKeyScope(s) for s in row.scopes],
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.api_key_by_id.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(name="SecurityEvent")
class SecurityEventNode(relay.Node):
    id: relay.NodeID[int]
    kind: SecurityEventKind
    ip: str
    user_agent: str
    detail: JSON
    created_at: dt.datetime
    user_id: strawberry.Private[int | None]

    @strawberry.field
    async def user(self, info: Info) -> UserNode | None:
        if self.user_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(self.user_id)
        return UserNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: SecurityEventRow) -> Self:
        return cls(
            id=row.id,
            kind=SecurityEventKind(row.kind),
            ip=row.ip,
            user_agent=row.user_agent,
            detail=row.detail,  # type: ignore[arg-type]
            created_at=row.created_at,
            user_id=row.user_id,
        )

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Self:
        return cls(
            id=message["id"],
            kind=SecurityEventKind(message["kind"]),
            ip=message["ip"],
            user_agent=message["user_agent"],
            detail=message["detail"],
            created_at=dt.datetime.fromisoformat(message["created_at"]),
            user_id=message["user_id"],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.security_event_by_id
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type
class UsageRecord:
    day: dt.date
    api_key_id: strawberry.ID = strawberry.field(
        description="Global id of the API key."
    )
    operation: str
    count: int


SecurityEventConnection = Connection[SecurityEventNode]


# -- inputs and payloads ---------------------------------------------------------------


@strawberry.input
class SignUpInput:
    email: str
    password: str = strawberry.field(description="10 to 256 characters.")
    name: str


@strawberry.input
class LogInInput:
    email: str
    password: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[ApiKeyScope] = strawberry.field(
        default_factory=lambda: [ApiKeyScope.READ, ApiKeyScope.WRITE]
    )


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type(description="Tokens of a session. The refresh token rotates on use.")
class AuthPayload:
    access_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = strawberry.field(
        default=None, description="Seconds until the access token expires."
    )
    user: UserNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LogOutPayload:
    ok: bool
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateApiKeyPayload:
    secret: str | None = strawberry.field(
        default=None, description="The key itself, shown this once and never again."
    )
    api_key: ApiKeyNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKeyNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.enum(description="How the caller authenticated.")
class AuthMethod(Enum):
    SESSION = strawberry.enum_value("session", description="A signed-in session (JWT).")
    API_KEY = strawberry.enum_value("api_key", description="An API key.")


@strawberry.type(description="The caller: their user, organization, plan and keys.")
class Viewer(relay.Node):
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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
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

    @strawberry.field
    async def user(self, info: Info) -> UserNode:
        row = await info.context.loaders.user_by_id.load(self.user_id)
        assert row is not None
        return UserNode.from_row(row)

    async def _organization(self, info: Info) -> OrganizationRow:
        row = await info.context.loaders.organization_by_id.load(self.organization_id)
        assert row is not None
        return row

    @strawberry.field
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
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
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
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
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
        status: JobStatus | None = None,
        last: Last = None,
        before: Before = None,
    ) -> JobConnection:
        win = window(first, after, last, before)
        wanted = status.value if status else None
        loaders = info.context.loaders.agents
        rows = await loaders.worker_status(
            first=win.size,
            after=decode_job_cursor(win.cursor),
            status=wanted,
            backward=win.backward,
        )
        page = job_connection(rows, win.size, win.cursor, JobNode.from_row, win)
        page.counter = partial(loaders.worker_status_count, status=wanted)
        return page

    @strawberry.field(description="Jobs the organization posted, newest update first.")
    async def posted_jobs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: JobStatus | None = None,
        last: Last = None,
        before: Before = None,
    ) -> JobConnection:
        win = window(first, after, last, before)
        wanted = status.value if status else None
        loaders = info.context.loaders.agents
        rows = await loaders.posted_jobs(
            first=win.size,
            after=decode_job_cursor(win.cursor),
            status=wanted,
            backward=win.backward,
        )
        page = job_connection(rows, win.size, win.cursor, JobNode.from_row, win)
        page.counter = partial(loaders.posted_jobs_count, status=wanted)
        return page

    @strawberry.field(
        description="Visitor chat transcripts, newest first (Pro; below Pro "
        "`available` is false). `from`/`to` are UTC days, inclusive."
    )
    async def transcripts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
        to: dt.date | None = None,
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
            effective_plan=plan,
            counter=partial(loaders.transcript_count, start=from_, end=to),
        )

    @strawberry.field(
        description="One transcript with its messages (Pro); null "
        "when it does not exist, or below Pro."
    )
    async def transcript(self, info: Info, id: strawberry.ID) -> TranscriptNode | None:
        try:
            type_name, key = relay.from_base64(id)
        except ValueError:
            return None
        if type_name != "Transcript" or not key.isdigit():
            return None
        row = await info.context.loaders.chat.transcript_by_id.load(int(key))
        return TranscriptNode.from_row(row) if row else None
