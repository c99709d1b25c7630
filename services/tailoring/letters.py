"""Cover letters and outreach messages of a resume: generate, regenerate in place,
read, list and delete. A letter is grounded like a tailored resume: a sentence
stating a skill, number or name that the user's own resumes do not have is
removed and reported; the employer and the role come from the job description.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from tortoise.functions import Count

from models.resumes import Resume
from models.tailoring import Letter
from services import entitlements, profiles, rows
from services.accounts import Actor
from services.errors import NoJobDescription, NotFound, PlanRequired, ValidationFailed
from services.llm import config as llm_config
from services.resumes.master import require_ready
from services.tailoring import refine
from services.tailoring.engines import LlmUnavailable, TailorEngine, engine_for
from services.tailoring.jobinfo import job_info
from services.tailoring.keywords import extract_keywords
from settings import Settings

log = logging.getLogger(__name__)

KINDS = {"COVER_LETTER": "cover_letters", "OUTREACH": "outreach"}
MAX_WORDS = 8000


async def theme_for(organization_id: int) -> str:
    """The organization's effective profile theme (premium ones need the plan)."""
    profile = await profiles.get_profile(organization_id=organization_id)
    plan = (await entitlements.for_organization(organization_id=organization_id)).plan
    return profiles.theme_state(profile, plan.id).effective_theme_id


async def _evidence(resume: Resume, *allowed: str | None) -> refine.Evidence:
    master = await Resume.get_or_none(
        organization_id=resume.organization_id, is_master=True
    )
    documents = [resume.structured_data or {}]
    if master is not None and master.id != resume.id and master.structured_data:
        documents.append(master.structured_data)
    return refine.Evidence(*documents, allowed=allowed)


async def _write(
    letter: Letter,
    *,
    resume: Resume,
    data: Mapping[str, Any],
    engine: TailorEngine,
) -> None:
    """Draft with `engine`, then drop what the evidence does not back."""
    job = job_info(letter.job_description)
    keywords = extract_keywords(job_description=letter.job_description)
    drafted = await engine.letter(
        kind=letter.kind,
        resume=data,
        job=job,
        keywords=keywords,
        language=letter.language,
        job_description=letter.job_description,
    )
    evidence = await _evidence(resume, job.company, job.title)
    content, removed = refine.align_text(
        drafted.content, evidence=evidence, location="content"
    )
    subject, removed_subject = refine.align_text(
        drafted.subject, evidence=evidence, location="subject"
    )
    letter.content = content
    letter.subject = subject[:200]
    letter.company = (job.company or "")[:200]
    letter.job_title = (job.title or "")[:200]
    letter.engine = engine.name
    letter.removed = [v.as_dict() for v in (*removed, *removed_subject)]
    letter.warnings = (
        [f"{len(letter.removed)} unsupported statement(s) removed"]
        if letter.removed
        else []
    )


async def write_automatic(
    *, resume: Resume, data: Mapping[str, Any], engine: TailorEngine, settings: Settings
) -> list[str]:
    """During tailoring: the letters the organization's settings ask for (and its
    plan allows). A letter that fails is a warning, not a failed resume."""
    org_id = resume.organization_id
    config = await llm_config.get_config(
        organization_id=org_id, default_provider=settings.llm_provider
    )
    plan = await entitlements.for_organization(organization_id=org_id)
    wanted = [
        kind
        for kind, enabled in (
            ("COVER_LETTER", config.enable_cover_letter),
            ("OUTREACH", config.enable_outreach),
        )
        if enabled and plan.allows(KINDS[kind])
    ]
    warnings = []
    for kind in wanted:
        letter = Letter(
            organization_id=org_id,
            resume_id=resume.id,
            kind=kind,
            job_description=resume.job_description or "",
            language=resume.output_language or "en",
        )
        try:
            await _write(letter, resume=resume, data=data, engine=engine)
        except LlmUnavailable as exc:
            warnings.append(
                f"The {kind.lower().replace('_', ' ')} was not written: {exc.message}"
            )
            continue
        await letter.save()
    return warnings


async def _ready_resume(actor: Actor, resume_id: int) -> Resume:
    resume = await Resume.get_or_none(
        id=resume_id, organization_id=actor.organization_id
    )
    if resume is None:
        raise NotFound("Resume not found", field=["resumeId"])
    require_ready(resume, use="written letters for")
    return resume


def _job_description(given: str | None, resume: Resume) -> str:
    text = (given or "").strip() or (resume.job_description or "").strip()
    if not text:
        raise NoJobDescription(
            "Pass jobDescription: this resume has no job description of its own",
            field=["jobDescription"],
        )
    if len(text.split()) > MAX_WORDS:
        raise ValidationFailed(
            f"jobDescription is longer than {MAX_WORDS} words", field=["jobDescription"]
        )
    return text


async def _check_plan(actor: Actor, kind: str) -> None:
    plan = await entitlements.for_organization(organization_id=actor.organization_id)
    if not plan.allows(KINDS[kind]):
        what = "Cover letters" if kind == "COVER_LETTER" else "Outreach messages"
        raise PlanRequired(f"{what} need the Starter plan or above")


async def _write_on_request(
    letter: Letter, *, resume: Resume, settings: Settings
) -> Letter:
    """Write `letter` from the resume with the organization's engine, and save it."""
    engine = await engine_for(organization_id=letter.organization_id, settings=settings)
    await _write(
        letter, resume=resume, data=resume.structured_data or {}, engine=engine
    )
    await letter.save()
    return letter


async def generate(
    *,
    actor: Actor,
    settings: Settings,
    kind: str,
    resume_id: int,
    job_description: str | None,
    language: str | None,
) -> Letter:
    await _check_plan(actor, kind)
    resume = await _ready_resume(actor, resume_id)
    text = _job_description(job_description, resume)
    language = language or resume.output_language or resume.locale or "en"
    if not llm_config.LANGUAGE_RE.match(language):
        raise ValidationFailed("language must be a BCP 47 tag", field=["language"])
    letter = Letter(
        organization_id=actor.organization_id,
        resume_id=resume.id,
        kind=kind,
        job_description=text,
        language=language,
    )
    return await _write_on_request(letter, resume=resume, settings=settings)


async def get_letter(*, actor: Actor, kind: str, letter_id: int) -> Letter:
    letter = await Letter.get_or_none(
        id=letter_id, organization_id=actor.organization_id, kind=kind
    )
    if letter is None:
        raise NotFound("Not found", field=["id"])
    return letter


async def get_letters(*, organization_id: int, ids: list[int]) -> list[Letter]:
    return await Letter.filter(organization_id=organization_id, id__in=ids)


async def regenerate(
    *,
    actor: Actor,
    settings: Settings,
    kind: str,
    letter_id: int,
    job_description: str | None,
) -> Letter:
    """Write the letter again in place (same id). Without a job description it
    is written for the resume's stored one (Refleum), not the letter's: a
    resume without one answers NO_JOB_DESCRIPTION and the letter stays as it
    was."""
    await _check_plan(actor, kind)
    letter = await get_letter(actor=actor, kind=kind, letter_id=letter_id)
    resume = await _ready_resume(actor, letter.resume_id)
    letter.job_description = _job_description(job_description, resume)
    return await _write_on_request(letter, resume=resume, settings=settings)


async def delete(*, actor: Actor, kind: str, letter_id: int) -> int:
    letter = await get_letter(actor=actor, kind=kind, letter_id=letter_id)
    await letter.delete()
    return letter_id


async def list_letters(
    *, organization_id: int, resume_id: int, kind: str, after: int | None, limit: int
) -> list[Letter]:
    """Newest first, keyset on id: `limit` rows after the cursor id."""
    query = Letter.filter(
        organization_id=organization_id, resume_id=resume_id, kind=kind
    )
    if after is not None:
        query = query.filter(id__lt=after)
    return await query.order_by("-id").limit(limit)


async def letters_of_resumes(
    *,
    organization_id: int,
    resume_ids: list[int],
    kind: str,
    after: int | None,
    limit: int,
    backward: bool = False,
) -> dict[int, list[Letter]]:
    """`list_letters` for many resumes in one query: per resume, newest first,
    `limit` rows after the cursor id (a window numbering each resume's rows);
    `backward`: oldest first, `limit` rows newer than the cursor id."""
    if not resume_ids:
        return {}
    conn = Letter._meta.db
    # in the order the placeholders appear (SQLite's `?` are positional)
    args: list[Any] = [organization_id, kind, *resume_ids]
    if after is not None:
        args.append(after)
    args.append(limit)
    marks = _placeholders(conn.capabilities.dialect, len(args))
    where = (
        f'"organization_id" = {marks[0]} AND "kind" = {marks[1]} '
        f'AND "resume_id" IN ({", ".join(marks[2 : 2 + len(resume_ids)])})'
    )
    if after is not None:
        where += f' AND "id" {">" if backward else "<"} {marks[-2]}'
    columns = rows.select_columns(Letter)
    sort = "ASC" if backward else "DESC"
    sql = (
        f"SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER "  # noqa: S608
        f'(PARTITION BY "resume_id" ORDER BY "id" {sort}) AS "n" '
        f'FROM "{Letter._meta.db_table}" WHERE {where}) AS "page" '
        f'WHERE "n" <= {marks[-1]} ORDER BY "resume_id", "id" {sort}'
    )
    found: dict[int, list[Letter]] = {i: [] for i in resume_ids}
    for letter in rows.from_db(Letter, await conn.execute_query_dict(sql, args)):
        found[letter.resume_id].append(letter)
    return found


async def count_letters_of_resumes(
    *, organization_id: int, resume_ids: list[int], kind: str
) -> dict[int, int]:
    """How many letters of `kind` each resume has: one grouped COUNT query."""
    counted = (
        await Letter.filter(
            organization_id=organization_id, resume_id__in=resume_ids, kind=kind
        )
        .annotate(n=Count("id"))
        .group_by("resume_id")
        .values_list("resume_id", "n")
    )
    found = {int(resume): int(n) for resume, n in counted}
    return {i: found.get(i, 0) for i in resume_ids}


def _placeholders(dialect: str, n: int) -> list[str]:
    return ["?"] * n if dialect == "sqlite" else [f"${i}" for i in range(1, n + 1)]


async def resume_pdf_link(
    *,
    actor: Actor,
    resume_id: int,
    theme: str | None,
    signer: Any,
    base_url: str,
    keep_for: timedelta,
) -> tuple[str, datetime, Any, str]:
    """A signed link to a READY resume's PDF, in the given theme or the profile's;
    premium themes need a plan that has them. Returns (url, expiry, rendering,
    theme)."""
    from services import render

    resume = await _ready_resume(actor, resume_id)
    plan = await entitlements.for_organization(organization_id=actor.organization_id)
    chosen = theme or await theme_for(actor.organization_id)
    option = profiles.THEMES_BY_ID.get(chosen)
    if option is None:
        raise ValidationFailed(
            f"theme must be one of {', '.join(render.THEME_IDS)}", field=["theme"]
        )
    if option.premium and not plan.allows("premium_themes"):
        raise PlanRequired(
            f"The {option.name} theme needs the Starter plan or above", field=["theme"]
        )
    base = resume.title or resume.filename.rsplit(".", 1)[0] or "resume"
    url, expires_at, result = await render.resume_pdf_link(
        signer=signer,
        base_url=base_url,
        organization_id=actor.organization_id,
        data=resume.structured_data or {},
        theme=chosen,
        language=resume.output_language or resume.locale or "en",
        filename=f"{base}.pdf",
        keep_for=keep_for,
    )
    if resume.pdf_hash != result.content_hash:
        await Resume.filter(id=resume.id).update(pdf_hash=result.content_hash)
    return url, expires_at, result, chosen
