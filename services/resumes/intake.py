"""Resume intake: a file accepted by its content, stored and charged one credit
once (a duplicate of the organization's file is refused), parsed in the
background (`services.resumes.parsing`); a FAILED parse is retried for free."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.resumes import Resume
from services import billing
from services.accounts import Actor
from services.documents.extract import sniff
from services.errors import NotFound, ServiceError, ValidationFailed
from services.resumes.lifecycle import check_backpressure
from services.resumes.master import lock_organization
from services.runs import QueueLimits

UPLOAD_COST = 1
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$")


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


def clean_tags(tags: list[str]) -> list[str]:
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


def clean_locale(locale: str | None) -> str:
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
    tag_list = clean_tags(tags)
    locale_tag = clean_locale(locale)
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
                tags=tag_list,
                locale=locale_tag,
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


async def get_resume(*, actor: Actor, resume_id: int) -> Resume:
    resume = await Resume.get_or_none(
        id=resume_id, organization_id=actor.organization_id
    )
    if resume is None:
        raise NotFound("Resume not found", field=["id"])
    return resume


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
