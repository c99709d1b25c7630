"""Resumes: upload (one credit, charged once), background parsing with live
progress, the master resume, listing and editing, and flat display rows.

Parsing runs as a job (`services.queue.parse_resume`) that takes the resume id,
is idempotent, and publishes each stage on `resume:{id}` after the stage's state is
committed, so a subscriber that reads the row first and then listens never misses
the end. Errors of the file itself (encrypted, corrupt, too many pages...) end the
resume FAILED with their code; server-side failures (timeout, crash, model down
with no fallback) also refund the credit.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models.accounts import Organization
from models.resumes import Resume
from services import billing, indexing
from services.accounts import Actor
from services.documents.confidence import field_warnings
from services.documents.extract import DocumentError, sniff
from services.documents.resumedata import validate_resume_data
from services.errors import NotFound, ServiceBusy, ServiceError, ValidationFailed
from services.pubsub import PubSub

log = logging.getLogger("careergraph.resumes")

UPLOAD_COST = 1
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_ATTEMPTS = 3
LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$")
TERMINAL = ("READY", "FAILED")
# failures of the file itself: the credit is not refunded
CLIENT_FAULTS = frozenset(
    {
        "UNSUPPORTED_MEDIA_TYPE",
        "EMPTY_FILE",
        "ENCRYPTED_PDF",
        "CORRUPT_FILE",
        "TOO_MANY_PAGES",
        "ARCHIVE_TOO_LARGE",
        "INVALID_JSON",
        "JSON_TOO_DEEP",
        "NO_TEXT",
        "IMAGE_TOO_LARGE",
    }
)


class PayloadTooLarge(ServiceError):
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(ServiceError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class DuplicateUpload(ServiceError):
    code = "DUPLICATE_UPLOAD"

    def __init__(self, message: str, *, existing: Resume) -> None:
        super().__init__(message, field=["file"])
        self.existing = existing


@dataclass(slots=True)
class UploadedFile:
    """A file part of a multipart request, read up to the size limit only."""

    filename: str
    content_type: str
    data: bytes
    too_large: bool = False
    limit: int = 0


def _size(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count >= 1024:
        return f"{count / 1024:g} KiB"
    return f"{count} bytes"


# -- events ----------------------------------------------------------------------------


def channel(resume_id: int) -> str:
    return f"resume:{resume_id}"


def event(resume: Resume) -> dict[str, Any]:
    return {
        "resume_id": resume.id,
        "status": resume.status,
        "stage": resume.stage,
        "progress": resume.progress,
        "error_code": resume.error_code,
        "error_message": resume.error_message,
    }


class Superseded(Exception):
    """Another run owns the resume now (a retry or a requeued job): stop quietly."""


async def set_stage(
    pubsub: PubSub,
    resume: Resume,
    *,
    attempt: int,
    stage: str,
    progress: int,
    master_rule: bool = False,
    **values: Any,
) -> None:
    """Write a stage if this run (`attempt`) still owns the resume, then publish.
    With `master_rule` (a run ending), the organization's master is handed on if
    need be in the same transaction, so no one sees the end without it."""
    changes = {"stage": stage, "progress": progress, **values}
    if master_rule:
        async with in_transaction():
            await lock_organization(resume.organization_id)
            await _write_stage(resume, attempt, changes)
            await _hand_on_master(resume.organization_id)
    else:
        await _write_stage(resume, attempt, changes)
    resume.update_from_dict(changes)
    await pubsub.publish(channel(resume.id), event(resume))


async def _write_stage(resume: Resume, attempt: int, changes: dict[str, Any]) -> None:
    updated = await Resume.filter(
        id=resume.id, status="PROCESSING", attempts=attempt
    ).update(**changes, updated_at=datetime.now(UTC))
    if not updated:
        raise Superseded(resume.id)


# -- backpressure and the organization's lock ------------------------------------------

WAITING_STAGES = ("received", "queued")  # a job that has not started yet


@dataclass(frozen=True, slots=True)
class QueueLimits:
    max_pending: int  # jobs allowed to wait at once (parses and tailoring runs)
    retry_after: int  # seconds a refused client is told to wait


async def pending_jobs() -> int:
    """Jobs of every organization that wait for a worker: PROCESSING resumes
    (parses and tailoring runs) whose run has not started."""
    return await Resume.filter(status="PROCESSING", stage__in=WAITING_STAGES).count()


async def check_backpressure(*, limits: QueueLimits | None) -> None:
    """Refuse new work (SERVICE_BUSY) while `max_pending` jobs already wait:
    checked before anything is charged."""
    if limits is None:
        return
    if await pending_jobs() >= limits.max_pending:
        raise ServiceBusy(
            f"The job queue is full ({limits.max_pending} jobs waiting); try again "
            f"in {limits.retry_after} s",
            retry_after=limits.retry_after,
        )


async def lock_organization(organization_id: int) -> None:
    """Serialize, until the transaction ends, the writes of one organization that
    read before they write (the master, tailoring slots). PostgreSQL locks the
    organization's row; SQLite runs one write transaction at a time anyway."""
    await (
        Organization.select_for_update(no_key=True)
        .filter(id=organization_id)
        .only("id")
        .first()
    )


# -- upload ----------------------------------------------------------------------------


def _clean_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        value = tag.strip().lower()
        if not value:
            continue
        if len(value) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                f"Tags are at most {MAX_TAG_LENGTH} characters", field=["tags"]
            )
        if value not in out:
            out.append(value)
    if len(out) > MAX_TAGS:
        raise ValidationFailed(f"At most {MAX_TAGS} tags", field=["tags"])
    return out


def _clean_locale(locale: str | None) -> str:
    """A BCP 47 tag (`en`, `pt-BR`, `zh-Hant-TW`); resumAI's `en_US` form is
    accepted and stored as `en-US`, with the usual case of each part."""
    if locale is None or not locale.strip():
        return "en"
    if not LOCALE_RE.match(locale.strip()):
        raise ValidationFailed(
            "locale must be a BCP 47 language tag such as en, pt-BR or en_US",
            field=["locale"],
        )
    language, *rest = locale.strip().replace("_", "-").split("-")
    parts = [language.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())  # script: Hant
        elif len(part) == 2 and part.isalpha():
            parts.append(part.upper())  # region: US
        else:
            parts.append(part.lower())  # region 419, variants
    return "-".join(parts)


def accept_file(file: UploadedFile) -> str:
    """The file's kind (pdf, docx, json, by content), or the error refusing it."""
    if file.too_large:
        raise PayloadTooLarge(
            f"The file is larger than the limit of {_size(file.limit)}", field=["file"]
        )
    if not file.data:
        raise ValidationFailed("The file is empty", field=["file"])
    kind = sniff(file.data)
    if kind is None:
        raise UnsupportedMediaType(
            "Only PDF, DOCX, JSON, PNG and JPEG resumes are accepted (decided by "
            "the content, not the file name)",
            field=["file"],
        )
    return kind


async def upload_resume(
    *,
    actor: Actor,
    file: UploadedFile,
    set_as_master: bool,
    tags: list[str],
    locale: str | None,
    title: str | None,
    limits: QueueLimits | None = None,
) -> Resume:
    """Store the file and charge one credit; parsing is queued by the caller
    (`enqueue_parse`) once this returns, i.e. after the commit. When the queue
    is full (`limits`) nothing is stored or charged: SERVICE_BUSY."""
    kind = accept_file(file)
    clean_tags = _clean_tags(tags)
    clean_locale = _clean_locale(locale)
    name = (title or "").strip() or file.filename.strip() or f"resume.{kind}"
    if len(name) > 200:
        raise ValidationFailed("title is at most 200 characters", field=["title"])
    digest = hashlib.sha256(file.data).hexdigest()
    existing = await Resume.get_or_none(
        organization_id=actor.organization_id, sha256=digest
    )
    if existing is not None:
        raise DuplicateUpload("This file was uploaded already", existing=existing)
    await check_backpressure(limits=limits)
    try:
        async with in_transaction():
            await lock_organization(actor.organization_id)
            await billing.change_credits(
                organization_id=actor.organization_id,
                delta=-UPLOAD_COST,
                reason="resume_upload",
            )
            has_master = await Resume.filter(
                organization_id=actor.organization_id, is_master=True
            ).exists()
            master = set_as_master or not has_master
            if master and has_master:
                await Resume.filter(
                    organization_id=actor.organization_id, is_master=True
                ).update(is_master=False)
            resume = await Resume.create(
                organization_id=actor.organization_id,
                title=name,
                filename=file.filename[:255],
                kind=kind,
                size=len(file.data),
                sha256=digest,
                source=file.data,
                status="PROCESSING",
                stage="received",
                progress=0,
                is_master=master,
                tags=clean_tags,
                locale=clean_locale,
                charged=True,
            )
    except IntegrityError:  # the same file, uploaded concurrently
        existing = await Resume.get(
            organization_id=actor.organization_id, sha256=digest
        )
        raise DuplicateUpload(
            "This file was uploaded already", existing=existing
        ) from None
    return resume


# -- parsing ---------------------------------------------------------------------------


class Engine(Protocol):
    """Turns extracted text into ResumeData (a model); None means offline only."""

    name: str

    async def structure_resume(self, *, text: str) -> dict[str, Any]: ...


@dataclass(slots=True)
class ParseDeps:
    pubsub: PubSub
    timeout: float = 30.0
    memory_mb: int = 1024
    engine: Engine | None = None
    # the model of an organization (its own settings, else the instance's), when
    # given; takes the place of `engine`
    models: Callable[[int], Awaitable[Engine | None]] | None = None
    fault_delay: float = 0.0  # tests only: simulates a long job to crash
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))


async def _fail(
    deps: ParseDeps, resume: Resume, *, attempt: int, code: str, message: str
) -> None:
    await set_stage(
        deps.pubsub,
        resume,
        attempt=attempt,
        stage="failed",
        progress=100,
        status="FAILED",
        error_code=code,
        error_message=message[:500],
        master_rule=resume.is_master,
    )
    if code not in CLIENT_FAULTS:
        await refund(resume)


async def refund(resume: Resume) -> None:
    """Give the upload's credit back, once (flag and ledger in one transaction)."""
    async with in_transaction():
        claimed = await Resume.filter(
            id=resume.id, charged=True, refunded=False
        ).update(refunded=True)
        if claimed:
            await billing.change_credits(
                organization_id=resume.organization_id,
                delta=UPLOAD_COST,
                reason="resume_parse_refund",
            )


async def parse(*, resume_id: int, deps: ParseDeps) -> str:
    """Run (or re-run) the parse of one resume; returns its final status.

    Each run claims the resume by raising `attempts`, and writes every stage only
    while `attempts` is still its own: a duplicate or requeued run takes over and
    the older one stops without writing or publishing anything more."""
    try:
        return await _parse(resume_id=resume_id, deps=deps)
    except Superseded:
        log.info("parse of resume %s superseded by a newer run", resume_id)
        return "SUPERSEDED"


async def _parse(*, resume_id: int, deps: ParseDeps) -> str:
    from services.documents.sandbox import parse_in_sandbox

    claimed = await Resume.filter(
        id=resume_id, status="PROCESSING", attempts__lt=MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1, updated_at=datetime.now(UTC))
    resume = await Resume.get_or_none(id=resume_id)
    if resume is None or resume.status != "PROCESSING":
        return resume.status if resume else "GONE"
    attempt = resume.attempts
    if not claimed:  # it crashed its worker MAX_ATTEMPTS times: give up
        await _fail(
            deps,
            resume,
            attempt=attempt,
            code="PARSE_FAILED",
            message="Parsing failed repeatedly; try retryResumeParse later",
        )
        return "FAILED"
    if resume.source is None:
        await _fail(
            deps,
            resume,
            attempt=attempt,
            code="PARSE_FAILED",
            message="The file is missing",
        )
        return "FAILED"
    try:
        async with deps.slots:  # extraction processes at once, per process
            await set_stage(
                deps.pubsub, resume, attempt=attempt, stage="extracting", progress=10
            )
            if deps.fault_delay:
                await asyncio.sleep(deps.fault_delay)
            result = await parse_in_sandbox(
                data=bytes(resume.source),
                kind=resume.kind,
                timeout=deps.timeout,
                memory_mb=deps.memory_mb,
            )
    except DocumentError as exc:
        await _fail(deps, resume, attempt=attempt, code=exc.code, message=exc.message)
        return "FAILED"
    await set_stage(
        deps.pubsub, resume, attempt=attempt, stage="structuring", progress=50
    )
    structured: dict[str, Any] = dict(result.structured)
    engine_name = "ocr" if result.engine == "ocr" else "offline"
    warnings: list[str] = list(result.warnings)
    engine = deps.engine
    if deps.models is not None and resume.kind != "json":
        try:
            engine = await deps.models(resume.organization_id)
        except ServiceError as exc:  # its apiBase no longer passes the address guard
            warnings.append(f"The organization's model is not used: {exc.message}")
            engine = None
    if engine is not None and resume.kind != "json":
        try:
            candidate = await engine.structure_resume(text=result.text)
            problems = validate_resume_data(candidate)
            if problems:
                raise ValueError("; ".join(problems[:3]))
            structured, engine_name = candidate, engine.name
        except Exception as exc:  # a model that is down, slow or returns garbage
            log.warning("model structuring failed for resume %s: %s", resume_id, exc)
            warnings.append(
                "The model did not return a valid resume; the offline engine's "
                "result is used"
            )
            engine_name = "offline (fallback)"
    if resume.kind != "json" and engine_name in (
        "offline",
        "ocr",
        "offline (fallback)",
    ):
        warnings.extend(field_warnings(structured, result.text))  # the rules' guesses
    await set_stage(deps.pubsub, resume, attempt=attempt, stage="saving", progress=90)
    await set_stage(
        deps.pubsub,
        resume,
        attempt=attempt,
        stage="done",
        progress=100,
        status="READY",
        text=result.text,
        structured_data=structured,
        engine=engine_name,
        warnings=warnings,
        error_code=None,
        error_message=None,
        master_rule=True,
    )
    if resume.is_master:  # the profile's index includes the master resume
        await indexing.changed(organization_id=resume.organization_id)
    return "READY"


async def retry_parse(*, actor: Actor, resume_id: int) -> Resume:
    """Parse a FAILED resume again (free: a server-side failure was refunded)."""
    resume = await get_resume(actor=actor, resume_id=resume_id)
    if resume.source is None:
        raise ValidationFailed("This resume has no uploaded file", field=["id"])
    updated = await Resume.filter(
        id=resume.id, organization_id=actor.organization_id, status="FAILED"
    ).update(
        status="PROCESSING",
        stage="received",
        progress=0,
        attempts=0,
        error_code=None,
        error_message=None,
        updated_at=datetime.now(UTC),
    )
    if not updated:
        raise ValidationFailed(
            f"Only a FAILED resume is parsed again; this one is {resume.status}",
            field=["id"],
        )
    await resume.refresh_from_db()
    return resume


async def claim_stuck(*, older_than: datetime) -> list[int]:
    """PROCESSING resumes not touched since `older_than` (their job was lost),
    each claimed by touching it, so that of several sweepers only one requeues it."""
    ids = await Resume.filter(
        status="PROCESSING", updated_at__lt=older_than
    ).values_list("id", flat=True)
    claimed = []
    for resume_id in ids:
        touched = await Resume.filter(
            id=resume_id, status="PROCESSING", updated_at__lt=older_than
        ).update(updated_at=datetime.now(UTC))
        if touched:
            claimed.append(int(resume_id))  # type: ignore[call-overload]
    return claimed


# -- reading and editing ---------------------------------------------------------------


async def get_resume(*, actor: Actor, resume_id: int) -> Resume:
    resume = await Resume.get_or_none(
        id=resume_id, organization_id=actor.organization_id
    )
    if resume is None:
        raise NotFound("Resume not found", field=["id"])
    return resume


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
    query = Resume.filter(organization_id=organization_id)
    if filter.status:
        query = query.filter(status=filter.status)
    if filter.is_master is not None:
        query = query.filter(is_master=filter.is_master)
    if not filter.include_master and filter.is_master is not True:
        query = query.filter(is_master=False)
    if filter.updated_since is not None:
        query = query.filter(updated_at__gte=filter.updated_since)
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
    query = Resume.filter(organization_id=organization_id)
    if filter.status:
        query = query.filter(status=filter.status)
    if filter.is_master is not None:
        query = query.filter(is_master=filter.is_master)
    if not filter.include_master and filter.is_master is not True:
        query = query.filter(is_master=False)
    if filter.updated_since is not None:
        query = query.filter(updated_at__gte=filter.updated_since)
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
        values["tags"] = _clean_tags(tags)
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
            successor = await _hand_on_master(actor.organization_id)
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


async def _hand_on_master(organization_id: int) -> int | None:
    """Keep the rule "exactly one master while there is a READY resume": with
    no master, or a FAILED one, the newest READY resume takes the role. Called
    inside a transaction holding the organization's lock, when a master is
    deleted or fails and when a run ends READY. Returns the master's id."""
    masters = await Resume.filter(
        organization_id=organization_id, is_master=True
    ).values_list("id", "status")
    keep = [int(i) for i, status in masters if status != "FAILED"]
    if len(keep) == 1 and len(masters) == 1:
        return keep[0]
    successor = (
        await Resume.filter(organization_id=organization_id, status="READY")
        .order_by("-created_at", "-id")
        .only("id")
        .first()
    )
    if successor is None:
        return keep[0] if keep else None
    await (
        Resume.filter(organization_id=organization_id, is_master=True)
        .exclude(id=successor.id)
        .update(is_master=False)
    )
    await Resume.filter(id=successor.id).update(is_master=True)
    return successor.id


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
