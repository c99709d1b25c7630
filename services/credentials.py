"""Credentials: JWT access tokens and refresh-token pairs (issued and verified),
and API keys (created, revoked, listed, authenticated); `authenticate_token`
turns either kind of bearer credential into an `Actor`. `services.accounts`
re-exports it.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import jwt

from models.accounts import ApiKey, RefreshToken, User
from services import revocation
from services.errors import NotFound, Unauthenticated, ValidationFailed
from services.identity import (
    API_KEY_PREFIX,
    SCOPES,
    VERIFIED_CACHE_SIZE,
    Actor,
    AuthConfig,
    RequestMeta,
    SecurityEventKind,
    TokenPair,
    sha256_hex,
    utcnow,
)
from services.security_events import record_event

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


async def issue_pair(
    *, config: AuthConfig, user: User, organization_id: int, role: str, family: str
) -> TokenPair:
    refresh = secrets.token_urlsafe(32)
    await RefreshToken.create(
        user_id=user.id,
        organization_id=organization_id,
        family=family,
        token_hash=sha256_hex(refresh),
        expires_at=utcnow() + timedelta(seconds=config.refresh_token_ttl),
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
    key = await ApiKey.get_or_none(key_hash=sha256_hex(secret)).select_related(
        "organization"
    )
    if key is None:
        raise Unauthenticated("Invalid API key")
    if key.revoked_at is not None:
        raise Unauthenticated("API key revoked")
    now = utcnow()
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
        key_hash=sha256_hex(secret),
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
        key.revoked_at = utcnow()
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
