"""Entry points of tailoring that the API calls: job keywords and the match of a
resume to a job description (deterministic; no model call)."""

from __future__ import annotations

from models.resumes import Resume
from services.accounts import Actor
from services.errors import ValidationFailed
from services.resumes import master as master_mod
from services.tailoring.keywords import JobKeywords, extract_keywords
from services.tailoring.match import Match, match_resume

MAX_JOB_DESCRIPTION_WORDS = 8000


NoMasterResume = master_mod.NoMasterResume  # the one definition: services.resumes


def keywords_for(*, job_description: str) -> JobKeywords:
    words = len(job_description.split())
    if words == 0:
        raise ValidationFailed("jobDescription is empty", field=["jobDescription"])
    if words > MAX_JOB_DESCRIPTION_WORDS:
        raise ValidationFailed(
            f"jobDescription is longer than {MAX_JOB_DESCRIPTION_WORDS} words",
            field=["jobDescription"],
        )
    return extract_keywords(job_description=job_description)


async def match_for(
    *, actor: Actor, resume_id: int | None, job_description: str
) -> tuple[Match, JobKeywords]:
    """The match of a resume (default: the master) to a job description."""
    keywords = keywords_for(job_description=job_description)
    org = actor.organization_id
    master = await Resume.get_or_none(organization_id=org, is_master=True)
    resume = await master_mod.source_resume(organization_id=org, resume_id=resume_id)
    data = master_mod.require_ready(resume, use="matched")
    master_data = master.structured_data if master is not None else None
    match = match_resume(resume=data, master=master_data, keywords=keywords)
    return match, keywords
