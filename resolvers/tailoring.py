"""Resolvers of the tailoring domain: job keywords and resume match (cheap,
deterministic), tailorResume, cover letters and outreach messages, and the
organization's model settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import strawberry

from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id, given_fields
from resolvers.resumes import _queue_limits, _resume_id
from schema.base import ErrorCode, UserError
from schema.context import Info
from schema.resumes import ResumeNode, TailorResumePayload
from schema.tailoring import (
    CoverLetter,
    CoverLetterPayload,
    DeleteLetterInput,
    DeleteLetterPayload,
    GenerateLetterInput,
    JobKeywords,
    LlmConfigType,
    OutreachMessage,
    OutreachMessagePayload,
    RegenerateLetterInput,
    RenderResumePdfInput,
    RenderResumePdfPayload,
    ResumeMatch,
    ResumePdf,
    TailorResumeInput,
    UpdateLlmConfigInput,
    UpdateLlmConfigPayload,
)
from services.errors import ServiceError
from services.llm import config as llm_config
from services.tailoring import letters, pipeline
from services.tailoring import service as tailoring


async def job_keywords(info: Info, job_description: str) -> JobKeywords:
    info.context.require_actor()
    keywords = tailoring.keywords_for(job_description=job_description)
    return JobKeywords.from_row(keywords)


async def resume_match(
    info: Info, job_description: str, resume_id: strawberry.ID | None = None
) -> ResumeMatch | None:
    actor = info.context.require_actor()
    key = _resume_id(resume_id, "resumeId") if resume_id is not None else None
    match, keywords = await tailoring.match_for(
        actor=actor, resume_id=key, job_description=job_description
    )
    return ResumeMatch.from_match(match, keywords)


def _config_type(row: Any) -> LlmConfigType:
    return LlmConfigType.from_row(row, llm_config.masked(row))


async def get_llm_config(info: Info) -> LlmConfigType:
    actor = info.context.require_actor()
    row = await llm_config.get_config(
        organization_id=actor.organization_id,
        default_provider=info.context.runtime.settings.llm_provider,
    )
    return _config_type(row)


async def update_llm_config(
    info: Info, input: UpdateLlmConfigInput
) -> UpdateLlmConfigPayload:
    changes = given_fields(input, skip=())
    settings = info.context.runtime.settings
    try:
        row = await llm_config.update_config(
            actor=info.context.require_actor(),
            secret_key=settings.secret_key,
            allow_private=settings.allow_private_llm_hosts,
            changes=changes,
            default_provider=settings.llm_provider,
        )
    except ServiceError as exc:
        return UpdateLlmConfigPayload(user_errors=user_errors(exc))
    return UpdateLlmConfigPayload(llm_config=_config_type(row))


async def tailor_resume(info: Info, input: TailorResumeInput) -> TailorResumePayload:
    actor = info.context.require_actor()
    try:
        key = (
            _resume_id(input.resume_id, "resumeId")
            if input.resume_id is not None
            else None
        )
        row = await pipeline.request_tailoring(
            actor=actor,
            settings=info.context.runtime.settings,
            resume_id=key,
            job_description=input.job_description,
            strategy=input.strategy.value if input.strategy else None,
            output_language=input.output_language,
            generate_pdf=input.generate_pdf,
            limits=_queue_limits(info),
        )
    except ServiceError as exc:
        return TailorResumePayload(user_errors=user_errors(exc))
    await info.context.runtime.jobs.enqueue_tailor(row.id)
    if not input.wait:
        return TailorResumePayload(resume=ResumeNode.from_row(row))
    timeout = info.context.runtime.settings.tailor_timeout
    row, timed_out = await pipeline.wait_for_end(
        actor=actor,
        resume_id=row.id,
        pubsub=info.context.runtime.pubsub,
        within=timeout,
    )
    return TailorResumePayload(
        resume=ResumeNode.from_row(row),
        user_errors=_run_errors(row, timed_out, timeout),
    )


def _run_errors(row: Any, timed_out: bool, timeout: float) -> list[UserError]:
    """What a waited-for run answers: TIMEOUT when it did not end in time, the
    failure's code when it ended FAILED for an expected reason."""
    if timed_out:
        message = (
            f"The run did not end within {timeout:g} s; it goes on: follow it with "
            "tailoringEvents"
        )
        return [
            UserError(field=["input", "wait"], message=message, code=ErrorCode.TIMEOUT)
        ]
    if row.status == "FAILED" and row.error_code in ErrorCode.__members__:
        return [
            UserError(
                field=None,
                message=row.error_message or row.error_code,
                code=ErrorCode(row.error_code),
            )
        ]
    return []


# -- cover letters and outreach messages -----------------------------------------------

_NODE = {"COVER_LETTER": "CoverLetter", "OUTREACH": "OutreachMessage"}


def _payload(kind: str, row: Any = None, exc: ServiceError | None = None) -> Any:
    errors = user_errors(exc) if exc is not None else []
    if kind == "COVER_LETTER":
        node = CoverLetter.from_row(row) if row is not None else None
        return CoverLetterPayload(cover_letter=node, user_errors=errors)
    message = OutreachMessage.from_row(row) if row is not None else None
    return OutreachMessagePayload(outreach_message=message, user_errors=errors)


async def _generate(info: Info, kind: str, input: GenerateLetterInput) -> Any:
    actor = info.context.require_actor()
    try:
        row = await letters.generate(
            actor=actor,
            settings=info.context.runtime.settings,
            kind=kind,
            resume_id=_resume_id(input.resume_id, "resumeId"),
            job_description=input.job_description,
            language=input.language,
        )
    except ServiceError as exc:
        return _payload(kind, exc=exc)
    return _payload(kind, row)


async def _regenerate(info: Info, kind: str, input: RegenerateLetterInput) -> Any:
    actor = info.context.require_actor()
    try:
        row = await letters.regenerate(
            actor=actor,
            settings=info.context.runtime.settings,
            kind=kind,
            letter_id=decode_node_id(input.id, _NODE[kind]),
            job_description=input.job_description,
        )
    except ServiceError as exc:
        return _payload(kind, exc=exc)
    return _payload(kind, row)


async def _delete(
    info: Info, kind: str, input: DeleteLetterInput
) -> DeleteLetterPayload:
    actor = info.context.require_actor()
    try:
        letter_id = decode_node_id(input.id, _NODE[kind])
        await letters.delete(actor=actor, kind=kind, letter_id=letter_id)
    except ServiceError as exc:
        return DeleteLetterPayload(user_errors=user_errors(exc))
    return DeleteLetterPayload(deleted_id=input.id)


async def generate_cover_letter(
    info: Info, input: GenerateLetterInput
) -> CoverLetterPayload:
    payload: CoverLetterPayload = await _generate(info, "COVER_LETTER", input)
    return payload


async def regenerate_cover_letter(
    info: Info, input: RegenerateLetterInput
) -> CoverLetterPayload:
    payload: CoverLetterPayload = await _regenerate(info, "COVER_LETTER", input)
    return payload


async def delete_cover_letter(
    info: Info, input: DeleteLetterInput
) -> DeleteLetterPayload:
    return await _delete(info, "COVER_LETTER", input)


async def generate_outreach_message(
    info: Info, input: GenerateLetterInput
) -> OutreachMessagePayload:
    payload: OutreachMessagePayload = await _generate(info, "OUTREACH", input)
    return payload


async def regenerate_outreach_message(
    info: Info, input: RegenerateLetterInput
) -> OutreachMessagePayload:
    payload: OutreachMessagePayload = await _regenerate(info, "OUTREACH", input)
    return payload


async def delete_outreach_message(
    info: Info, input: DeleteLetterInput
) -> DeleteLetterPayload:
    return await _delete(info, "OUTREACH", input)


async def render_resume_pdf(
    info: Info, input: RenderResumePdfInput
) -> RenderResumePdfPayload:
    actor = info.context.require_actor()
    runtime = info.context.runtime
    from services.render import PdfRenderFailed

    try:
        url, expires_at, result, theme = await letters.resume_pdf_link(
            actor=actor,
            resume_id=_resume_id(input.resume_id, "resumeId"),
            theme=input.theme,
            signer=runtime.files,
            base_url=info.context.meta.base_url,
            keep_for=timedelta(seconds=runtime.settings.file_link_ttl),
        )
    except (ServiceError, PdfRenderFailed) as exc:
        return RenderResumePdfPayload(user_errors=user_errors(exc))
    return RenderResumePdfPayload(
        pdf=ResumePdf(
            url=url,
            expires_at=expires_at,
            theme=theme,
            content_hash=result.content_hash,
            cached=result.cached,
            pages=result.pages,
            size=len(result.data),
        )
    )
