"""Who is calling and how authentication is configured: `Actor` (built from a
JWT access token or an API key by `services.credentials`), `RequestMeta`,
`TokenPair`, `AuthConfig`, the kinds of security events, and the hashing and
clock helpers the account modules share. `services.accounts` re-exports it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from models.accounts import User
from services.errors import Forbidden
from services.pubsub import PubSub
from services.revocation import Denylist

API_KEY_PREFIX = "cg_live_"
SCOPES = ("read", "write")
VERIFIED_CACHE_SIZE = 10_000
ROLES = ("owner", "admin", "member")


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


def utcnow() -> datetime:
    return datetime.now(UTC)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
