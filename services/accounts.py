"""Accounts: sign-up, log-in, token rotation, passwords, API keys, security events.

Who is calling is an `Actor`, built from a JWT access token or an API key by
`authenticate`; every tenant query below is scoped by `actor.organization_id`.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import (
    ApiKey,
    Membership,
    Organization,
    RefreshToken,
    SecurityEvent,
    User,
)
from services import agents, billing, revocation
from services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from services.pubsub import PubSub
from services.revocation import Denylist

API_KEY_PREFIX = "cg_live_"
SCOPES = ("read", "write")
VERIFIED_CACHE_SIZE = 10_000
ROLES = ("owner", "admin", "member")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


class SecurityEventKind:
    SIGNED_UP = "SIGNED_UP"
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGGED_OUT = "LOGGED_OUT"
    TOKEN_REUSE_DETECTED = "TOKEN_REUSE_DETECTED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    API_KEY_CREATED = "API_KEY_CREATED"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    RESUME_CONTENT_RESET = "RESUME_CONTENT_RESET"
    ALL = (
        "SIGNED_UP",
        "LOGIN_SUCCEEDED",
        "LOGIN_FAILED",
        "LOGGED_OUT",
        "TOKEN_REUSE_DETECTED",
        "PASSWORD_CHANGED",
        "API_KEY_CREATED",
        "API_KEY_REVOKED",
        "RESUME_CONTENT_RESET",
    )


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller of one request or WebSocket connection."""

    kind: Literal["session", "api_key"]
    user_id: int
    organization_id: int
    role: str
    scopes: frozenset[str] = frozenset(SCOPES)
    api_key_id: int | None = None
    session_id: str | None = None
    plan: str = "free"  # known for API keys, whose rate limit depends on it

    @property
    def is_api_key(self) -> bool:
        return self.kind == "api_key"

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"This operation needs the role {' or '.join(roles)}")

    def require_session(self) -> None:
        if self.kind != "session":
            raise Forbidden("This operation needs a signed-in user, not an API key")


@dataclass(frozen=True, slots=True)
class RequestMeta:
    ip: str = ""
    user_agent: str = ""
    base_url: str = ""  # PUBLIC_URL, base of links in answers ("" = relative links)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    organization_id: int


@dataclass(slots=True)
class AuthConfig:
    secret_key: str
    access_token_ttl: int
    refresh_token_ttl: int
    denylist: Denylist
    pubsub: PubSub
    _jwt_key: bytes = field(init=False)
    # verified access tokens -> (Actor, exp): skips signature checks on repeat use;
    # the denylist is still asked every time, so logOut takes effect at once
    _verified: dict[str, tuple[Actor, float]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._jwt_key = hashlib.sha256(b"jwt:" + self.secret_key.encode()).digest()


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _validate_credentials(email: str, password: str, name: str) -> None:
    if not EMAIL_RE.match(email):
        raise ValidationFailed("Enter a valid email address", field=["email"])
    if not 10 <= len(password) <= 256:
        raise ValidationFailed(
            "Password must be 10 to 256 characters long", field=["password"]
        )
    if not name.strip() or len(name) > 200:
        raise ValidationFailed("Name must be 1 to 200 characters long", field=["name"])


async def _hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


# -- security events ----------------------------------------------------------------


def security_channel(organization_id: int) -> str:
    return f"org:{organization_id}:security"


def event_message(event: SecurityEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "organization_id": event.organization_id,
        "user_id": event.user_id,
        "kind": event.kind,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "detail": event.detail,
        "created_at": event.created_at.isoformat(),
    }


async def record_event(
    *,
    config: AuthConfig,
    kind: str,
    organization_id: int | None,
    user_id: int | None,
    meta: RequestMeta,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    event = await SecurityEvent.create(
        organization_id=organization_id,
        user_id=user_id,
        kind=kind,
        ip=meta.ip[:64],
        user_agent=meta.user_agent[:300],
        detail=detail or {},
    )
    if organization_id is not None:
        await config.pubsub.publish(
            security_channel(organization_id), event_message(event)
        )
    return event


async def list_security_events(
    *, actor: Actor, first: int, before_id: int | None, backward: bool = False
) -> list[SecurityEvent]:
    """Newest first, keyset-paginated by id; returns up to `first + 1` rows
    (`backward`: oldest first, newer than the cursor id `before_id`)."""
    query = SecurityEvent.filter(organization_id=actor.organization_id)
    if before_id is not None:
        query = (
            query.filter(id__gt=before_id)
            if backward
            else query.filter(id__lt=before_id)
        )
    return await query.order_by("id" if backward else "-id").limit(first + 1)


async def count_security_events(*, actor: Actor) -> int:
    return await SecurityEvent.filter(organization_id=actor.organization_id).count()


# -- tokens -------------------------------------------------------------------------


def issue_access_token(
    *, config: AuthConfig, user_id: int, organization_id: int, role: str, sid: str
) -> str:
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "org": organization_id,
        "role": role,
        "sid": sid,
        "typ": "access",
        "iat": now,
        "exp": now + config.access_token_ttl,
    }
    return jwt.encode(claims, config._jwt_key, algorithm="HS256")


async def _issue_pair(
    *, config: AuthConfig, user: User, organization_id: int, role: str, family: str
) -> TokenPair:
    refresh = secrets.token_urlsafe(32)
    await RefreshToken.create(
        user_id=user.id,
        organization_id=organization_id,
        family=family,
        token_hash=_sha256(refresh),
        expires_at=_now() + timedelta(seconds=config.refresh_token_ttl),
    )
    access = issue_access_token(
        config=config,
        user_id=user.id,
        organization_id=organization_id,
        role=role,
        sid=family,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=config.access_token_ttl,
        user=user,
        organization_id=organization_id,
    )


async def authenticate_token(*, config: AuthConfig, token: str) -> Actor:
    """Resolve a bearer credential (JWT access token or API key) to an Actor."""
    if token.startswith(API_KEY_PREFIX):
        return await authenticate_api_key(secret=token)
    cached = config._verified.get(token)
    if cached is not None and cached[1] > time.time():
        actor = cached[0]
    else:
        actor, exp = _verify_access_token(config, token)
        if len(config._verified) >= VERIFIED_CACHE_SIZE:
            config._verified.clear()  # crude but bounded; refilled by live tokens
        config._verified[token] = (actor, exp)
    if await config.denylist.contains(actor.session_id or ""):
        raise Unauthenticated("Session ended; log in again")
    return actor


def _verify_access_token(config: AuthConfig, token: str) -> tuple[Actor, float]:
    try:
        claims = jwt.decode(
            token,
            config._jwt_key,
            algorithms=["HS256"],
            options={"require": ["exp", "sub", "org", "sid", "typ"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Access token expired; refresh it") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("Invalid access token") from None
    if claims.get("typ") != "access":
        raise Unauthenticated("Invalid access token")
    actor = Actor(
        kind="session",
        user_id=int(claims["sub"]),
        organization_id=int(claims["org"]),
        role=str(claims.get("role", "member")),
        session_id=str(claims["sid"]),
    )
    return actor, float(claims["exp"])


async def authenticate_api_key(*, secret: str) -> Actor:
    key = await ApiKey.get_or_none(key_hash=_sha256(secret)).select_related(
        "organization"
    )
    if key is None:
        raise Unauthenticated("Invalid API key")
    if key.revoked_at is not None:
        raise Unauthenticated("API key revoked")
    now = _now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(seconds=60):
        # bounded write rate: lastUsedAt is accurate to a minute
        await ApiKey.filter(id=key.id).update(last_used_at=now)
    return Actor(
        kind="api_key",
        user_id=key.created_by_id,
        organization_id=key.organization_id,
        role="member",
        scopes=frozenset(key.scopes),
        api_key_id=key.id,
        plan=key.organization.plan,
    )


# -- sign-up, log-in, refresh, log-out ------------------------------------------------


async def sign_up(
    *,
    config: AuthConfig,
    email: str,
    password: str,
    name: str,
    meta: RequestMeta,
    starting_credits: int,
) -> TokenPair:
    email = normalize_email(email)
    _validate_credentials(email, password, name)
    password_hash = await _hash_password(password)
    try:
        async with in_transaction():
            org = await Organization.create(name=name.strip()[:200], plan="free")
            user = await User.create(
                email=email,
                name=name.strip(),
                password_hash=password_hash,
                default_organization_id=org.id,
            )
            await Membership.create(
                user_id=user.id, organization_id=org.id, role="owner"
            )
            await agents.create_default_agent(organization_id=org.id, owner_id=user.id)
    except IntegrityError:
        raise Conflict(
            "An account with this email already exists", field=["email"]
        ) from None
    if starting_credits:
        await billing.change_credits(
            organization_id=org.id, delta=starting_credits, reason="signup_grant"
        )
    await record_event(
        config=config,
        kind=SecurityEventKind.SIGNED_UP,
        organization_id=org.id,
        user_id=user.id,
        meta=meta,
    )
    return await _issue_pair(
        config=config,
        user=user,
        organization_id=org.id,
        role="owner",
        family=uuid.uuid4().hex,
    )


async def log_in(
    *, config: AuthConfig, email: str, password: str, meta: RequestMeta
) -> TokenPair:
    email = normalize_email(email)
    user = await User.get_or_none(email=email)
    ok = await _verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok:
        await record_event(
            config=config,
            kind=SecurityEventKind.LOGIN_FAILED,
            organization_id=user.default_organization_id if user else None,
            user_id=user.id if user else None,
            meta=meta,
            detail={"email": email[:254]},
        )
        raise ValidationFailed("Email or password is incorrect", field=["password"])
    membership = await Membership.get(
        user_id=user.id, organization_id=user.default_organization_id
    )
    await record_event(
        config=config,
        kind=SecurityEventKind.LOGIN_SUCCEEDED,
        organization_id=membership.organization_id,
        user_id=user.id,
        meta=meta,
    )
    return await _issue_pair(
        config=config,
        user=user,
        organization_id=membership.organization_id,
        role=membership.role,
        family=uuid.uuid4().hex,
    )


async def refresh_session(
    *, config: AuthConfig, refresh_token: str, meta: RequestMeta
) -> TokenPair:
    """Rotate a refresh token. Presenting an already-used token revokes its family."""
    now = _now()
    async with in_transaction():
        row = (
            await RefreshToken.filter(token_hash=_sha256(refresh_token))
            .select_for_update()
            .first()
        )
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise ValidationFailed(
                "Refresh token is invalid or expired", field=["refreshToken"]
            )
        reused: RefreshToken | None
        if row.used_at is not None:
            reused = row
        else:
            claimed = await RefreshToken.filter(id=row.id, used_at__isnull=True).update(
                used_at=now
            )
            reused = None if claimed else row
    if reused is not None:
        await _revoke_family(config=config, family=reused.family)
        await record_event(
            config=config,
            kind=SecurityEventKind.TOKEN_REUSE_DETECTED,
            organization_id=reused.organization_id,
            user_id=reused.user_id,
            meta=meta,
            detail={"session": reused.family[:8]},
        )
        raise ValidationFailed(
            "Refresh token was already used; the session has been revoked",
            field=["refreshToken"],
        )
    user = await User.get(id=row.user_id)
    membership = await Membership.get_or_none(
        user_id=row.user_id, organization_id=row.organization_id
    )
    if membership is None:
        raise ValidationFailed("Membership ended", field=["refreshToken"])
    return await _issue_pair(
        config=config,
        user=user,
        organization_id=row.organization_id,
        role=membership.role,
        family=row.family,
    )


async def _revoke_family(*, config: AuthConfig, family: str) -> None:
    await RefreshToken.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=_now()
    )
    await config.denylist.add(family, ttl=config.access_token_ttl)
    await revocation.announce(
        config.pubsub,
        revocation.session_subject(family),
        secret_key=config.secret_key,
    )


async def log_out(*, config: AuthConfig, actor: Actor, meta: RequestMeta) -> None:
    actor.require_session()
    assert actor.session_id is not None
    await _revoke_family(config=config, family=actor.session_id)
    await record_event(
        config=config,
        kind=SecurityEventKind.LOGGED_OUT,
        organization_id=actor.organization_id,
        user_id=actor.user_id,
        meta=meta,
    )


async def change_password(
    *,
    config: AuthConfig,
    actor: Actor,
    current_password: str,
    new_password: str,
    meta: RequestMeta,
) -> TokenPair:
    """Change the password, end every other session, and return a fresh pair."""
    actor.require_session()
    user = await User.get(id=actor.user_id)
    if not await _verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "Current password is incorrect", field=["currentPassword"]
        )
    _validate_credentials(user.email, new_password, user.name)
    if current_password == new_password:
        raise ValidationFailed(
            "New password must differ from the current one", field=["newPassword"]
        )
    user.password_hash = await _hash_password(new_password)
    await user.save(update_fields=["password_hash"])
    families = await RefreshToken.filter(
        user_id=user.id, revoked_at__isnull=True
    ).values_list("family", flat=True)
    for family in {str(f) for f in families}:
        await _revoke_family(config=config, family=family)
    await record_event(
        config=config,
        kind=SecurityEventKind.PASSWORD_CHANGED,
        organization_id=actor.organization_id,
        user_id=user.id,
        meta=meta,
    )
    return await _issue_pair(
        config=config,
        user=user,
        organization_id=actor.organization_id,
        role=actor.role,
        family=uuid.uuid4().hex,
    )


# -- API keys -----------------------------------------------------------------------


async def create_api_key(
    *, config: AuthConfig, actor: Actor, name: str, scopes: list[str], meta: RequestMeta
) -> tuple[ApiKey, str]:
    """Returns the key row and its secret; the secret is never stored or shown again."""
    actor.require_session()
    actor.require_role("owner", "admin")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("Name must be 1 to 100 characters long", field=["name"])
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationFailed(
            f"Scopes must be a non-empty subset of {', '.join(SCOPES)}",
            field=["scopes"],
        )
    if (
        await ApiKey.filter(
            organization_id=actor.organization_id, revoked_at__isnull=True
        ).count()
        >= 50
    ):
        raise ValidationFailed("An organization can hold at most 50 active keys")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = await ApiKey.create(
        organization_id=actor.organization_id,
        created_by_id=actor.user_id,
        name=name,
        prefix=secret[: len(API_KEY_PREFIX) + 4],
        last_four=secret[-4:],
        key_hash=_sha256(secret),
        scopes=sorted(set(scopes)),
    )
    await record_event(
        config=config,
        kind=SecurityEventKind.API_KEY_CREATED,
        organization_id=actor.organization_id,
        user_id=actor.user_id,
        meta=meta,
        detail={"apiKeyId": key.id, "name": name, "prefix": key.prefix},
    )
    return key, secret


async def revoke_api_key(
    *, config: AuthConfig, actor: Actor, api_key_id: int, meta: RequestMeta
) -> ApiKey:
    actor.require_session()
    actor.require_role("owner", "admin")
    key = await ApiKey.get_or_none(id=api_key_id, organization_id=actor.organization_id)
    if key is None:
        raise NotFound("API key not found", field=["id"])
    if key.revoked_at is None:
        key.revoked_at = _now()
        await key.save(update_fields=["revoked_at"])
        await revocation.announce(
            config.pubsub,
            revocation.api_key_subject(key.id),
            secret_key=config.secret_key,
        )
        await record_event(
            config=config,
            kind=SecurityEventKind.API_KEY_REVOKED,
            organization_id=actor.organization_id,
            user_id=actor.user_id,
            meta=meta,
            detail={"apiKeyId": key.id, "name": key.name, "prefix": key.prefix},
        )
    return key


async def list_api_keys(*, actor: Actor) -> list[ApiKey]:
    return await ApiKey.filter(organization_id=actor.organization_id).order_by("-id")


async def get_users(*, ids: list[int]) -> list[User]:
    return await User.filter(id__in=ids)


async def get_organizations(*, ids: list[int]) -> list[Organization]:
    return await Organization.filter(id__in=ids)
