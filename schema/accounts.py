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
    Node,
    enum_or,
)
from schema.base import (
    int_ids as _int_ids,
)
from schema.context import Info
from schema.docs import describe_values

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


@describe_values(
    READ="Queries and subscriptions.",
    WRITE="Mutations too.",
)
@strawberry.enum(description="What an API key may do.")
class ApiKeyScope(Enum):
    READ = "read"
    WRITE = "write"


@describe_values(
    SIGNED_UP="The user signed up.",
    LOGIN_SUCCEEDED="A log-in with the right password.",
    LOGIN_FAILED="A log-in with a wrong password (details: email).",
    LOGGED_OUT="A session ended by logOut.",
    TOKEN_REUSE_DETECTED=(
        "A refresh token was presented twice: its whole session was "
        "revoked (details: session)."
    ),
    PASSWORD_CHANGED="The password changed; every other session ended.",
    API_KEY_CREATED="An API key was created (details: apiKeyId, name, prefix).",
    API_KEY_REVOKED="An API key was revoked (details: apiKeyId, name, prefix).",
    RESUME_CONTENT_RESET=(
        "resetResumeContent deleted the section entries (details: deleted.* counts)."
    ),
)
@strawberry.enum(
    description=("What happened. May gain values: do not switch on it exhaustively.")
)
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


@describe_values(
    NONE=("No Connect account yet: createPayoutOnboardingLink starts one."),
    PENDING="Onboarding started, not finished (details due at Stripe).",
    ACTIVE="Can receive payouts.",
    RESTRICTED=(
        "Stripe restricted it: payouts are refused until the details "
        "Stripe asks for are given."
    ),
)
@strawberry.enum(description="The user's Stripe Connect account, for payouts.")
class StripeAccountStatus(Enum):
    NONE = "none"
    PENDING = "pending"
    ACTIVE = "active"
    RESTRICTED = "restricted"


@strawberry.type(
    name="User",
    description=(
        "A person with a log-in. Members of the viewer's organization"
        " and job posters are readable."
    ),
)
class UserNode(Node):
    id: relay.NodeID[int]
    email: str = strawberry.field(description="Log-in email, lower case.")
    name: str = strawberry.field(description="Display name.")
    created_at: dt.datetime = strawberry.field(description="When the user signed up.")
    avatar_url: str | None = strawberry.field(
        default=None, description="Link to an avatar image; null when none."
    )
    stripe_account_status: StripeAccountStatus = strawberry.field(
        default=StripeAccountStatus.NONE,
        description=(
            "The user's Stripe Connect account, for payouts of earned credits."
        ),
    )
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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        rows = await info.context.loaders.user_by_id.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@describe_values(
    FREE="Free: upload, CRUD, PDF export.",
    STARTER="Starter: adds tailoring, letters, premium themes.",
    PRO="Pro: adds parallel generation and other languages.",
    ENTERPRISE="Enterprise: custom rate limits and an SLA.",
)
@strawberry.enum(
    description="Key of a plan. May gain values: do not switch on it exhaustively."
)
class PlanKey(Enum):
    FREE = "free"
    STARTER = "starter"
    PRO = "pro"
    ENTERPRISE = "enterprise"


@strawberry.type(name="Plan", description="A plan and what it entitles to.")
class PlanType(Node):
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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        plans = info.context.loaders.plans_by_key()
        return [cls.from_plan(plans[key]) if key in plans else None for key in node_ids]


@strawberry.type(
    name="Organization",
    description=(
        "An organization: it owns the profile, resumes, agents, keys "
        "and credits; every user has their own."
    ),
)
class OrganizationNode(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Display name.")
    credits: int = strawberry.field(
        description=(
            "Credit balance: uploads and paid operations spend it, jobs "
            "escrow and earn it."
        )
    )
    created_at: dt.datetime = strawberry.field(description="When it was created.")

    @strawberry.field(description="The effective plan (see viewer.billing).")
    async def plan(self, info: Info) -> PlanKey:
        plan_id = (await info.context.loaders.entitlement_by_org.load(self.id)).plan.id
        return enum_or(PlanKey, plan_id, PlanKey.FREE)

    @classmethod
    def from_row(cls, row: OrganizationRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            credits=row.credits,
            created_at=row.created_at,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.organization_by_id
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(
    name="ApiKey",
    description=(
        "An API key of the organization (send it as `X-API-Key`). The"
        " secret itself is shown once, by createApiKey."
    ),
)
class ApiKeyNode(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="A label chosen at creation.")
    prefix: str = strawberry.field(
        description="The key's first characters, to recognize it."
    )
    last_four: str = strawberry.field(description="The key's last four characters.")
    scopes: list[ApiKeyScope] = strawberry.field(description="What the key may do.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    last_used_at: dt.datetime | None = strawberry.field(
        description="When it last authenticated a request; null when never."
    )
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked; null while it works."
    )

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        rows = await info.context.loaders.api_key_by_id.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="One detail of a security event.")
class SecurityEventDetail:
    key: str = strawberry.field(
        description="The detail's name; nested details join with a dot "
        "(`deleted.skills`)."
    )
    value: str = strawberry.field(
        description="Its value as text (numbers in decimal, true/false)."
    )


def _flatten(detail: object, prefix: str = "") -> list[tuple[str, str]]:
    """A detail document as (dotted key, text) pairs."""
    if not isinstance(detail, dict):
        return [] if not prefix else [(prefix, _text(detail))]
    pairs: list[tuple[str, str]] = []
    for key, value in detail.items():
        pairs.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return pairs


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@strawberry.type(
    name="SecurityEvent",
    description=(
        "A security-relevant event of the organization (log-ins, "
        "keys, passwords), kept for audit."
    ),
)
class SecurityEventNode(Node):
    id: relay.NodeID[int]
    kind: SecurityEventKind = strawberry.field(description="What happened.")
    ip: str = strawberry.field(
        description=(
            "The client's address as the server saw it (behind "
            "TRUSTED_PROXIES: X-Forwarded-For)."
        )
    )
    user_agent: str = strawberry.field(
        description="The client's User-Agent header, truncated."
    )
    detail: JSON = strawberry.field(
        description="The event's details as untyped JSON.",
        deprecation_reason="Use `details`, the same data as typed key/value pairs.",
    )
    created_at: dt.datetime = strawberry.field(description="When it happened.")
    user_id: strawberry.Private[int | None]

    @strawberry.field(
        description="What the event concerns, as key/value pairs sorted by key: "
        "`email` (LOGIN_FAILED), `session` (TOKEN_REUSE_DETECTED: the first 8 "
        "characters of the session id), `apiKeyId`, `name`, `prefix` "
        "(API_KEY_CREATED, API_KEY_REVOKED), `deleted.skills`, "
        "`deleted.experience`, … (RESUME_CONTENT_RESET: entries deleted per "
        "section). Empty for the other kinds. New keys may appear."
    )
    def details(self) -> list[SecurityEventDetail]:
        return [
            SecurityEventDetail(key=key, value=value)
            for key, value in sorted(_flatten(self.detail))
        ]

    @strawberry.field(
        description=(
            "The user it concerns; null when unknown (e.g. a failed log-in) or deleted."
        )
    )
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
            detail=JSON(row.detail),
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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.security_event_by_id
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="API-key requests of one UTC day, key and operation.")
class UsageRecord:
    day: dt.date = strawberry.field(description="The UTC day.")
    api_key_id: strawberry.ID = strawberry.field(
        description="Global id of the API key."
    )
    operation: str = strawberry.field(
        description="The GraphQL operation name; empty when the request named none."
    )
    count: int = strawberry.field(description="Requests counted.")


SecurityEventConnection = Connection[SecurityEventNode]
