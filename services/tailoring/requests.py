"""tailorResume's request: the checks (plan, job description, strategy, the
source resume, language), the month's quota, and the PROCESSING resume that the
background run (`services.tailoring.pipeline`) fills; and waiting for its end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.resumes import Resume
from models.tailoring import TailorUsage
from services import entitlements
from services.accounts import Actor
from services.errors import NotFound, PlanRequired, QuotaExceeded, ValidationFailed
from services.llm import config as llm_config
from services.pubsub import PubSub
from services.resumes.lifecycle import channel, check_backpressure
from services.resumes.master import require_ready, source_resume
from services.runs import TERMINAL, QueueLimits
from settings import Settings

MIN_WORDS, MAX_WORDS = 100, 8000
STRATEGIES = ("NUDGE", "KEYWORDS", "FULL")


def _month(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


async def _consume_quota(organization_id: int, limit: int | None) -> None:
    """Count one tailoring call this month, atomically refusing past `limit`."""
    month = _month()
    rows = TailorUsage.filter(organization_id=organization_id, month=month)
    limited = rows if limit is None else rows.filter(count__lt=limit)
    if await limited.update(count=F("count") + 1):
        return
    if not await rows.exists():
        try:
            await TailorUsage.create(
                organization_id=organization_id, month=month, count=1
            )
            return
        except IntegrityError:  # another request created this month's row first
            if await limited.update(count=F("count") + 1):
                return
    raise QuotaExceeded(
        f"This month's {limit} tailoring calls are used; they renew on the 1st "
        "(UTC) or with a larger plan"
    )


async def calls_this_month(organization_id: int) -> int:
    row = await TailorUsage.get_or_none(organization_id=organization_id, month=_month())
    return row.count if row else 0


async def give_back(resume: Resume) -> None:
    """Return a failed run's tailoring call to its month, once."""
    async with in_transaction():
        claimed = await Resume.filter(
            id=resume.id, charged=True, refunded=False
        ).update(refunded=True)
        if claimed:
            await TailorUsage.filter(
                organization_id=resume.organization_id,
                month=_month(resume.created_at),
                count__gt=0,
            ).update(count=F("count") - 1)


def check_job_description(text: str) -> str:
    words = len(text.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        raise ValidationFailed(
            f"jobDescription must be {MIN_WORDS} to {MAX_WORDS} words; it has {words}",
            field=["jobDescription"],
        )
    return text.strip()


def primary_language(tag: str) -> str:
    return tag.split("-", 1)[0].casefold()


async def request_tailoring(
    *,
    actor: Actor,
    settings: Settings,
    resume_id: int | None,
    job_description: str,
    strategy: str | None,
    output_language: str | None,
    generate_pdf: bool,
    limits: QueueLimits | None = None,
) -> Resume:
    """Check everything, count the call, and create the PROCESSING resume that
    the background run fills. The caller enqueues the run. A full job queue
    (`limits`) refuses it with SERVICE_BUSY before the call is counted."""
    org_id = actor.organization_id
    plan = await entitlements.for_organization(organization_id=org_id)
    if not plan.allows("tailoring"):
        raise PlanRequired("Tailoring needs the Starter plan or above")
    job_description = check_job_description(job_description)
    config = await llm_config.get_config(
        organization_id=org_id, default_provider=settings.llm_provider
    )
    strategy = strategy or config.default_strategy
    if strategy not in STRATEGIES:
        raise ValidationFailed(
            "strategy must be NUDGE, KEYWORDS or FULL", field=["strategy"]
        )
    source = await source_resume(organization_id=org_id, resume_id=resume_id)
    require_ready(source, use="tailored")
    language = output_language or config.content_language or source.locale
    if not llm_config.LANGUAGE_RE.match(language):
        raise ValidationFailed(
            "outputLanguage must be a BCP 47 tag such as en or es",
            field=["outputLanguage"],
        )
    translates = primary_language(language) != primary_language(source.locale)
    if translates and not plan.allows("multi_language"):
        raise PlanRequired(
            f"Writing a {source.locale} resume in {language} needs the Pro plan",
            field=["outputLanguage"],
        )
    await check_backpressure(limits=limits)
    await _consume_quota(org_id, plan.tailor_calls_per_month)
    title = source.title or source.filename or "Resume"
    return await Resume.create(
        organization_id=org_id,
        parent_id=source.id,
        title=f"{title} (tailored)"[:200],
        filename=source.filename,
        kind="tailored",
        status="PROCESSING",
        stage="received",
        tags=list(source.tags),
        locale=language,
        charged=True,
        job_description=job_description,
        strategy=strategy,
        output_language=language,
        generate_pdf=generate_pdf,
    )


async def wait_for_end(
    *, actor: Actor, resume_id: int, pubsub: PubSub, within: float
) -> tuple[Resume, bool]:
    """The tailored resume once its run has ended (READY or FAILED), for callers
    that want one request in and the result out, and whether it was still running
    after `within` seconds (it then goes on and can still be followed)."""
    timed_out = False
    async with pubsub.subscribe(channel(resume_id)) as stream:
        try:
            async with asyncio.timeout(within):
                row = await _own(actor, resume_id)
                if row.status not in TERMINAL:
                    async for message in stream:
                        if message["status"] in TERMINAL:
                            break
        except TimeoutError:
            timed_out = True
    return await _own(actor, resume_id), timed_out


async def _own(actor: Actor, resume_id: int) -> Resume:
    row = await Resume.get_or_none(id=resume_id, organization_id=actor.organization_id)
    if row is None:
        raise NotFound("Resume not found", field=["resumeId"])
    return row
