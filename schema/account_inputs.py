"""Inputs and payloads of the account mutations: sign-up, log-in, sessions,
passwords and API keys."""

from __future__ import annotations

import strawberry

from schema.accounts import ApiKeyNode, ApiKeyScope, UserNode
from schema.base import UserError


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
