"""Uploaded resume files to text: the stages of `services.documents` behind one
call.

    sniff.py    the type from the bytes (pdf, docx, json, png, jpeg)
    pdf.py      text PDFs (pypdf) page by page, with their links
    columns.py  reading order of a page: columns and sidebars as blocks
    docx.py     DOCX (docx2python) behind the zip-bomb checks
    jsondoc.py  JSON uploads (depth scan, ResumeData or JSON Resume)
    ocr.py      PNG/JPEG and PDFs without a text layer (Tesseract)
    repair.py   the clean-up of every extracted text

`extract(data, kind)` -> `Extraction(text, engine, warnings)`: `engine` is
"text" for a text layer and "ocr" when the text was read from pixels (a warning
then says when the OCR confidence is low). `extract_text` is its text only.
Every limit is checked before the expensive step; failures raise
`DocumentError(code, message)`. Time and memory are bounded further by running
this in `sandbox.py`'s child.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.documents.docx import (
    MAX_ARCHIVE_BYTES,
    MAX_ARCHIVE_MEMBERS,
    MAX_COMPRESSION_RATIO,
    docx_text,
)
from services.documents.errors import DocumentError
from services.documents.jsondoc import (
    MAX_JSON_DEPTH,
    json_depth,
    load_json,
    structure_json,
)
from services.documents.ocr import (
    LOW_CONFIDENCE,
    MAX_OCR_PAGES,
    OcrText,
    ocr_image,
    ocr_pdf,
    pdf_page_count,
)
from services.documents.pdf import MAX_PAGES, MAX_TEXT_CHARS, pdf_text
from services.documents.repair import repair_text
from services.documents.sniff import IMAGE_KINDS, KINDS, Kind, sniff

__all__ = [
    "IMAGE_KINDS",
    "KINDS",
    "MAX_ARCHIVE_BYTES",
    "MAX_ARCHIVE_MEMBERS",
    "MAX_COMPRESSION_RATIO",
    "MAX_JSON_DEPTH",
    "MAX_PAGES",
    "MAX_TEXT_CHARS",
    "DocumentError",
    "Extraction",
    "Kind",
    "extract",
    "extract_text",
    "json_depth",
    "repair_text",
    "sniff",
    "structure_json",
]


@dataclass(frozen=True, slots=True)
class Extraction:
    text: str
    engine: str  # "text" (a text layer) or "ocr"
    warnings: tuple[str, ...] = ()
    headings: frozenset[str] = frozenset()  # section titles by typography (PDF)


def _from_ocr(result: OcrText, what: str) -> Extraction:
    text = repair_text(result.text[:MAX_TEXT_CHARS])
    if sum(ch.isalnum() for ch in text[:5000]) < 20:
        raise DocumentError(
            "NO_TEXT", f"no readable text was found in the {what}, even by OCR"
        )
    warnings: tuple[str, ...] = ()
    if result.confidence < LOW_CONFIDENCE:
        warnings = (
            f"The text was read from an image by OCR with a low confidence "
            f"({result.confidence:.0f}%): check every field against the original",
        )
    return Extraction(text=text, engine="ocr", warnings=warnings)


def extract(data: bytes, kind: str) -> Extraction:
    """The text of `data`, which must be of type `kind` (one of KINDS; "auto"
    sniffs it) by content. JSON is returned as its UTF-8 text after the depth
    and syntax checks. A PDF without a text layer is read by OCR. Raises
    DocumentError."""
    if not data or not data.strip():
        raise DocumentError("EMPTY_FILE", "the file is empty")
    if kind == "auto":
        sniffed = sniff(data)
        if sniffed is None:
            raise DocumentError(
                "UNSUPPORTED_MEDIA_TYPE",
                "the file is not a PDF, DOCX, JSON, PNG or JPEG document",
            )
        kind = sniffed
    if kind == "pdf":
        try:
            found = pdf_text(data)
            return Extraction(text=found.text, engine="text", headings=found.headings)
        except DocumentError as exc:
            if exc.code != "NO_TEXT":
                raise
        result = _from_ocr(ocr_pdf(data, pages=MAX_OCR_PAGES), "PDF")
        pages = pdf_page_count(data)
        if pages > MAX_OCR_PAGES:
            return Extraction(
                text=result.text,
                engine="ocr",
                warnings=(
                    *result.warnings,
                    f"Only the first {MAX_OCR_PAGES} of {pages} scanned pages were "
                    "read by OCR",
                ),
            )
        return result
    if kind == "docx":
        return Extraction(text=docx_text(data), engine="text")
    if kind == "json":
        if sniff(data) != "json":
            raise DocumentError("UNSUPPORTED_MEDIA_TYPE", "the file is not JSON")
        load_json(data)
        return Extraction(text=data.decode("utf-8-sig"), engine="text")
    if kind in IMAGE_KINDS:
        if sniff(data) != kind:
            raise DocumentError("UNSUPPORTED_MEDIA_TYPE", f"the file is not a {kind}")
        return _from_ocr(ocr_image(data), "image")
    raise DocumentError(
        "UNSUPPORTED_MEDIA_TYPE",
        f"unsupported document type {kind[:20]!r}: expected one of {', '.join(KINDS)}",
    )


def extract_text(data: bytes, kind: str) -> str:
    """`extract(data, kind).text`."""
    return extract(data, kind).text
