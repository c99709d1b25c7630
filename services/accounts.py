"""Accounts: sign-up, log-in, token rotation, passwords, API keys, security events.

The caller's identity and the auth settings are in `identity`, security events in
`security_events`, access tokens and API keys in `credentials`; this module keeps
sign-up, log-in, refresh, log-out and password changes, and re-exports the rest.

Who is calling is an `Actor`, built from a JWT access token or an API key by
`authenticate`; every tenant query below is scoped by `actor.organization_id`.
"""

from __future__ import annotations

import asyncio
import re
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import Membership, Organization, RefreshToken, User
from services import agents, billing, revocation
from services.credentials import (
    authenticate_api_key,
    authenticate_token,
    create_api_key,
    issue_access_token,
    issue_pair,
    list_api_keys,
    revoke_api_key,
)
from services.errors import Conflict, ValidationFailed
from services.identity import (
    API_KEY_PREFIX,
    ROLES,
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
from services.security_events import (
    count_security_events,
    event_message,
    list_security_events,
    record_event,
    security_channel,
)

# the names of identity, security_events and credentials are re-exported: callers
# use `accounts.<name>` for all of authentication
__all__ = [
    "API_KEY_PREFIX",
    "EMAIL_RE",
    "ROLES",
    "SCOPES",
    "VERIFIED_CACHE_SIZE",
    "Actor",
    "AuthConfig",
    "RequestMeta",
    "SecurityEventKind",
    "TokenPair",
    "authenticate_api_key",
    "authenticate_token",
    "change_password",
    "count_security_events",
    "create_api_key",
    "event_message",
    "get_organizations",
    "get_users",
    "issue_access_token",
    "issue_pair",
    "list_api_keys",
    "list_security_events",
    "log_in",
    "log_out",
    "normalize_email",
    "record_event",
    "refresh_session",
    "revoke_api_key",
    "security_channel",
    "sha256_hex",
    "sign_up",
    "utcnow",
]

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


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


# -- sign-up, log-in, refresh, log-out ------------------------------------------------


async def _open_session(
    *,
    config: AuthConfig,
    kind: str,
    user: User,
    organization_id: int,
    role: str,
    meta: RequestMeta,
) -> TokenPair:
    """Record `kind` for the user, then a new session: a fresh token family."""
    await record_event(
        config=config,
        kind=kind,
        organization_id=organization_id,
        user_id=user.id,
        meta=meta,
    )
    return await issue_pair(
        config=config,
        user=user,
        organization_id=organization_id,
        role=role,
        family=uuid.uuid4().hex,
    )


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
    return await _open_session(
        config=config,
        kind=SecurityEventKind.SIGNED_UP,
        user=user,
        organization_id=org.id,
        role="owner",
        meta=meta,
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
    return await _open_session(
        config=config,
        kind=SecurityEventKind.LOGIN_SUCCEEDED,
        user=user,
        organization_id=membership.organization_id,
        role=membership.role,
        meta=meta,
    )


async def refresh_session(
    *, config: AuthConfig, refresh_token: str, meta: RequestMeta
) -> TokenPair:
    """Rotate a refresh token. Presenting an already-used token revokes its family."""
    now = utcnow()
    async with in_transaction():
        row = (
            await RefreshToken.filter(token_hash=sha256_hex(refresh_token))
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
    return await issue_pair(
        config=config,
        user=user,
        organization_id=row.organization_id,
        role=membership.role,
        family=row.family,
    )


async def _revoke_family(*, config: AuthConfig, family: str) -> None:
    await RefreshToken.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=utcnow()
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
    return await _open_session(
        config=config,
        kind=SecurityEventKind.PASSWORD_CHANGED,
        user=user,
        organization_id=actor.organization_id,
        role=actor.role,
        meta=meta,
    )


async def get_users(*, ids: list[int]) -> list[User]:
    return await User.filter(id__in=ids)


async def get_organizations(*, ids: list[int]) -> list[Organization]:
    return await Organization.filter(id__in=ids)
