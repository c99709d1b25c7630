"""Resolvers of the accounts domain: sign-up, log-in, sessions, API keys, viewer,
and the live security-event stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable

from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id
from schema.account_inputs import (
    AuthPayload,
    ChangePasswordInput,
    CreateApiKeyInput,
    CreateApiKeyPayload,
    LogInInput,
    LogOutPayload,
    RefreshTokenInput,
    RevokeApiKeyInput,
    RevokeApiKeyPayload,
    SignUpInput,
)
from schema.accounts import (
    ApiKeyNode,
    SecurityEventNode,
    UserNode,
)
from schema.context import (
    Info,
)
from schema.viewer import (
    Viewer,
)
from services import accounts
from services.errors import ServiceError


async def _auth(session: Awaitable[accounts.TokenPair]) -> AuthPayload:
    """The new session's tokens, or the service's user errors."""
    try:
        pair = await session
    except ServiceError as exc:
        return AuthPayload(user_errors=user_errors(exc))
    return AuthPayload(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=UserNode.from_row(pair.user),
    )


async def viewer(info: Info) -> Viewer | None:
    return Viewer.from_actor(info.context.require_actor())


async def sign_up(info: Info, input: SignUpInput) -> AuthPayload:
    runtime = info.context.runtime
    return await _auth(
        accounts.sign_up(
            config=runtime.auth,
            email=input.email,
            password=input.password,
            name=input.name,
            meta=info.context.meta,
            starting_credits=runtime.settings.starting_credits,
        )
    )


async def log_in(info: Info, input: LogInInput) -> AuthPayload:
    return await _auth(
        accounts.log_in(
            config=info.context.runtime.auth,
            email=input.email,
            password=input.password,
            meta=info.context.meta,
        )
    )


async def refresh_token(info: Info, input: RefreshTokenInput) -> AuthPayload:
    return await _auth(
        accounts.refresh_session(
            config=info.context.runtime.auth,
            refresh_token=input.refresh_token,
            meta=info.context.meta,
        )
    )


async def log_out(info: Info) -> LogOutPayload:
    await accounts.log_out(
        config=info.context.runtime.auth,
        actor=info.context.require_actor(),
        meta=info.context.meta,
    )
    return LogOutPayload(ok=True)


async def change_password(info: Info, input: ChangePasswordInput) -> AuthPayload:
    return await _auth(
        accounts.change_password(
            config=info.context.runtime.auth,
            actor=info.context.require_actor(),
            current_password=input.current_password,
            new_password=input.new_password,
            meta=info.context.meta,
        )
    )


async def create_api_key(info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
    try:
        key, secret = await accounts.create_api_key(
            config=info.context.runtime.auth,
            actor=info.context.require_actor(),
            name=input.name,
            scopes=[scope.value for scope in input.scopes],
            meta=info.context.meta,
        )
    except ServiceError as exc:
        return CreateApiKeyPayload(user_errors=user_errors(exc))
    return CreateApiKeyPayload(secret=secret, api_key=ApiKeyNode.from_row(key))


async def revoke_api_key(info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
    actor = info.context.require_actor()
    try:
        key_id = decode_node_id(input.id, "ApiKey")
        key = await accounts.revoke_api_key(
            config=info.context.runtime.auth,
            actor=actor,
            api_key_id=key_id,
            meta=info.context.meta,
        )
    except ServiceError as exc:
        return RevokeApiKeyPayload(user_errors=user_errors(exc))
    return RevokeApiKeyPayload(api_key=ApiKeyNode.from_row(key))


async def security_events(info: Info) -> AsyncGenerator[SecurityEventNode, None]:
    actor = info.context.require_actor()
    channel = accounts.security_channel(actor.organization_id)
    async with info.context.runtime.pubsub.subscribe(channel) as messages:
        async for message in messages:
            yield SecurityEventNode.from_message(message)
