"""DOCX text: the zip directory checked (member count, declared total, ratios)
and the inflated bytes capped before anything is parsed, DTDs refused, then
docx2python over a rebuilt archive holding only the XML parts it reads."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from services.documents.errors import DocumentError
from services.documents.pdf import MAX_TEXT_CHARS
from services.documents.repair import repair_text

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_ARCHIVE_MEMBERS",
    "MAX_COMPRESSION_RATIO",
    "docx_text",
]

MAX_ARCHIVE_BYTES = 50 * 1024 * 1024  # declared (and actual) inflated total
MAX_COMPRESSION_RATIO = 200
RATIO_MIN_MEMBER_BYTES = 256 * 1024  # smaller members cannot be bombs
MAX_ARCHIVE_MEMBERS = 1000

_DOCX_PARTS = re.compile(r"^(?:word/|_rels/|docProps/|\[Content_Types\]\.xml$)")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The member's bytes, reading at most `budget` (and its declared size) + 1."""
    limit = min(budget, info.file_size)
    chunks = []
    read = 0
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(min(65536, limit + 1 - read))
            if not chunk:
                break
            chunks.append(chunk)
            read += len(chunk)
            if read > limit:
                raise DocumentError(
                    "ARCHIVE_TOO_LARGE",
                    f"{info.filename} inflates beyond its declared or allowed size",
                )
    return b"".join(chunks)


def _safe_docx(data: bytes) -> bytes:
    """A rebuilt DOCX holding only the XML parts docx2python reads, after checking
    the zip directory (member count, declared total, ratios) and capping the bytes
    actually inflated. DTDs (entity expansion) are refused."""
    if not data.startswith(b"PK\x03\x04"):
        raise DocumentError("UNSUPPORTED_MEDIA_TYPE", "the file is not a DOCX")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DocumentError(
            "CORRUPT_FILE", "the DOCX cannot be read (broken zip directory)"
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            raise DocumentError(
                "ARCHIVE_TOO_LARGE",
                f"the DOCX has {len(infos)} parts; at most {MAX_ARCHIVE_MEMBERS}",
            )
        total = sum(info.file_size for info in infos)
        if total > MAX_ARCHIVE_BYTES:
            raise DocumentError(
                "ARCHIVE_TOO_LARGE",
                f"the DOCX inflates to {total} bytes; at most {MAX_ARCHIVE_BYTES}",
            )
        for info in infos:
            if info.file_size >= RATIO_MIN_MEMBER_BYTES and (
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
            ):
                raise DocumentError(
                    "ARCHIVE_TOO_LARGE",
                    f"{info.filename[:100]} has a compression ratio above "
                    f"{MAX_COMPRESSION_RATIO}",
                )
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            raise DocumentError(
                "UNSUPPORTED_MEDIA_TYPE", "the zip file is not a DOCX (no document)"
            )
        out = io.BytesIO()
        budget = MAX_ARCHIVE_BYTES
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
                for info in infos:
                    name = info.filename
                    if not _DOCX_PARTS.match(name) or not name.endswith(
                        (".xml", ".rels")
                    ):
                        continue
                    if info.flag_bits & 0x1:
                        raise DocumentError("CORRUPT_FILE", "the DOCX is encrypted")
                    content = _read_member(archive, info, budget)
                    budget -= len(content)
                    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                        raise DocumentError(
                            "CORRUPT_FILE", f"{name[:100]} declares a DTD"
                        )
                    if b"\x00" in content:  # UTF-16 XML could hide a DTD
                        raise DocumentError(
                            "CORRUPT_FILE", f"{name[:100]} is not UTF-8 XML"
                        )
                    clean.writestr(name, content)
        except DocumentError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
            raise DocumentError(
                "CORRUPT_FILE", f"the DOCX cannot be read ({exc})"
            ) from None
        except NotImplementedError:  # unsupported compression method
            raise DocumentError(
                "CORRUPT_FILE", "the DOCX uses an unsupported compression"
            ) from None
    return out.getvalue()


def _docx_lines(blocks: Any) -> list[str]:
    """Lines of docx2python's [table][row][cell][paragraph] nesting: a row of
    one-paragraph cells is one line ("cell | cell"); other rows cell by cell."""
    lines: list[str] = []
    for table in blocks:
        for row in table:
            cells = [
                [p.strip() for p in cell if isinstance(p, str) and p.strip()]
                for cell in row
            ]
            cells = [cell for cell in cells if cell]
            if len(cells) > 1 and all(len(cell) == 1 for cell in cells):
                lines.append(" | ".join(cell[0] for cell in cells))
            else:
                for cell in cells:
                    lines.extend(cell)
    return lines


_DOCX_MARKUP = re.compile(r"----(?:media/)?[^\s-][^\n]*?----|</?a\b[^>]*>")
_DOCX_BULLET = re.compile(r"^(?:--|\d{1,3}[.)]|[a-z][.)]|[ivx]{1,5}[.)])\s+")


def docx_text(data: bytes) -> str:
    """The text of a DOCX: headers, body (paragraphs and tables) and footers in
    document order, after `_safe_docx`. Raises DocumentError."""
    from docx2python import docx2python

    clean = _safe_docx(data)
    try:
        with docx2python(io.BytesIO(clean), duplicate_merged_cells=False) as content:
            lines = (
                _docx_lines(content.header)
                + _docx_lines(content.body)
                + _docx_lines(content.footer)
            )
    except DocumentError:
        raise
    except Exception as exc:  # docx2python/lxml raise many types on bad XML
        raise DocumentError(
            "CORRUPT_FILE", f"the DOCX cannot be read ({type(exc).__name__})"
        ) from None
    out = []
    for line in lines:
        line = _DOCX_MARKUP.sub("", line)
        for part in line.split("\n"):
            part = part.strip()
            if part:
                out.append(_DOCX_BULLET.sub("• ", part))
    text = repair_text("\n".join(out)[:MAX_TEXT_CHARS])
    if not text:
        raise DocumentError("NO_TEXT", "the DOCX has no text")
    return text
