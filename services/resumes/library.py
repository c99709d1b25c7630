"""The organization's resumes: listing (keyset pages, filters), editing (a JSON
merge patch validated whole), deleting, the master role, and flat display rows."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.resumes import Resume
from services import indexing
from services.accounts import Actor
from services.documents.resumedata import validate_resume_data
from services.errors import NotFound, ValidationFailed
from services.pubsub import PubSub
from services.resumes.intake import clean_tags, get_resume
from services.resumes.lifecycle import channel, event
from services.resumes.master import hand_on_master, lock_organization

# -- reading ---------------------------------------------------------------


async def get_resumes(*, organization_id: int, ids: list[int]) -> list[Resume]:
    return list(await Resume.filter(organization_id=organization_id, id__in=ids))


ORDER_FIELDS = {"UPDATED_AT": "updated_at", "CREATED_AT": "created_at"}


@dataclass(frozen=True, slots=True)
class ResumeFilter:
    status: str | None = None
    tags: tuple[str, ...] = ()
    is_master: bool | None = None
    updated_since: datetime | None = None
    include_master: bool = True


@dataclass(frozen=True, slots=True)
class ResumeOrder:
    field: str = "UPDATED_AT"  # a key of ORDER_FIELDS
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Position:
    """A keyset position: the ordering column's value and the id (tie-break)."""

    value: datetime
    id: int


def position(resume: Resume, order: ResumeOrder) -> Position:
    value: datetime = getattr(resume, ORDER_FIELDS[order.field])
    return Position(value=value, id=resume.id)


def _after(order: ResumeOrder, after: Position) -> Q:
    column = ORDER_FIELDS[order.field]
    op = "lt" if order.descending else "gt"
    beyond: dict[str, Any] = {f"{column}__{op}": after.value}
    same: dict[str, Any] = {column: after.value, f"id__{op}": after.id}
    return Q(**beyond) | Q(**same)


def _filtered(organization_id: int, filter: ResumeFilter) -> QuerySet[Resume]:
    """The organization's resumes that `filter` keeps, tags aside (a JSON list,
    matched in Python by the callers)."""
    query = Resume.filter(organization_id=organization_id)
    if filter.status:
        query = query.filter(status=filter.status)
    if filter.is_master is not None:
        query = query.filter(is_master=filter.is_master)
    if not filter.include_master and filter.is_master is not True:
        query = query.filter(is_master=False)
    if filter.updated_since is not None:
        query = query.filter(updated_at__gte=filter.updated_since)
    return query


async def list_resumes(
    *,
    organization_id: int,
    filter: ResumeFilter,
    first: int,
    after: Position | None = None,
    order: ResumeOrder | None = None,
) -> list[Resume]:
    """Up to `first + 1` rows in `order` (default: newest update first), keyset-
    paginated on (ordering column, id) after the position `after`."""
    order = order or ResumeOrder()
    column = ORDER_FIELDS[order.field]
    sort = ("-" if order.descending else "") + column
    tie = "-id" if order.descending else "id"
    query = _filtered(organization_id, filter)
    if not filter.tags:
        page = query.filter(_after(order, after)) if after else query
        return list(await page.order_by(sort, tie).limit(first + 1))
    # tags are a JSON list: filter in Python over bounded pages
    out: list[Resume] = []
    wanted = {t.lower() for t in filter.tags}
    cursor = after
    while len(out) < first + 1:
        page = query.filter(_after(order, cursor)) if cursor else query
        rows = await page.order_by(sort, tie).limit(200)
        if not rows:
            break
        out.extend(r for r in rows if wanted & set(r.tags))
        cursor = position(rows[-1], order)
    return out[: first + 1]


async def count_resumes(*, organization_id: int, filter: ResumeFilter) -> int:
    """How many resumes `list_resumes` pages through with this filter: one query
    (with tags, a query of the tags column, matched in Python as it does)."""
    query = _filtered(organization_id, filter)
    if not filter.tags:
        return await query.count()
    wanted = {t.lower() for t in filter.tags}
    tags = await query.values_list("tags", flat=True)
    return sum(1 for row in tags if wanted & set(row))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, `null` removes a key,
    anything else (arrays included) replaces the target's value."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


async def update_resume(
    *,
    actor: Actor,
    resume_id: int,
    title: str | None,
    tags: list[str] | None,
    structured_data: Any,
    replace: Collection[str] = (),
    field: str = "structuredData",
) -> Resume:
    """Change the given fields. `structured_data` is a JSON merge patch (RFC 7396)
    applied to the stored document; the merged whole is validated as ResumeData
    and, if anything is wrong, nothing of the update is written. Top-level keys in
    `replace` take the patch's value whole instead of merging (a typed input's
    customSections list); errors name `field`."""
    values: dict[str, Any] = {}
    if title is not None:
        if not title.strip() or len(title) > 200:
            raise ValidationFailed("title must be 1 to 200 characters", field=["title"])
        values["title"] = title.strip()
    if tags is not None:
        values["tags"] = clean_tags(tags)
    if structured_data is not None and not isinstance(structured_data, dict):
        raise ValidationFailed(
            "structuredData must be an object (a JSON merge patch of ResumeData)",
            field=["structuredData"],
        )
    async with in_transaction():
        # the row is locked, so two patches of one resume both apply
        resume = (
            await Resume.select_for_update()
            .filter(id=resume_id, organization_id=actor.organization_id)
            .first()
        )
        if resume is None:
            raise NotFound("Resume not found", field=["id"])
        if structured_data:
            if resume.status == "PROCESSING":
                raise ValidationFailed(
                    "The resume is PROCESSING: its structured data is being written; "
                    "update it once it is READY",
                    field=[field],
                )
            stored = dict(resume.structured_data or {})
            for key in replace:
                stored.pop(key, None)
            merged = merge_patch(stored, structured_data)
            problems = validate_resume_data(merged)
            if problems:
                raise ValidationFailed(
                    problems[0],
                    field=[field],
                    problems=[([field], p) for p in problems[:20]],
                )
            values["structured_data"] = merged
        if values:
            resume.update_from_dict(values)
            await resume.save(update_fields=[*values, "updated_at"])
    return resume


async def delete_resume(
    *, actor: Actor, resume_id: int, pubsub: PubSub
) -> list[Resume]:
    """Delete a resume (its cover letters and outreach go with it). If it was the
    master, the newest READY resume (tailored or not) becomes the master.
    Subscribers of its events get a last one (FAILED, `DELETED`) and their
    stream ends. Returns the resumes whose master flag changed (the successor)."""
    resume = await get_resume(actor=actor, resume_id=resume_id)
    successor: int | None = None
    async with in_transaction():
        await lock_organization(actor.organization_id)
        await resume.delete()
        if resume.is_master:
            successor = await hand_on_master(actor.organization_id)
    resume.update_from_dict(
        {
            "status": "FAILED",
            "stage": "deleted",
            "progress": 100,
            "error_code": "DELETED",
            "error_message": "The resume was deleted",
        }
    )
    await pubsub.publish(channel(resume_id), event(resume))
    if successor is None:
        return []
    return await Resume.filter(organization_id=actor.organization_id, id=successor)


async def set_master(*, actor: Actor, resume_id: int) -> list[Resume]:
    """Make a resume the master. Returns every resume whose master flag changed:
    the new master first, then the former one (none when it already was)."""
    resume = await get_resume(actor=actor, resume_id=resume_id)
    async with in_transaction():
        await lock_organization(actor.organization_id)
        former = await Resume.filter(
            organization_id=actor.organization_id, is_master=True
        ).exclude(id=resume.id)
        await Resume.filter(
            organization_id=actor.organization_id, is_master=True
        ).update(is_master=False)
        await Resume.filter(id=resume.id).update(is_master=True)
    resume.is_master = True
    for row in former:
        row.is_master = False
    await indexing.changed(organization_id=actor.organization_id)
    return [resume, *former]


# -- flat display rows -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResumeRow:
    resume_id: int
    title: str
    status: str
    name: str
    email: str
    job_title: str
    current_company: str
    skills: list[str]
    years_of_experience: float | None
    tags: list[str]
    is_master: bool
    updated_at: datetime


YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")


def years_of_experience(data: dict[str, Any]) -> float | None:
    """From the earliest year in work experience to the latest (or now)."""
    years: list[int] = []
    present = False
    for job in data.get("workExperience") or []:
        text = str(job.get("years") or "")
        years.extend(int(m.group(0)) for m in YEAR_RE.finditer(text))
        present = present or bool(re.search(r"present|current|now", text, re.I))
    if not years:
        return None
    end = datetime.now().year if present else max(years)
    return float(max(0, end - min(years)))


def display_row(resume: Resume) -> ResumeRow:
    data = resume.structured_data or {}
    info = data.get("personalInfo") or {}
    jobs = data.get("workExperience") or []
    first_job = jobs[0] if jobs else {}
    skills = (data.get("additional") or {}).get("technicalSkills") or []
    return ResumeRow(
        resume_id=resume.id,
        title=resume.title,
        status=resume.status,
        name=str(info.get("name") or ""),
        email=str(info.get("email") or ""),
        job_title=str(info.get("title") or first_job.get("title") or ""),
        current_company=str(first_job.get("company") or ""),
        skills=[str(s) for s in skills][:50],
        years_of_experience=years_of_experience(data),
        tags=list(resume.tags),
        is_master=resume.is_master,
        updated_at=resume.updated_at,
    )
