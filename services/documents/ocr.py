"""OCR of scans and photos: Tesseract (the Debian package `tesseract-ocr`,
installed by `make system-deps`) through pytesseract, a thin wrapper around the
`tesseract` command.

This module owns:

- `ocr_image(data)`: the text of a PNG or JPEG upload;
- `ocr_pdf(data, pages=...)`: the text of a PDF without a text layer, its pages
  rendered at 300 dpi by PDFium (pypdfium2); the caller reads at most
  `MAX_OCR_PAGES` and says so when there were more;
- `OcrText`: the text and the mean word confidence (0-100) Tesseract reported;
  below `LOW_CONFIDENCE` the caller warns the user.

Images are bounded before decoding (`MAX_PIXELS`, Pillow's decompression-bomb
guard made an error) and every Tesseract call has a timeout. Tesseract runs
single-threaded (`OMP_THREAD_LIMIT=1`): parses run side by side already. Runs in
the sandbox child (`sandbox.py`), like every other extraction.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from typing import Any

from services.documents.errors import DocumentError

__all__ = [
    "LOW_CONFIDENCE",
    "MAX_OCR_PAGES",
    "MAX_PIXELS",
    "OcrText",
    "ocr_image",
    "ocr_pdf",
    "pdf_page_count",
]

MAX_PIXELS = 60_000_000  # a 300 dpi A3 page is ~17 MP
LOW_CONFIDENCE = 75.0  # mean word confidence under which the user is warned
RENDER_DPI = 300
MIN_WIDTH = 1600  # smaller images are upscaled: Tesseract wants ~30 px capitals
PAGE_TIMEOUT = 60  # seconds of Tesseract per page (the sandbox bounds the whole)
MAX_OCR_PAGES = 8  # a scanned resume is 1-3 pages; ~2 s of OCR each


@dataclass(frozen=True, slots=True)
class OcrText:
    text: str
    confidence: float  # mean word confidence, 0-100; 0 when nothing was read


def _tesseract() -> Any:
    try:
        import pytesseract
    except ImportError:  # pragma: no cover - it is a locked dependency
        raise DocumentError("OCR_UNAVAILABLE", "OCR is not installed") from None
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract


def _prepare(image: Any) -> Any:
    """Greyscale, and upscaled when too small for Tesseract's glyph sizes."""
    from PIL import Image

    image = image.convert("L")
    if image.width < MIN_WIDTH:
        factor = MIN_WIDTH / image.width
        image = image.resize(
            (MIN_WIDTH, round(image.height * factor)), Image.Resampling.LANCZOS
        )
    return image


def _read(image: Any) -> tuple[list[str], list[float]]:
    """Lines (blank line between Tesseract's blocks) and word confidences."""
    pytesseract = _tesseract()
    try:
        data = pytesseract.image_to_data(
            _prepare(image),
            lang="eng",
            config="--psm 3",
            output_type=pytesseract.Output.DICT,
            timeout=PAGE_TIMEOUT,
        )
    except pytesseract.TesseractNotFoundError:
        raise DocumentError(
            "OCR_UNAVAILABLE",
            "OCR (tesseract) is not installed on the server; run make system-deps",
        ) from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise DocumentError("TIMEOUT", f"OCR took too long ({exc})") from None
    except pytesseract.TesseractError as exc:
        raise DocumentError(
            "CORRUPT_FILE", f"the image cannot be read ({exc.message[:100]})"
        ) from None
    lines: list[str] = []
    confidences: list[float] = []
    current: tuple[int, int, int] | None = None
    block = -1
    for index, word in enumerate(data["text"]):
        word = (word or "").strip()
        if not word:
            continue
        key = (
            data["block_num"][index],
            data["par_num"][index],
            data["line_num"][index],
        )
        if key != current:
            if lines and key[0] != block:
                lines.append("")
            lines.append(word)
            current, block = key, key[0]
        else:
            lines[-1] += " " + word
        confidence = float(data["conf"][index])
        if confidence >= 0:
            confidences.append(confidence)
    return lines, confidences


# Tesseract puts a space around "@" in e-mail addresses ("jane.roe @example.com").
_SPACED_AT = re.compile(r"(?<=[\w.+-]) ?@ ?(?=[\w-]+(?:\.[\w-]+)+)")


def _result(lines: list[str], confidences: list[float]) -> OcrText:
    text = _SPACED_AT.sub("@", "\n".join(lines).strip())
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrText(text=text, confidence=round(mean, 1))


def ocr_image(data: bytes) -> OcrText:
    """The text of a PNG or JPEG image. Raises DocumentError."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # checksums and truncation, whatever Pillow's settings
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise DocumentError(
                    "IMAGE_TOO_LARGE",
                    f"the image has {image.width}x{image.height} pixels; at most "
                    f"{MAX_PIXELS // 1_000_000} megapixels are read",
                )
            image.load()
            lines, confidences = _read(image)
    except DocumentError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise DocumentError(
            "CORRUPT_FILE", f"the image cannot be read ({type(exc).__name__})"
        ) from None
    return _result(lines, confidences)


def ocr_pdf(data: bytes, *, pages: int) -> OcrText:
    """The text of the first `pages` pages of a PDF, rendered and read by OCR."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise DocumentError("CORRUPT_FILE", f"the PDF cannot be read ({exc})") from None
    lines: list[str] = []
    confidences: list[float] = []
    try:
        for index in range(min(pages, len(document))):
            page = document[index]
            width, height = page.get_size()
            scale = RENDER_DPI / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            image = page.render(scale=scale, grayscale=True).to_pil()
            page_lines, page_confidences = _read(image)
            if lines and page_lines:
                lines.append("")
            lines.extend(page_lines)
            confidences.extend(page_confidences)
    except DocumentError:
        raise
    except pypdfium2.PdfiumError as exc:
        raise DocumentError("CORRUPT_FILE", f"the PDF cannot be read ({exc})") from None
    finally:
        document.close()
    return _result(lines, confidences)


def pdf_page_count(data: bytes) -> int:
    """The number of pages PDFium reads in `data` (0 when it cannot)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return 0
    try:
        return len(document)
    finally:
        document.close()
