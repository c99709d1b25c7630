"""tailorResume: the request (checks, quota, a new PROCESSING resume) and the
background run that fills it, stage by stage, on the resume's event channel.

Stages: queued (while the organization's runs use its slots), keywords, plan,
rewrite, safety_nets, pass_1, pass_2, pass_3, letters, render, then done (READY)
or failed (FAILED). A run claims the resume by raising `attempts`, as parsing
does, so a requeued duplicate supersedes the older run.

Slots: below Pro an organization runs one tailoring at a time, on Pro and above
(`parallel_generation`) up to `PARALLEL_RUNS`. A run that finds no free slot
(first come, first served) is left in stage `queued` and its job ends; a run
that ends wakes the oldest queued ones of its organization. The claim and the
wake-up take the organization's lock, so no run is started twice or forgotten.
The whole run has a hard timeout (`TAILOR_TIMEOUT`, 240 s): past it the resume
is FAILED with TIMEOUT. A failure that is not the client's gives the month's
tailoring call back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.resumes import Resume
from services import entitlements
from services.documents.resumedata import validate_resume_data
from services.errors import (
    NotFound,
    ValidationFailed,
)
from services.pubsub import PubSub
from services.resumes.lifecycle import (
    RUNS,
    channel,
    event,
    fail,
    publish,
    set_stage,
)
from services.resumes.master import lock_organization
from services.runs import MAX_ATTEMPTS, WAITING_STAGES, RunKind, Superseded
from services.tailoring import letters, refine
from services.tailoring.engines import LlmUnavailable, engine_for
from services.tailoring.keywords import JobKeywords, extract_keywords
from services.tailoring.match import match_resume, resume_text
from services.tailoring.report import RefinementReport
from services.tailoring.requests import (
    calls_this_month,
    give_back,
    primary_language,
    request_tailoring,
    wait_for_end,
)
from settings import Settings

log = logging.getLogger(__name__)

PARALLEL_RUNS = 4  # tailoring runs at once of an organization with Pro's feature


@dataclass(slots=True)
class TailorDeps:
    pubsub: PubSub
    settings: Settings
    # queues a run (the process's `Jobs.enqueue_tailor`): wakes queued runs
    enqueue: Callable[[int], Awaitable[None]] | None = None


# -- the run ---------------------------------------------------------------------------

_STAGES = {
    "keywords": 10,
    "plan": 20,
    "rewrite": 30,
    "safety_nets": 50,
    "pass_1": 60,
    "pass_2": 70,
    "pass_3": 80,
    "letters": 88,
    "render": 94,
}
CLIENT_FAULTS = frozenset({"NOT_FOUND", "VALIDATION_ERROR"})
TAILOR = RunKind("tailor", refund=give_back, client_faults=CLIENT_FAULTS)


async def _fail(
    deps: TailorDeps, resume: Resume, *, attempt: int, code: str, message: str
) -> str:
    return await fail(
        TAILOR, deps.pubsub, resume, attempt=attempt, code=code, message=message
    )


async def tailor(*, resume_id: int, deps: TailorDeps) -> str:
    """Run (or re-run) one tailoring when its organization has a free slot;
    returns the final status, or QUEUED when it waits its turn."""
    row = await Resume.get_or_none(id=resume_id)
    if row is None or row.status != "PROCESSING":
        return row.status if row else "GONE"
    try:
        if row.stage in WAITING_STAGES:
            claimed = await _take_slot(row, deps)
            if claimed is None:
                return "QUEUED"
        else:  # a requeued run (its worker died): it takes over its own slot
            claimed = await _claim(row, deps)
        resume = await Resume.get_or_none(id=resume_id)
        if resume is None or resume.status != "PROCESSING":
            status = resume.status if resume else "GONE"  # deleted meanwhile
        else:
            status = await _execute(resume, claimed=claimed, deps=deps)
    except Superseded:  # a newer run owns it, or the resume was deleted
        log.info("tailoring of resume %s superseded by a newer run", resume_id)
        status = "SUPERSEDED"
    await wake_queued(organization_id=row.organization_id, deps=deps)
    return status


async def parallel_limit(organization_id: int) -> int:
    entitlement = await entitlements.for_organization(organization_id=organization_id)
    allowed = entitlement.allows("parallel_generation")
    return PARALLEL_RUNS if allowed else 1


def _runs(organization_id: int) -> Any:
    return Resume.filter(
        organization_id=organization_id, kind="tailored", status="PROCESSING"
    )


async def _running(organization_id: int, *, besides: int = 0) -> int:
    count: int = (
        await _runs(organization_id)
        .exclude(stage__in=WAITING_STAGES)
        .exclude(id=besides)
        .count()
    )
    return count


_STARTED: dict[str, Any] = {"stage": "keywords", "progress": 10}


async def _take_slot(row: Resume, deps: TailorDeps) -> bool | None:
    """Start the run if its organization has a free slot and no older run waits
    (first come, first served): True when claimed, False when it has used its
    attempts; None when it waits, in stage `queued`."""
    org_id = row.organization_id
    async with in_transaction():
        await lock_organization(org_id)
        limit = await parallel_limit(org_id)
        ahead = await (
            _runs(org_id).filter(stage__in=WAITING_STAGES, id__lt=row.id).count()
        )
        if await _running(org_id, besides=row.id) + ahead < limit:
            claimed = await RUNS.claim(
                row.id, where={"stage__in": WAITING_STAGES}, **_STARTED
            )
            queued = False
        else:
            claimed = False
            queued = bool(
                await Resume.filter(
                    id=row.id, status="PROCESSING", stage="received"
                ).update(stage="queued", progress=0, updated_at=datetime.now(UTC))
            )
    # events after the commit: a subscriber that reads the row sees them too
    if claimed:
        await publish(deps.pubsub, row, **_STARTED, attempts=row.attempts + 1)
        return True
    if queued:
        await publish(deps.pubsub, row, stage="queued", progress=0)
        return None
    if row.stage in WAITING_STAGES and row.attempts >= MAX_ATTEMPTS:
        return False
    return None  # still queued, or another job took it meanwhile


async def _claim(row: Resume, deps: TailorDeps) -> bool:
    claimed = await RUNS.claim(row.id, **_STARTED)
    if claimed:
        await publish(deps.pubsub, row, **_STARTED, attempts=row.attempts + 1)
    return claimed


async def wake_queued(*, organization_id: int, deps: TailorDeps) -> list[int]:
    """After a run ended: send the oldest queued runs of the organization, as
    many as it has free slots, back to the queue (each exactly once: the stage
    moves from `queued` to `received` under the organization's lock)."""

    woken: list[int] = []
    async with in_transaction():
        await lock_organization(organization_id)
        free = await parallel_limit(organization_id) - await _running(organization_id)
        if free > 0:
            ids = (
                await _runs(organization_id)
                .filter(stage="queued")
                .order_by("id")
                .limit(free)
                .values_list("id", flat=True)
            )
            for resume_id in ids:
                if await Resume.filter(id=resume_id, stage="queued").update(
                    stage="received"
                ):
                    woken.append(int(resume_id))
    for resume_id in woken:
        if deps.enqueue is not None:
            await deps.enqueue(resume_id)
    return woken


async def _execute(resume: Resume, *, claimed: bool, deps: TailorDeps) -> str:
    attempt = resume.attempts
    if not claimed:
        return await _fail(
            deps,
            resume,
            attempt=attempt,
            code="INTERNAL_ERROR",
            message="Tailoring failed repeatedly; try again later",
        )
    try:
        async with asyncio.timeout(deps.settings.tailor_timeout):
            await _run(resume, attempt=attempt, deps=deps)
        return "READY"
    except TimeoutError:
        code, message = (
            "TIMEOUT",
            (f"Tailoring took longer than {deps.settings.tailor_timeout:g} s"),
        )
    except LlmUnavailable as exc:
        code, message = exc.code, exc.message
    except (NotFound, ValidationFailed) as exc:
        code, message = exc.code, exc.message
    except Superseded:
        raise
    except Exception:
        log.exception("tailoring of resume %s failed", resume.id)
        code, message = "INTERNAL_ERROR", "Tailoring failed unexpectedly"
    return await _fail(deps, resume, attempt=attempt, code=code, message=message)


async def _stage(deps: TailorDeps, resume: Resume, attempt: int, name: str) -> None:
    await set_stage(
        deps.pubsub, resume, attempt=attempt, stage=name, progress=_STAGES[name]
    )


async def _run(resume: Resume, *, attempt: int, deps: TailorDeps) -> None:
    org_id = resume.organization_id
    source = await Resume.get_or_none(id=resume.parent_id, organization_id=org_id)
    if source is None or not source.structured_data:
        raise NotFound("The resume being tailored was deleted")
    master = await Resume.get_or_none(organization_id=org_id, is_master=True)
    master_data = master.structured_data if master and master.structured_data else None
    source_data: dict[str, Any] = source.structured_data
    evidence = refine.Evidence(*(d for d in (master_data, source_data) if d))
    job_description = resume.job_description or ""
    language = resume.output_language or "en"
    strategy = resume.strategy or "NUDGE"

    # stage `keywords` was set by the claim
    keywords: JobKeywords = extract_keywords(job_description=job_description)
    await _stage(deps, resume, attempt, "plan")
    before = match_resume(resume=source_data, master=master_data, keywords=keywords)
    await _stage(deps, resume, attempt, "rewrite")
    engine = await engine_for(organization_id=org_id, settings=deps.settings)
    draft = await engine.rewrite(
        source=source_data,
        keywords=keywords,
        strategy=strategy,
        language=language,
        job_description=job_description,
    )
    warnings: list[str] = []
    translates = primary_language(language) != primary_language(source.locale)
    if engine.name == "offline" and translates:
        warnings.append(
            "The offline engine does not translate: the content stays in "
            + source.locale
        )
    await _stage(deps, resume, attempt, "safety_nets")
    data, structural = refine.safety_nets(draft, source=source_data, evidence=evidence)
    await _stage(deps, resume, attempt, "pass_1")
    injected = refine.inject_keywords(data, evidence=evidence, keywords=keywords)
    await _stage(deps, resume, attempt, "pass_2")
    phrases = refine.remove_ai_phrases(data, job_description=job_description)
    await _stage(deps, resume, attempt, "pass_3")
    invented = refine.align(data, source=source_data, evidence=evidence)
    problems = validate_resume_data(data)
    if problems:
        raise RuntimeError("tailored resume is not valid ResumeData: " + problems[0])
    after = match_resume(resume=data, master=master_data, keywords=keywords)
    refinement = RefinementReport(
        passes_completed=3,
        injected_keywords=injected,
        ai_phrases_removed=phrases,
        violations=[*structural, *invented],
        before=before,
        after=after,
        engine=engine.name,
    ).to_stored()
    await _stage(deps, resume, attempt, "letters")
    warnings += await letters.write_automatic(
        resume=resume, data=data, engine=engine, settings=deps.settings
    )
    await _stage(deps, resume, attempt, "render")
    pdf_hash = None
    if resume.generate_pdf:
        from services import render

        theme = await letters.theme_for(org_id)
        try:
            rendered = await render.resume_pdf(
                organization_id=org_id, data=data, theme=theme, language=language
            )
            pdf_hash = rendered.content_hash
        except render.PdfRenderFailed as exc:
            warnings.append(f"PDF_RENDER_FAILED: {exc.message}")
    await set_stage(
        deps.pubsub,
        resume,
        attempt=attempt,
        stage="done",
        progress=100,
        status="READY",
        structured_data=data,
        text=resume_text(data),
        job_keywords=asdict(keywords),
        refinement=refinement,
        engine=engine.name,
        warnings=warnings,
        pdf_hash=pdf_hash,
        error_code=None,
        error_message=None,
        master_rule=True,
    )


__all__ = [
    "TailorDeps",
    "calls_this_month",
    "channel",
    "event",
    "request_tailoring",
    "tailor",
    "wait_for_end",
]
