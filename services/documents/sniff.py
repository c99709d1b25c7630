"""The type of an uploaded file, from its bytes alone (never its name).

`sniff(data)` -> "pdf", "docx", "json", "png", "jpeg" or None; `KINDS` lists them.
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

__all__ = ["IMAGE_KINDS", "KINDS", "Kind", "sniff"]

Kind = Literal["pdf", "docx", "json", "png", "jpeg"]
KINDS: tuple[Kind, ...] = ("pdf", "docx", "json", "png", "jpeg")
IMAGE_KINDS: tuple[Kind, ...] = ("png", "jpeg")


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def sniff(data: bytes) -> Kind | None:
    """The file type by content: "pdf" (`%PDF-` in the first 1024 bytes), "docx"
    (a zip whose directory lists `word/document.xml`), "png" and "jpeg" (their
    signatures), "json" (optional UTF-8 BOM and whitespace, then `{` or `[`),
    else None."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data)
        return "docx" if names is not None and "word/document.xml" in names else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip(b" \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    return None
