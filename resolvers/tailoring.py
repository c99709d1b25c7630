"""Resolvers of the tailoring domain: job keywords and resume match (cheap,
deterministic, no model call)."""

from __future__ import annotations

import strawberry

from resolvers.resumes import _resume_id
from schema.context import Info
from schema.tailoring import JobKeywords, ResumeMatch
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
