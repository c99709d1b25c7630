"""PDF text: pypdf behind the limits checked before the expensive step (page
count from the page tree before any page is read, text size), page by page
(`columns.page_text`), then repaired (`repair`), with the hyperlink targets a
reader sees as icons kept under a final "Links" line."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from services.documents.columns import page_text
from services.documents.errors import DocumentError
from services.documents.layout import pdf_pages_text
from services.documents.repair import join_split_capitals, repair_text

__all__ = ["MAX_PAGES", "MAX_TEXT_CHARS", "PdfText", "pdf_text"]

MAX_PAGES = 50
MAX_TEXT_CHARS = 500_000  # extracted text beyond this is cut

logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class PdfText:
    text: str
    headings: frozenset[str] = frozenset()  # section titles by their type size


def pdf_text(data: bytes) -> PdfText:
    """The text of a text PDF (PDFium's positioned characters laid out, else
    pypdf), with its hyperlink targets under a final "Links" line, and the
    section titles the type size showed. Raises DocumentError (NO_TEXT when the
    pages carry no text layer: the caller may try OCR)."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("UNSUPPORTED_MEDIA_TYPE", "the file is not a PDF")
    # A truncated file has lost its trailer; pypdf would try to rebuild it.
    if b"%%EOF" not in data[-4096:]:
        raise DocumentError("CORRUPT_FILE", "the PDF is truncated (no end marker)")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))  # an empty user password opens
            except Exception:  # unsupported algorithms, broken /Encrypt dicts
                opened = False
            if not opened:
                raise DocumentError(
                    "ENCRYPTED_PDF", "the PDF is password-protected; upload it unlocked"
                )
        trailer: Any = reader.trailer
        pages_root = trailer["/Root"]["/Pages"]
        declared = pages_root.get("/Count", 0)
        if hasattr(declared, "get_object"):
            declared = declared.get_object()
        if isinstance(declared, int) and declared > MAX_PAGES:
            raise DocumentError(
                "TOO_MANY_PAGES",
                f"the PDF has {declared} pages; at most {MAX_PAGES} are accepted",
            )
        count = len(reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentError("CORRUPT_FILE", f"the PDF cannot be read ({exc})") from None
    except (RecursionError, IndexError, OSError, AssertionError) as exc:
        raise DocumentError("CORRUPT_FILE", f"the PDF cannot be read ({exc})") from None
    if count > MAX_PAGES:
        raise DocumentError(
            "TOO_MANY_PAGES",
            f"the PDF has {count} pages; at most {MAX_PAGES} are accepted",
        )
    if count == 0:
        raise DocumentError("CORRUPT_FILE", "the PDF has no pages")

    layout = pdf_pages_text(data, count)
    laid_out = layout.pages if layout is not None else None
    if laid_out is not None and sum(ch.isalnum() for ch in "".join(laid_out)) < 20:
        laid_out = None  # PDFium found no text: pypdf may (else OCR follows)
    texts: list[str] = []
    links: list[str] = []
    size = 0
    for index in range(count):
        try:
            page = reader.pages[index]
            text = laid_out[index] if laid_out is not None else page_text(page)
            links.extend(_page_links(page))
        except Exception as exc:  # pypdf raises many types on broken streams
            raise DocumentError(
                "CORRUPT_FILE", f"page {index + 1} of the PDF cannot be read ({exc})"
            ) from None
        texts.append(text)
        size += len(text)
        if size > MAX_TEXT_CHARS:
            break
    text = "\n".join(texts)[:MAX_TEXT_CHARS]
    text = repair_text(text if laid_out is not None else join_split_capitals(text))
    if sum(ch.isalnum() for ch in text[:5000]) < 20:
        raise DocumentError(
            "NO_TEXT",
            "the PDF has no extractable text (a scan or images only); "
            "upload a text PDF or a DOCX",
        )
    # Hyperlink targets (a human sees them as "/linkedin-in jdoe" icons or as
    # linked words): kept under a final "Links" heading the parser reads as contact.
    extra = [url for url in dict.fromkeys(links) if url not in text]
    return PdfText(
        text=text + ("\nLinks\n" + "\n".join(extra) if extra else ""),
        headings=layout.headings if layout is not None and laid_out else frozenset(),
    )


def _page_links(page: Any) -> list[str]:
    annots = page.get("/Annots")
    if annots is None:
        return []
    out: list[str] = []
    for ref in list(annots.get_object())[:200]:
        annot: Any = ref.get_object()
        action: Any = annot.get("/A") if hasattr(annot, "get") else None
        action = action.get_object() if action is not None else None
        uri = action.get("/URI") if hasattr(action, "get") else None
        if isinstance(uri, bytes):
            uri = uri.decode("latin-1")
        if isinstance(uri, str) and uri.lower().startswith(("http://", "https://")):
            out.append(uri.strip()[:300])
    return out
