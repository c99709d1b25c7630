"""Inputs and payloads of the account mutations: sign-up, log-in, sessions,
passwords and API keys."""

from __future__ import annotations

import strawberry

from schema.accounts import ApiKeyNode, ApiKeyScope, UserNode
from schema.base import UserError


@strawberry.input(description="A new user and their own organization.")
class SignUpInput:
    email: str = strawberry.field(
        description="Log-in email, at most 254 characters; CONFLICT when taken."
    )
    password: str = strawberry.field(description="10 to 256 characters.")
    name: str = strawberry.field(description="Display name, 1 to 200 characters.")


@strawberry.input(description="Email and password.")
class LogInInput:
    email: str = strawberry.field(description="Log-in email (case-insensitive).")
    password: str = strawberry.field(description="The password.")


@strawberry.input(description="A refresh token to exchange.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(
        description="The refresh token of the last pair (each works once)."
    )


@strawberry.input(description="The current and the new password.")
class ChangePasswordInput:
    current_password: str = strawberry.field(
        description="The password now; VALIDATION_ERROR when wrong."
    )
    new_password: str = strawberry.field(
        description="The new password, 10 to 256 characters."
    )


@strawberry.input(description="A new API key.")
class CreateApiKeyInput:
    name: str = strawberry.field(description="A label, 1 to 100 characters.")
    scopes: list[ApiKeyScope] = strawberry.field(
        default_factory=lambda: [ApiKeyScope.READ, ApiKeyScope.WRITE],
        description="What the key may do (default READ and WRITE).",
    )


@strawberry.input(description="The key to revoke.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="Global id of the API key.")


@strawberry.type(description="Tokens of a session. The refresh token rotates on use.")
class AuthPayload:
    access_token: str | None = strawberry.field(
        default=None,
        description="A JWT for `Authorization: Bearer`; null on a user error.",
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description=(
            "Exchange it with refreshToken before the access token "
            "expires; it works once. Null on a user error."
        ),
    )
    expires_in: int | None = strawberry.field(
        default=None, description="Seconds until the access token expires."
    )
    user: UserNode | None = strawberry.field(
        default=None, description="The signed-in user; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.type(description="The result of logOut.")
class LogOutPayload:
    ok: bool = strawberry.field(description="True when the session ended.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.type(description="The result of createApiKey.")
class CreateApiKeyPayload:
    secret: str | None = strawberry.field(
        default=None, description="The key itself, shown this once and never again."
    )
    api_key: ApiKeyNode | None = strawberry.field(
        default=None, description="The new key; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )


@strawberry.type(description="The result of revokeApiKey.")
class RevokeApiKeyPayload:
    api_key: ApiKeyNode | None = strawberry.field(
        default=None, description="The key, now with revokedAt; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures, each with a `code` and the input `field` "
            "at fault; empty on success."
        ),
    )
