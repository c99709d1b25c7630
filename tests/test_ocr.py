"""OCR of scans and photos: PNG/JPEG uploads and PDFs without a text layer are
read by Tesseract (engine `ocr`), with a warning when the confidence is low.

Images are made here by rendering PDFs with PDFium (pypdfium2); the end-to-end
test renders a corpus resume (`../shared/corpus`, skipped when absent)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pypdfium2
import pytest
from aiohttp.test_utils import TestClient
from PIL import Image, ImageFilter

from services.documents.errors import DocumentError
from services.documents.sandbox import parse_document
from tests.helpers import sign_up, text_pdf, upload, wait_for_resume

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (make system-deps installs it)",
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LINES = [
    "Jane Roe",
    "jane.roe@example.com | (555) 010-2030",
    "",
    "Experience",
    "Data Engineer, Acme Corp, 2019 - 2022",
    "- Built pipelines in Python",
    "",
    "Education",
    "State University, B.S. Computer Science, 2015 - 2019",
    "",
    "Skills",
    "Python, SQL, Airflow",
]
LOW_CONFIDENCE = re.compile(
    r"^The text was read from an image by OCR with a low confidence \(\d+%\): "
    r"check every field against the original$"
)


def page_image(pdf: bytes, *, scale: float, page: int = 0) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image: Image.Image = document[page].render(scale=scale).to_pil()
        return image
    finally:
        document.close()


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_photo_of_a_resume_is_read_by_ocr(fmt: str) -> None:
    data = encoded(page_image(text_pdf(LINES), scale=2), fmt)
    result = parse_document(data=data, kind="auto")
    assert result.engine == "ocr"
    assert result.warnings == ()
    structured = result.structured
    assert structured["personalInfo"]["name"] == "Jane Roe"
    assert structured["personalInfo"]["email"] == "jane.roe@example.com"
    assert structured["personalInfo"]["phone"] == "(555) 010-2030"
    assert [
        (w["company"], w["title"], w["years"]) for w in structured["workExperience"]
    ] == [("Acme Corp", "Data Engineer", "2019 - 2022")]
    assert [e["institution"] for e in structured["education"]] == ["State University"]
    assert structured["additional"]["technicalSkills"] == ["Python", "SQL", "Airflow"]


def test_pdf_without_a_text_layer_is_read_by_ocr() -> None:
    scan = io.BytesIO()
    page_image(text_pdf(LINES), scale=300 / 72).convert("L").save(
        scan, format="PDF", resolution=300
    )
    result = parse_document(data=scan.getvalue(), kind="pdf")
    assert result.engine == "ocr"
    assert result.structured["personalInfo"]["name"] == "Jane Roe"
    assert result.structured["personalInfo"]["email"] == "jane.roe@example.com"
    assert [w["company"] for w in result.structured["workExperience"]] == ["Acme Corp"]


def test_long_scan_is_read_up_to_the_ocr_page_limit() -> None:
    first = page_image(text_pdf(LINES), scale=300 / 72).convert("L")
    blank = Image.new("L", (300, 300), 255)
    scan = io.BytesIO()
    first.save(
        scan, format="PDF", resolution=300, save_all=True, append_images=[blank] * 9
    )
    result = parse_document(data=scan.getvalue(), kind="pdf")
    assert result.engine == "ocr"
    assert result.warnings == ("Only the first 8 of 10 scanned pages were read by OCR",)
    assert result.structured["personalInfo"]["name"] == "Jane Roe"


def test_blurred_photo_gets_a_low_confidence_warning() -> None:
    blurred = page_image(text_pdf(LINES), scale=1).filter(ImageFilter.GaussianBlur(1.2))
    result = parse_document(data=encoded(blurred, "PNG"), kind="png")
    assert result.engine == "ocr"
    assert len(result.warnings) == 1
    assert LOW_CONFIDENCE.match(result.warnings[0]), result.warnings


def test_image_without_text_and_broken_images() -> None:
    blank = encoded(Image.new("RGB", (800, 600), "white"), "PNG")
    with pytest.raises(DocumentError) as exc:
        parse_document(data=blank, kind="auto")
    assert exc.value.code == "NO_TEXT"
    with pytest.raises(DocumentError) as exc:
        parse_document(data=blank[:60], kind="auto")
    assert exc.value.code == "CORRUPT_FILE"


def test_decompression_bomb_is_refused_before_decoding() -> None:
    huge = io.BytesIO()
    Image.new("1", (10_000, 7_000)).save(huge, format="PNG")  # 70 MP, ~10 KiB
    with pytest.raises(DocumentError) as exc:
        parse_document(data=huge.getvalue(), kind="auto")
    assert exc.value.code == "IMAGE_TOO_LARGE"


async def test_scanned_corpus_resume_uploads_and_parses(client: TestClient) -> None:
    source = CORPUS / "resumes" / "john_doe.pdf"
    if not source.is_file():
        pytest.skip(f"corpus not found at {source}")
    png = encoded(page_image(source.read_bytes(), scale=150 / 72), "PNG")
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    body = await upload(client, token, png, filename="scan.png")
    payload = body["data"]["uploadResume"]
    assert payload["userErrors"] == []
    assert payload["resume"]["fileType"] == "PNG"
    resume_id = payload["resume"]["id"]
    resume = await wait_for_resume(client, token, resume_id)
    assert resume["status"] == "READY", resume
    assert resume["engine"] == "OCR"
    info = resume["structuredData"]["personalInfo"]
    assert (info["name"], info["email"]) == ("John Doe", "john.doe@email.com")
    assert [w["company"] for w in resume["structuredData"]["workExperience"]] == [
        "ABC Company, Inc.",
        "XYZ Solutions",
    ]
