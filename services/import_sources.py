"""Where a profile import's data comes from (previewImport): a parsed resume of
the organization, or an uploaded file parsed on the spot in the sandbox (a child
process bounded in time and memory), never both; what is refused and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.resumes import ImportPreview
from services import imports, resumes
from services.accounts import Actor
from services.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    timeout: float  # seconds of wall clock (and as many of CPU)
    memory_mb: int


async def resume_data(*, actor: Actor, resume_id: int) -> dict[str, Any]:
    """The structured data of a READY resume of the caller's organization."""
    row = await resumes.get_resume(actor=actor, resume_id=resume_id)
    return dict(resumes.require_ready(row, use="imported"))


async def file_data(
    *, file: resumes.UploadedFile, limits: SandboxLimits
) -> dict[str, Any]:
    """An upload parsed in the sandbox (the upload rules of resumes apply: size,
    media type); a document that does not parse is a VALIDATION_ERROR on `file`."""
    from services.documents.extract import DocumentError
    from services.documents.sandbox import parse_in_sandbox

    kind = resumes.accept_file(file)
    try:
        parsed = await parse_in_sandbox(
            data=file.data,
            kind=kind,
            timeout=limits.timeout,
            memory_mb=limits.memory_mb,
        )
    except DocumentError as exc:
        raise ValidationFailed(f"{exc.code}: {exc.message}", field=["file"]) from None
    return dict(parsed.structured)


async def preview(
    *,
    actor: Actor,
    resume_id: int | None,
    file: resumes.UploadedFile | None,
    limits: SandboxLimits,
) -> ImportPreview:
    """The import preview of exactly one source: a resume or a file."""
    if (resume_id is None) == (file is None):
        raise ValidationFailed("Give exactly one of resumeId and file")
    if resume_id is not None:
        data = await resume_data(actor=actor, resume_id=resume_id)
    else:
        assert file is not None
        data = await file_data(file=file, limits=limits)
    return await imports.preview(actor=actor, data=data, resume_id=resume_id)
