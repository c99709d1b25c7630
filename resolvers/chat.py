"""Resolvers of the visitor chat: askProfile, profileAnswer (streamed), and the
owner's transcripts and exports."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable

from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id
from schema.chat import (
    AskProfileInput,
    AskProfilePayload,
    ChatExportPayload,
    Citation,
    DeleteTranscriptInput,
    DeleteTranscriptPayload,
    ExportInsightsInput,
    ExportTranscriptsInput,
    ProfileAnswerEvent,
)
from schema.context import Info
from services import chat
from services.errors import ServiceError


def _deps(info: Info) -> chat.ChatDeps:
    runtime = info.context.runtime
    return chat.ChatDeps(settings=runtime.settings, limiter=runtime.limiter)


async def ask_profile(info: Info, input: AskProfileInput) -> AskProfilePayload:
    try:
        result = await chat.ask(
            username=input.username,
            question=input.question,
            conversation_id=input.conversation_id,
            meta=info.context.meta,
            deps=_deps(info),
        )
    except ServiceError as exc:
        return AskProfilePayload(user_errors=user_errors(exc))
    return AskProfilePayload(
        answer=result.answer,
        answered=result.answered,
        citations=[Citation.from_row(c) for c in result.citations],
        conversation_id=result.conversation_id,
    )


async def profile_answer(
    info: Info, input: AskProfileInput
) -> AsyncGenerator[ProfileAnswerEvent, None]:
    try:
        async for delta, result in chat.stream(
            username=input.username,
            question=input.question,
            conversation_id=input.conversation_id,
            meta=info.context.meta,
            deps=_deps(info),
        ):
            if result is None:
                yield ProfileAnswerEvent(delta=delta, done=False)
            else:
                yield ProfileAnswerEvent(
                    delta=delta,
                    done=True,
                    answer=result.answer,
                    answered=result.answered,
                    citations=[Citation.from_row(c) for c in result.citations],
                    conversation_id=result.conversation_id,
                )
    except ServiceError as exc:
        yield ProfileAnswerEvent(delta="", done=True, user_errors=user_errors(exc))


async def delete_transcript(
    info: Info, input: DeleteTranscriptInput
) -> DeleteTranscriptPayload:
    try:
        await chat.delete_transcript(
            actor=info.context.require_actor(),
            transcript_id=decode_node_id(input.id, "Transcript"),
        )
    except ServiceError as exc:
        return DeleteTranscriptPayload(user_errors=user_errors(exc))
    return DeleteTranscriptPayload(deleted_id=input.id)


def _payload(link: chat.ExportLink) -> ChatExportPayload:
    return ChatExportPayload(
        url=link.url,
        expires_at=link.expires_at,
        filename=link.filename,
        content_type=link.content_type,
    )


async def _export(
    info: Info,
    input: ExportTranscriptsInput | ExportInsightsInput,
    export: Callable[..., Awaitable[chat.ExportLink]],
) -> ChatExportPayload:
    """One of the chat exports over the input's days: a signed link to the file."""
    try:
        link = await export(
            actor=info.context.require_actor(),
            fmt=input.format.value,
            start=input.from_,
            end=input.to,
            signer=info.context.runtime.files,
            base_url=info.context.meta.base_url,
        )
    except ServiceError as exc:
        return ChatExportPayload(user_errors=user_errors(exc))
    return _payload(link)


async def export_transcripts(
    info: Info, input: ExportTranscriptsInput
) -> ChatExportPayload:
    return await _export(info, input, chat.export_transcripts)


async def export_insights(info: Info, input: ExportInsightsInput) -> ChatExportPayload:
    return await _export(info, input, chat.export_insights)
