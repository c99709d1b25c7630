"""Resolvers of the tailoring domain: job keywords and resume match (cheap,
deterministic, no model call)."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.errors import user_errors
from resolvers.inputs import given_fields
from resolvers.resumes import _resume_id
from schema.context import Info
from schema.tailoring import (
    JobKeywords,
    LlmConfigType,
    ResumeMatch,
    UpdateLlmConfigInput,
    UpdateLlmConfigPayload,
)
from services.errors import ServiceError
from services.llm import config as llm_config
from services.tailoring import service as tailoring


async def job_keywords(info: Info, job_description: str) -> JobKeywords:
    info.context.require_actor()
    keywords = tailoring.keywords_for(job_description=job_description)
    return JobKeywords.from_row(keywords)


async def resume_match(
    info: Info, job_description: str, resume_id: strawberry.ID | None = None
) -> ResumeMatch:
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
    row = await llm_config.get_config(organization_id=actor.organization_id)
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
        )
    except ServiceError as exc:
        return UpdateLlmConfigPayload(user_errors=user_errors(exc))
    return UpdateLlmConfigPayload(llm_config=_config_type(row))
