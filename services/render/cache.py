"""Resume PDFs for an organization, rendered once per content hash and kept.

`resume_pdf` answers from `RenderedPdf` when the same document, theme, language and
renderer version were rendered before; otherwise it renders in a worker thread (the
event loop keeps serving), at most RENDER_CONCURRENCY at once per process, and stores
the result. Two processes rendering the same hash at once both succeed: the second
insert hits the unique (organization, content_hash) constraint and reads the first.

`resume_pdf_link` publishes the PDF as an expiring signed `/files/<token>` link.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.render import RenderedPdf
from services import files
from services.render.html import content_hash, resume_html
from services.render.pdf import PdfRenderFailed, render_document

RENDER_CONCURRENCY = 2  # renders at once per process (each holds a core)
PDF_CONTENT_TYPE = "application/pdf"
FILE_KIND = "resume_pdf"
MAX_FILENAME = 200  # StoredFile.filename

# One semaphore per event loop: an asyncio.Semaphore belongs to the loop it first
# waited in, and tests and CLI commands run several loops in one process.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _render_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(RENDER_CONCURRENCY)
    return slots


@dataclass(frozen=True, slots=True)
class RenderedResult:
    data: bytes
    content_hash: str
    cached: bool
    pages: int


def _result(row: RenderedPdf, *, cached: bool) -> RenderedResult:
    return RenderedResult(
        data=bytes(row.data),
        content_hash=row.content_hash,
        cached=cached,
        pages=row.pages,
    )


async def _stored(organization_id: int, digest: str) -> RenderedPdf | None:
    return await RenderedPdf.get_or_none(
        organization_id=organization_id, content_hash=digest
    )


async def resume_pdf(
    *,
    organization_id: int,
    data: Mapping[str, Any],
    theme: str,
    language: str = "en",
) -> RenderedResult:
    """The PDF of a ResumeData document in a theme: cached, or rendered and stored.

    Raises ValidationFailed (unknown theme, bad language tag) and PdfRenderFailed.
    """
    digest = content_hash(data, theme=theme, language=language)
    row = await _stored(organization_id, digest)
    if row is not None:
        return _result(row, cached=True)
    html = resume_html(data, theme=theme, language=language)
    async with _render_slots():
        # another task of this process may have rendered it while we waited
        row = await _stored(organization_id, digest)
        if row is not None:
            return _result(row, cached=True)
        pdf, pages = await asyncio.to_thread(render_document, html)
    try:
        # its own transaction (a savepoint inside the caller's), so a duplicate
        # does not abort a caller's PostgreSQL transaction
        async with in_transaction():
            await RenderedPdf.create(
                organization_id=organization_id,
                content_hash=digest,
                theme=theme,
                data=pdf,
                size=len(pdf),
                pages=pages,
            )
    except IntegrityError:
        # rendered concurrently elsewhere: serve the stored copy, as everyone will
        row = await _stored(organization_id, digest)
        if row is None:  # the organization was deleted meanwhile
            raise PdfRenderFailed("PDF rendering failed") from None
        return _result(row, cached=True)
    return RenderedResult(data=pdf, content_hash=digest, cached=False, pages=pages)


def _pdf_filename(filename: str) -> str:
    name = " ".join(filename.split()) or "resume.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    if len(name) > MAX_FILENAME:
        name = name[: MAX_FILENAME - 4] + ".pdf"
    return name


async def resume_pdf_link(
    *,
    signer: files.Signer,
    base_url: str,
    organization_id: int,
    data: Mapping[str, Any],
    theme: str,
    language: str = "en",
    filename: str,
    keep_for: timedelta,
) -> tuple[str, datetime, RenderedResult]:
    """`resume_pdf`, published as an expiring signed download link:
    (url, the link's expiry, the rendering)."""
    result = await resume_pdf(
        organization_id=organization_id, data=data, theme=theme, language=language
    )
    url, expires_at = await files.publish(
        signer=signer,
        base_url=base_url,
        organization_id=organization_id,
        kind=FILE_KIND,
        filename=_pdf_filename(filename),
        content_type=PDF_CONTENT_TYPE,
        data=result.data,
        keep_for=keep_for,
    )
    return url, expires_at, result
