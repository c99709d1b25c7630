"""GraphQL types of the accounts domain: users, organizations, plans, API keys,
security events and usage. The viewer lives in `schema.viewer`, the account
mutations' inputs and payloads in `schema.account_inputs`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from schema.base import (
    Connection,
)
from schema.base import (
    int_ids as _int_ids,
)
from schema.context import Info

if TYPE_CHECKING:
    from models.accounts import ApiKey as ApiKeyRow
    from models.accounts import Organization as OrganizationRow
    from models.accounts import SecurityEvent as SecurityEventRow
    from models.accounts import User as UserRow
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
