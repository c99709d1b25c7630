"""Resolvers of the tailoring domain: job keywords and resume match (cheap,
deterministic), tailorResume, cover letters and outreach messages, and the
organization's model settings."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry

from resolvers.errors import user_errors
from resolvers.inputs import (
    decode_node_id,
    decode_resume_id,
    given_fields,
    queue_limits,
)
from schema.base import ErrorCode, UserError, enum_or
from schema.context import Info
from schema.letters import (
    CoverLetter,
    CoverLetterPayload,
    DeleteLetterInput,
    DeleteLetterPayload,
    GenerateLetterInput,
    OutreachMessage,
    OutreachMessagePayload,
    RegenerateLetterInput,
)
from schema.presentation import ThemeKey
from schema.resumes import ResumeNode, TailorResumePayload
from schema.tailoring import (
    JobKeywords,
    LlmConfigType,
    RenderResumePdfInput,
    RenderResumePdfPayload,
    ResumeMatch,
    ResumePdf,
    TailorResumeInput,
    UpdateLlmConfigInput,
    UpdateLlmConfigPayload,
)
from services import resumes
from services.errors import ServiceError
from services.llm import config as llm_config
from services.tailoring import letters, pipeline
from services.tailoring import service as tailoring

if TYPE_CHECKING:
    from models.tailoring import Letter as LetterRow


async def job_keywords(info: Info, job_description: str) -> JobKeywords:
    info.context.require_actor()
    keywords = tailoring.keywords_for(job_description=job_description)
    return JobKeywords.from_row(keywords)


async def resume_match(
    info: Info, job_description: str, resume_id: strawberry.ID | None = None
) -> ResumeMatch | None:
    actor = info.context.require_actor()
    key = decode_resume_id(resume_id, "resumeId") if resume_id is not None else None
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


async def _asked_resume(
    info: Info, resume_id: int | None, *, named: bool
) -> ResumeNode | None:
    """The resume a mutation was asked about (the master when none is `named`), so
    that a refused one still answers the current object."""
    if named and resume_id is None:  # an id that did not decode
        return None
    if resume_id is not None:
        row = await info.context.loaders.resume_by_id.load(resume_id)
    else:
        masters = await resumes.list_resumes(
            organization_id=info.context.require_actor().organization_id,
            filter=resumes.ResumeFilter(is_master=True),
            first=1,
        )
        row = masters[0] if masters else None
    return ResumeNode.from_row(row) if row is not None else None


async def tailor_resume(info: Info, input: TailorResumeInput) -> TailorResumePayload:
    actor = info.context.require_actor()
    key = None
    try:
        key = (
            decode_resume_id(input.resume_id, "resumeId")
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
            limits=queue_limits(info),
        )
    except ServiceError as exc:
        return TailorResumePayload(
            user_errors=user_errors(exc),
            source_resume=await _asked_resume(
                info, key, named=input.resume_id is not None
            ),
        )
    await info.context.runtime.jobs.enqueue_tailor(row.id)
    source = await _asked_resume(info, row.parent_id, named=True)
    if not input.wait:
        return TailorResumePayload(
            resume=ResumeNode.from_row(row), source_resume=source
        )
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
        source_resume=source,
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

_Payload = TypeVar("_Payload", CoverLetterPayload, OutreachMessagePayload)


@dataclass(frozen=True, slots=True)
class _Kind(Generic[_Payload]):
    """One kind of letter as the resolvers meet it: its stored kind, its node type's
    name and how its payload is built."""

    kind: str
    node_type: str
    payload: Callable[[LetterRow | None, list[UserError], ResumeNode | None], _Payload]


COVER = _Kind(
    "COVER_LETTER",
    "CoverLetter",
    lambda row, errors, resume: CoverLetterPayload(
        cover_letter=CoverLetter.from_row(row) if row is not None else None,
        user_errors=errors,
        resume=resume,
    ),
)
OUTREACH = _Kind(
    "OUTREACH",
    "OutreachMessage",
    lambda row, errors, resume: OutreachMessagePayload(
        outreach_message=OutreachMessage.from_row(row) if row is not None else None,
        user_errors=errors,
        resume=resume,
    ),
)


async def _payload(
    info: Info,
    kind: _Kind[_Payload],
    row: LetterRow | None = None,
    exc: ServiceError | None = None,
    *,
    resume_id: int | None = None,
) -> _Payload:
    """The letter payload; the letter's (or the asked) resume rides along."""
    errors = user_errors(exc) if exc is not None else []
    if row is not None:
        resume_id = row.resume_id
    resume = await _asked_resume(info, resume_id, named=True)
    return kind.payload(row, errors, resume)


async def _generate(
    info: Info, kind: _Kind[_Payload], input: GenerateLetterInput
) -> _Payload:
    actor = info.context.require_actor()
    key = None
    try:
        key = decode_resume_id(input.resume_id, "resumeId")
        row = await letters.generate(
            actor=actor,
            settings=info.context.runtime.settings,
            kind=kind.kind,
            resume_id=key,
            job_description=input.job_description,
            language=input.language,
        )
    except ServiceError as exc:
        return await _payload(info, kind, exc=exc, resume_id=key)
    return await _payload(info, kind, row)


async def _regenerate(
    info: Info, kind: _Kind[_Payload], input: RegenerateLetterInput
) -> _Payload:
    actor = info.context.require_actor()
    key = None
    try:
        key = decode_node_id(input.id, kind.node_type)
        row = await letters.regenerate(
            actor=actor,
            settings=info.context.runtime.settings,
            kind=kind.kind,
            letter_id=key,
            job_description=input.job_description,
        )
    except ServiceError as exc:
        current = None
        if key is not None:  # refused: the letter as it stands
            with contextlib.suppress(ServiceError):
                current = await letters.get_letter(
                    actor=actor, kind=kind.kind, letter_id=key
                )
        return await _payload(info, kind, current, exc)
    return await _payload(info, kind, row)


async def _delete(
    info: Info, kind: _Kind[_Payload], input: DeleteLetterInput
) -> DeleteLetterPayload:
    actor = info.context.require_actor()
    try:
        letter_id = decode_node_id(input.id, kind.node_type)
        await letters.delete(actor=actor, kind=kind.kind, letter_id=letter_id)
    except ServiceError as exc:
        return DeleteLetterPayload(user_errors=user_errors(exc))
    return DeleteLetterPayload(deleted_id=input.id)


async def generate_cover_letter(
    info: Info, input: GenerateLetterInput
) -> CoverLetterPayload:
    return await _generate(info, COVER, input)


async def regenerate_cover_letter(
    info: Info, input: RegenerateLetterInput
) -> CoverLetterPayload:
    return await _regenerate(info, COVER, input)


async def delete_cover_letter(
    info: Info, input: DeleteLetterInput
) -> DeleteLetterPayload:
    return await _delete(info, COVER, input)


async def generate_outreach_message(
    info: Info, input: GenerateLetterInput
) -> OutreachMessagePayload:
    return await _generate(info, OUTREACH, input)


async def regenerate_outreach_message(
    info: Info, input: RegenerateLetterInput
) -> OutreachMessagePayload:
    return await _regenerate(info, OUTREACH, input)


async def delete_outreach_message(
    info: Info, input: DeleteLetterInput
) -> DeleteLetterPayload:
    return await _delete(info, OUTREACH, input)


async def render_resume_pdf(
    info: Info, input: RenderResumePdfInput
) -> RenderResumePdfPayload:
    actor = info.context.require_actor()
    runtime = info.context.runtime
    from services.render import PdfRenderFailed

    key = None
    try:
        key = decode_resume_id(input.resume_id, "resumeId")
        url, expires_at, result, theme = await letters.resume_pdf_link(
            actor=actor,
            resume_id=key,
            theme=input.theme.value if input.theme else None,
            signer=runtime.files,
            base_url=info.context.meta.base_url,
            keep_for=timedelta(seconds=runtime.settings.file_link_ttl),
        )
    except (ServiceError, PdfRenderFailed) as exc:
        return RenderResumePdfPayload(
            user_errors=user_errors(exc),
            resume=await _asked_resume(info, key, named=True),
        )
    return RenderResumePdfPayload(
        resume=await _asked_resume(info, key, named=True),
        pdf=ResumePdf(
            url=url,
            expires_at=expires_at,
            theme=enum_or(ThemeKey, theme, ThemeKey.CLASSIC),
            content_hash=result.content_hash,
            cached=result.cached,
            pages=result.pages,
            size=len(result.data),
        ),
    )
