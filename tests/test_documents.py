"""Resume documents: sniffing, safe extraction, structuring, the parsing sandbox.

Pure service tests (no database). Every hostile file is generated here: an
encrypted, a truncated and a 500-page PDF, a DOCX zip bomb, a DTD-bearing DOCX,
10,000-deep JSON. Text PDFs are built by hand (Helvetica, one text run per line or
per positioned run), DOCX files with zipfile.
"""

from __future__ import annotations

import copy
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from pypdf import PdfWriter

from services.documents.extract import (
    MAX_PAGES,
    DocumentError,
    extract_text,
    json_depth,
    repair_text,
    sniff,
    structure_json,
)
from services.documents.offline import parse_resume_text
from services.documents.resumedata import (
    RESUME_DATA_SCHEMA,
    empty_resume_data,
    from_json_resume,
    validate_resume_data,
)
from services.documents.sandbox import parse_document, parse_in_sandbox

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLE = Path(__file__).parent / "fixtures" / "jsonresume.sample.json"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64  # a broken PNG
GIF = b"GIF89a" + b"\x00" * 64

# ------------------------------------------------------------------ builders


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_from_runs(runs: list[tuple[float, float, float, str]]) -> bytes:
    """A one-page PDF drawing each (x, y, size, text) run with Helvetica."""
    ops = ["BT"]
    for x, y, size, text in runs:
        ops.append(f"/F1 {size} Tf 1 0 0 1 {x} {y} Tm ({_pdf_escape(text)}) Tj")
    ops.append("ET")
    return pdf_from_content("\n".join(ops).encode("cp1252"))


def pdf_from_content(content: bytes) -> bytes:
    """A one-page PDF with the content stream `content` (font /F1: Helvetica)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_from_lines(lines: list[str]) -> bytes:
    """A one-page text PDF, one line of 11 pt Helvetica per entry."""
    return pdf_from_runs([(72, 740 - 14 * i, 11, line) for i, line in enumerate(lines)])


RESUME_LINES = [
    "Jane Q. Smith",
    "Senior Software Engineer",
    "Austin, TX | +1 (512) 555-0147 | jane.smith@example.com",
    "linkedin.com/in/janesmith | github.com/janesmith",
    "Summary",
    "Backend engineer with eight years of experience building payment systems.",
    "Experience",
    "Senior Software Engineer at Acme Payments",
    "Jan 2020 - Present",
    "\u2022 Led the ledger migration to a sharded PostgreSQL cluster.",
    "\u2022 Cut p99 latency by 40% across the checkout path.",
    "Globex Corporation | Software Engineer | 06/2016 - 12/2019",
    "\u2022 Built the fraud scoring service in Go.",
    "Education",
    "University of Texas at Austin",
    "B.S. in Computer Science, 2012 - 2016",
    "Skills",
    "Python, Go, PostgreSQL, Kubernetes, Terraform",
    "Certifications",
    "AWS Certified Solutions Architect",
]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOC_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'header" Target="header1.xml"/></Relationships>'
)


def _paragraphs(lines: list[str]) -> str:
    return "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
        for line in lines
    )


def docx_bytes(
    paragraphs: list[str],
    *,
    table: list[list[str]] | None = None,
    header: list[str] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A minimal DOCX: body paragraphs, an optional table and page header."""
    body = _paragraphs(paragraphs)
    if table:
        rows = "".join(
            "<w:tr>"
            + "".join(f"<w:tc>{_paragraphs([cell])}</w:tc>" for cell in row)
            + "</w:tr>"
            for row in table
        )
        body += f"<w:tbl>{rows}</w:tbl>"
    sect = '<w:sectPr><w:headerReference w:type="default" r:id="rId7"/></w:sectPr>'
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}'
        f"{sect if header else ''}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", document)
        if header:
            archive.writestr("word/_rels/document.xml.rels", DOC_RELS)
            archive.writestr(
                "word/header1.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="{W_NS}" '
                f'xmlns:r="{R_NS}">{_paragraphs(header)}</w:hdr>',
            )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def code_of(exc: pytest.ExceptionInfo[DocumentError]) -> str:
    return exc.value.code


# --------------------------------------------------------------------- sniff


def test_sniff_by_content() -> None:
    assert sniff(pdf_from_lines(["Hello"])) == "pdf"
    assert sniff(b"junk before %PDF-1.7 header") == "pdf"
    assert sniff(docx_bytes(["Hello"])) == "docx"
    assert sniff(b'\xef\xbb\xbf \n {"a": 1}') == "json"
    assert sniff(b"  [1, 2]") == "json"
    assert sniff(PNG) == "png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 16) == "jpeg"
    assert sniff(GIF) is None
    assert sniff(b"") is None
    assert sniff(b"plain text resume") is None
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(other_zip.getvalue()) is None
    assert sniff(b"PK\x03\x04 not really a zip") is None


@pytest.mark.parametrize("kind", ["pdf", "docx", "json", "auto"])
def test_empty_file(kind: str) -> None:
    for data in (b"", b"  \n\t "):
        with pytest.raises(DocumentError) as exc:
            extract_text(data, kind)
        assert code_of(exc) == "EMPTY_FILE"


def test_png_renamed_pdf_is_refused() -> None:
    for kind in ("pdf", "docx", "json", "jpeg"):
        with pytest.raises(DocumentError) as exc:
            extract_text(PNG, kind)
        assert code_of(exc) == "UNSUPPORTED_MEDIA_TYPE", kind
    with pytest.raises(DocumentError) as exc:
        extract_text(GIF, "auto")
    assert code_of(exc) == "UNSUPPORTED_MEDIA_TYPE"
    with pytest.raises(DocumentError) as exc:  # sniffed as a PNG, but broken
        extract_text(PNG, "auto")
    assert code_of(exc) == "CORRUPT_FILE"
    with pytest.raises(DocumentError) as exc:
        parse_document(data=PNG, kind="exe")
    assert code_of(exc) == "UNSUPPORTED_MEDIA_TYPE"


# ----------------------------------------------------------------------- PDF


def test_text_pdf_extracted_and_parsed() -> None:
    result = parse_document(data=pdf_from_lines(RESUME_LINES), kind="pdf")
    assert "Acme Payments" in result.text
    data = result.structured
    assert validate_resume_data(data) == []
    info = data["personalInfo"]
    assert info["name"] == "Jane Q. Smith"
    assert info["title"] == "Senior Software Engineer"
    assert info["email"] == "jane.smith@example.com"
    assert info["phone"] == "+1 (512) 555-0147"
    assert info["location"] == "Austin, TX"
    assert info.get("linkedin") == "https://linkedin.com/in/janesmith"
    assert info.get("github") == "https://github.com/janesmith"
    work = data["workExperience"]
    assert [(w["title"], w["company"], w["years"]) for w in work] == [
        ("Senior Software Engineer", "Acme Payments", "Jan 2020 - Present"),
        ("Software Engineer", "Globex Corporation", "06/2016 - 12/2019"),
    ]
    assert work[0]["description"] == [
        "Led the ledger migration to a sharded PostgreSQL cluster.",
        "Cut p99 latency by 40% across the checkout path.",
    ]
    school = data["education"][0]
    assert school["institution"] == "University of Texas at Austin"
    assert school["degree"] == "B.S. in Computer Science"
    assert school["years"] == "2012 - 2016"
    assert data["additional"]["technicalSkills"] == [
        "Python",
        "Go",
        "PostgreSQL",
        "Kubernetes",
        "Terraform",
    ]
    assert data["additional"]["certificationsTraining"] == [
        "AWS Certified Solutions Architect"
    ]
    assert data["summary"].startswith("Backend engineer with eight years")


def test_auto_kind_sniffs() -> None:
    result = parse_document(data=pdf_from_lines(RESUME_LINES), kind="auto")
    assert result.structured["personalInfo"]["name"] == "Jane Q. Smith"


def test_two_column_pdf_is_read_column_by_column() -> None:
    sidebar = [
        "CONTACT",
        "mark.jones@mail.co.uk",
        "+44 20 7946 0958",
        "SKILLS",
        "Python",
        "SQL",
        "Tableau",
        "LANGUAGES",
        "English",
        "French",
    ]
    main = [
        "Mark Jones",
        "Data Analyst",
        "EXPERIENCE",
        "Data Analyst, Acme Analytics Ltd",
        "2019 - Present",
        "Built dashboards in Tableau for twelve product teams.",
        "Junior Analyst, Globex Corporation",
        "2017 - 2019",
        "EDUCATION",
        "University of Leeds",
        "BSc Economics, 2014 - 2017",
    ]
    runs = []  # drawn row by row: pypdf alone would interleave the columns
    for row in range(max(len(sidebar), len(main))):
        y = 740 - 16 * row
        if row < len(sidebar):
            runs.append((40.0, y, 10.0, sidebar[row]))
        if row < len(main):
            runs.append((220.0, y, 10.0, main[row]))
    result = parse_document(data=pdf_from_runs(runs), kind="pdf")
    assert "Python\nSQL\nTableau" in result.text
    data = result.structured
    assert data["personalInfo"]["name"] == "Mark Jones"
    assert data["personalInfo"]["email"] == "mark.jones@mail.co.uk"
    assert [w["company"] for w in data["workExperience"]] == [
        "Acme Analytics Ltd",
        "Globex Corporation",
    ]
    assert data["education"][0]["institution"] == "University of Leeds"
    assert data["additional"]["technicalSkills"] == ["Python", "SQL", "Tableau"]
    assert data["additional"]["languages"] == ["English", "French"]


def _writer_with_text() -> PdfWriter:
    from pypdf import PdfReader

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_from_lines(RESUME_LINES))))
    return writer


def test_encrypted_pdf() -> None:
    writer = _writer_with_text()
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError) as exc:
        extract_text(buffer.getvalue(), "pdf")
    assert code_of(exc) == "ENCRYPTED_PDF"


def test_pdf_with_only_an_owner_password_is_read() -> None:
    writer = _writer_with_text()
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "Jane Q. Smith" in extract_text(buffer.getvalue(), "pdf")


def test_truncated_pdf() -> None:
    data = pdf_from_lines(RESUME_LINES)
    with pytest.raises(DocumentError) as exc:
        extract_text(data[: len(data) // 2], "pdf")
    assert code_of(exc) == "CORRUPT_FILE"


def test_garbled_pdf() -> None:
    data = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    with pytest.raises(DocumentError) as exc:
        extract_text(data, "pdf")
    assert code_of(exc) in ("CORRUPT_FILE", "NO_TEXT")


def test_too_many_pages_is_refused_fast() -> None:
    writer = PdfWriter()
    for _ in range(500):
        writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    start = time.perf_counter()
    with pytest.raises(DocumentError) as exc:
        extract_text(buffer.getvalue(), "pdf")
    assert code_of(exc) == "TOO_MANY_PAGES"
    assert str(MAX_PAGES) in exc.value.message
    assert time.perf_counter() - start < 2.0


def test_scanned_pdf_has_no_text() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError) as exc:
        extract_text(buffer.getvalue(), "pdf")
    assert code_of(exc) == "NO_TEXT"


# ---------------------------------------------------------------------- DOCX


def test_docx_text_tables_and_header() -> None:
    data = docx_bytes(
        [
            "Ada Lovelace",
            "ada@analytical.org | +44 20 7123 4567",
            "Experience",
            "Analyst at Babbage Engines Ltd",
            "1998 - 2001",
            "- Wrote the first published algorithm.",
            "Education",
        ],
        table=[["University of London", "BSc Mathematics, 1995 - 1998"]],
        header=["London, UK"],
    )
    text = extract_text(data, "docx")
    assert text.startswith("London, UK\nAda Lovelace")
    assert "University of London | BSc Mathematics, 1995 - 1998" in text
    assert "- Wrote the first published algorithm." in text
    data_ = parse_document(data=data, kind="docx").structured
    assert data_["personalInfo"]["name"] == "Ada Lovelace"
    assert data_["personalInfo"]["email"] == "ada@analytical.org"
    assert data_["personalInfo"]["location"] == "London, UK"
    work = data_["workExperience"][0]
    assert (work["title"], work["company"], work["years"]) == (
        "Analyst",
        "Babbage Engines Ltd",
        "1998 - 2001",
    )
    assert work["description"] == ["Wrote the first published algorithm."]
    school = data_["education"][0]
    assert (school["institution"], school["degree"]) == (
        "University of London",
        "BSc Mathematics",
    )


def test_docx_text_box_is_read_in_document_order() -> None:
    # Word puts sidebars and skill boxes in text boxes (w:txbxContent).
    box = (
        '<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml">'
        "<v:textbox><w:txbxContent>"
        + _paragraphs(["Skills", "Python, SQL, Airflow"])
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    marker = _paragraphs(["BOX"])
    plain = docx_bytes(["Ada Lovelace", "ada@analytical.org", "BOX"])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain)) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for name in source.namelist():
            content = source.read(name)
            if name == "word/document.xml":
                content = content.replace(marker.encode(), box.encode())
            target.writestr(name, content)
    data = buffer.getvalue()
    text = extract_text(data, "docx")
    assert text == "Ada Lovelace\nada@analytical.org\nSkills\nPython, SQL, Airflow"
    structured = parse_document(data=data, kind="docx").structured
    assert structured["additional"]["technicalSkills"] == ["Python", "SQL", "Airflow"]


def test_docx_zip_bomb_is_refused_from_the_directory() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):  # 200 MiB of zeros, about 200 KiB compressed
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1 << 20
    start = time.perf_counter()
    with pytest.raises(DocumentError) as exc:
        extract_text(data, "docx")
    assert code_of(exc) == "ARCHIVE_TOO_LARGE"
    assert time.perf_counter() - start < 1.0


def test_docx_high_compression_ratio_is_refused() -> None:
    data = docx_bytes(["Hi"], extra={"word/filler.xml": b" " * (8 << 20)})
    with pytest.raises(DocumentError) as exc:
        extract_text(data, "docx")
    assert code_of(exc) == "ARCHIVE_TOO_LARGE"
    assert "ratio" in exc.value.message


def test_docx_with_too_many_parts_is_refused() -> None:
    extra = {f"word/part{i}.xml": b"<x/>" for i in range(1200)}
    with pytest.raises(DocumentError) as exc:
        extract_text(docx_bytes(["Hi"], extra=extra), "docx")
    assert code_of(exc) == "ARCHIVE_TOO_LARGE"


def test_docx_lying_about_its_size_is_not_inflated() -> None:
    data = bytearray(docx_bytes(["Hello world"], extra={"word/big.xml": b"a" * 5000}))
    # Shrink the declared size of word/big.xml in the central directory.
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/big.xml"))
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")
    with pytest.raises(DocumentError) as exc:
        extract_text(bytes(data), "docx")
    assert code_of(exc) in ("CORRUPT_FILE", "ARCHIVE_TOO_LARGE")


def test_docx_with_a_dtd_is_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r>'
        "</w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", laughs)
    with pytest.raises(DocumentError) as exc:
        extract_text(buffer.getvalue(), "docx")
    assert code_of(exc) == "CORRUPT_FILE"


def test_corrupt_and_foreign_zips() -> None:
    with pytest.raises(DocumentError) as exc:
        extract_text(b"PK\x03\x04" + b"\x00garbage" * 50, "docx")
    assert code_of(exc) == "CORRUPT_FILE"
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentError) as exc:
        extract_text(other.getvalue(), "docx")
    assert code_of(exc) == "UNSUPPORTED_MEDIA_TYPE"


# ---------------------------------------------------------------------- JSON


def test_json_depth_scan() -> None:
    assert json_depth(b'{"a": "[[[{{{", "b": [1, {"c": []}]}') == 4
    assert json_depth(b'["\\"[[[", 1]') == 1
    assert json_depth(b"[" * 100_000 + b"]" * 100_000) == 100_000
    assert json_depth(b"42") == 0


def test_json_nested_ten_thousand_deep() -> None:
    data = b"[" * 10_000 + b"]" * 10_000
    for call in (lambda: extract_text(data, "json"), lambda: structure_json(data)):
        with pytest.raises(DocumentError) as exc:
            call()
        assert code_of(exc) == "JSON_TOO_DEEP"


def test_invalid_json() -> None:
    for data in (b'{"personalInfo": ', b"[1, 2,]", b'{"a": "\xff\xfe"}'):
        with pytest.raises(DocumentError) as exc:
            structure_json(data)
        assert code_of(exc) == "INVALID_JSON"
    assert extract_text(b'\xef\xbb\xbf{"a": 1}', "json") == '{"a": 1}'


def _resume_data() -> dict[str, Any]:
    data: dict[str, Any] = dict(empty_resume_data())
    data["personalInfo"] = {
        "name": "Grace Hopper",
        "title": "Rear Admiral",
        "email": "grace@navy.mil",
        "phone": "",
        "location": "Arlington, VA",
        "github": "https://github.com/grace",
    }
    data["workExperience"] = [
        {
            "id": 1,
            "title": "Computer Scientist",
            "company": "US Navy",
            "years": "1943 - 1986",
            "description": ["Wrote the first compiler."],
        }
    ]
    data["customSections"] = {"talks": {"title": "Talks", "items": ["Nanoseconds"]}}
    return data


def test_resume_data_json_is_validated_and_kept() -> None:
    data = _resume_data()
    assert validate_resume_data(data) == []
    assert structure_json(json.dumps(data).encode()) == data
    result = parse_document(data=json.dumps(data).encode(), kind="json")
    assert result.structured == data


def test_invalid_resume_data_json_names_the_paths() -> None:
    data = _resume_data()
    data["workExperience"][0]["id"] = "one"
    data["personalInfo"]["nickname"] = "Amazing Grace"
    del data["summary"]
    problems = validate_resume_data(data)
    assert any(p.startswith("workExperience[0].id:") for p in problems)
    assert any(p.startswith("personalInfo:") and "nickname" in p for p in problems)
    assert any("summary" in p for p in problems)
    with pytest.raises(DocumentError) as exc:
        structure_json(json.dumps(data).encode())
    assert code_of(exc) == "INVALID_JSON"
    assert "workExperience[0].id" in exc.value.message
    long = _resume_data()
    long["summary"] = "x" * 20_000
    assert any(p.startswith("summary:") for p in validate_resume_data(long))


def test_json_resume_is_mapped() -> None:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data = structure_json(json.dumps(sample).encode())
    assert validate_resume_data(data) == []
    info = data["personalInfo"]
    assert info["name"] == "Richard Hendriks"
    assert info["title"] == "Programmer"
    assert info["email"] == "richard.hendriks@mail.com"
    assert info["location"] == "San Francisco, California, US"
    assert info.get("website") == "http://richardhendricks.example.com"
    work = data["workExperience"][0]
    assert (work["company"], work["title"], work["years"]) == (
        "Pied Piper",
        "CEO/President",
        "Dec 2013 - Dec 2014",
    )
    assert "Successfully won Techcrunch Disrupt" in work["description"]
    assert data["education"][0]["institution"] == "University of Oklahoma"
    assert data["education"][0]["degree"] == "Bachelor in Information Technology"
    assert data["additional"]["technicalSkills"] == [
        "HTML",
        "CSS",
        "Javascript",
        "Mpeg",
        "MP4",
        "GIF",
    ]
    assert data["additional"]["languages"] == ["English (Native speaker)"]
    assert data["additional"]["awards"][0].startswith(
        "Digital Compression Pioneer Award"
    )
    assert data["personalProjects"][0]["name"] == "Miss Direction"
    assert data["personalProjects"][0]["role"] == "Team lead, Designer"
    assert set(data["customSections"]) >= {"volunteer", "publications", "references"}


def test_from_json_resume_is_defensive() -> None:
    hostile = {
        "basics": {"name": ["not", "a", "string"], "profiles": "nope"},
        "work": [None, 3, {"name": "X" * 5000, "startDate": {"y": 1}}],
        "skills": [{"keywords": [1, None, "Go"]}],
        "interests": "not a list",
    }
    data = from_json_resume(hostile)
    assert validate_resume_data(data) == []
    assert data["personalInfo"]["name"] == ""
    assert data["workExperience"][2]["company"] == "X" * 300
    assert data["additional"]["technicalSkills"] == ["1", "Go"]


def test_other_json_is_unsupported() -> None:
    for data in (b'{"hello": "world"}', b"[1, 2, 3]", b'"just a string"'):
        with pytest.raises(DocumentError) as exc:
            structure_json(data)
        assert code_of(exc) in ("UNSUPPORTED_MEDIA_TYPE", "INVALID_JSON")


def test_schema_is_closed_and_bounded() -> None:
    assert RESUME_DATA_SCHEMA["additionalProperties"] is False
    work_item = RESUME_DATA_SCHEMA["properties"]["workExperience"]["items"]
    assert work_item["additionalProperties"] is False
    assert RESUME_DATA_SCHEMA["properties"]["summary"]["maxLength"] == 10_000
    assert validate_resume_data(empty_resume_data()) == []
    assert validate_resume_data(None) != []


# -------------------------------------------------------------- text repair


def test_repair_lost_ligatures_and_icon_junk() -> None:
    text = repair_text(
        "Pro les\nCERTI CATIONS\nAn e ective, e cient work ow for the of ce\n"
        "\u2642\u00b6obile-alt (123) 456-7890\n\u2709 a@b.co\n"
        "/linkedin-in jdoe\n\ue001 +1 555 123 4567\n"
        "E X P E R I E N C E\n\u25aa first item\nCertiﬁed in ﬂuid dynamics"
    )
    assert text.split("\n") == [
        "Profiles",
        "CERTIFICATIONS",
        "An effective, efficient workflow for the office",
        "(123) 456-7890",
        "a@b.co",
        "LinkedIn: jdoe",
        "+1 555 123 4567",
        "EXPERIENCE",
        "\u2022 first item",
        "Certified in fluid dynamics",
    ]
    # Real words are left alone, and the repair is idempotent.
    plain = "I led the team and filed the les miserables review on T cells"
    assert repair_text(plain) == plain
    assert repair_text(text) == text


def test_pdf_kerning_splits_are_rejoined() -> None:
    # pypdf turns large TJ kerns into spaces even when they tighten the text.
    content = (
        b"BT /F1 11 Tf 72 700 Td [(F)300(ull Stack, SQL, A)300(WS)] TJ "
        b"0 -14 Td (Jane Doe jane@doe.dev plus some more words here) Tj ET"
    )
    text = extract_text(pdf_from_content(content), "pdf")
    assert text.split("\n")[0] == "Full Stack, SQL, AWS"


# ------------------------------------------------------------ offline parser

SIDEBAR_FIRST = """
CONTACT
\u260e +44 20 7946 0958
\uf0e0 mark.jones@mail.co.uk
London, UK
SKILLS
Python
SQL
Tableau
LANGUAGES
English
French
MARK JONES
DATA ANALYST
PROFESSIONAL EXPERIENCE
Acme Analytics Ltd | Data Analyst | 03/2019 - 06/2021
1. Built dashboards in Tableau for 12 teams.
2. Automated reporting with Python.
Globex Corporation | Junior Analyst | 2017-2019
* Cleaned data.
EDUCATION
BSc Economics
University of Leeds
2014 - 2017
INTERESTS
Chess, climbing
"""


def test_parser_sidebar_first_two_column_text() -> None:
    data = parse_resume_text(SIDEBAR_FIRST)
    info = data["personalInfo"]
    assert (info["name"], info["title"]) == ("Mark Jones", "DATA ANALYST")
    assert info["phone"] == "+44 20 7946 0958"
    assert info["email"] == "mark.jones@mail.co.uk"
    assert info["location"] == "London, UK"
    assert data["additional"]["technicalSkills"] == ["Python", "SQL", "Tableau"]
    assert data["additional"]["languages"] == ["English", "French"]
    work = data["workExperience"]
    assert [(w["company"], w["title"], w["years"]) for w in work] == [
        ("Acme Analytics Ltd", "Data Analyst", "03/2019 - 06/2021"),
        ("Globex Corporation", "Junior Analyst", "2017 - 2019"),
    ]
    assert work[0]["description"] == [
        "Built dashboards in Tableau for 12 teams.",
        "Automated reporting with Python.",
    ]
    school = data["education"][0]
    assert (school["institution"], school["degree"], school["years"]) == (
        "University of Leeds",
        "BSc Economics",
        "2014 - 2017",
    )
    assert data["customSections"]["interests"]["items"] == ["Chess, climbing"]


DATE_COLUMN = """
Carlos Alberto Mendes
Product Designer
carlos.mendes@gmail.com \u2022 +55 11 98765-4321 \u2022 S\u00e3o Paulo, Brazil
Pro le
Designer focused on e ective, accessible interfaces.
Work History
2021 \u2013
Present
Senior Product Designer, Nubank, S\u00e3o Paulo
Designed the card onboarding, improving conversion by 12%. Ran usability
studies with 200+ customers.
2018 \u2013 2021 Product Designer, Globo.com, Rio de Janeiro
Redesigned the video player.
Education
2013 \u2013 2017 Bachelor of Design, Universidade de S\u00e3o Paulo, S\u00e3o Paulo
Certi cations
Google UX Design Certi cate
Awards
Red Dot Design Award 2020
"""


def test_parser_date_column_and_lost_ligatures() -> None:
    data = parse_resume_text(DATE_COLUMN)
    assert data["personalInfo"]["name"] == "Carlos Alberto Mendes"
    assert data["personalInfo"]["location"] == "S\u00e3o Paulo, Brazil"
    assert data["summary"] == "Designer focused on effective, accessible interfaces."
    work = data["workExperience"]
    assert [(w["title"], w["company"], w["years"]) for w in work] == [
        ("Senior Product Designer", "Nubank", "2021 - Present"),
        ("Product Designer", "Globo.com", "2018 - 2021"),
    ]
    assert work[0].get("location") == "S\u00e3o Paulo"
    assert work[0]["description"] == [
        "Designed the card onboarding, improving conversion by 12%.",
        "Ran usability studies with 200+ customers.",
    ]
    assert data["education"][0]["institution"] == "Universidade de S\u00e3o Paulo"
    assert data["additional"]["certificationsTraining"] == [
        "Google UX Design Certificate"
    ]
    assert data["additional"]["awards"] == ["Red Dot Design Award 2020"]


def test_parser_title_company_forms_and_international_phones() -> None:
    text = """Priya Raman
priya.raman@outlook.com | +91 98450 12345
Bengaluru, India
EMPLOYMENT
Data Engineer, Flipkart, Bengaluru    Aug 2019 \u2013 Present
o Built streaming pipelines on Kafka
Infosys Limited \u2014 Associate Software Engineer
Jul 2017 - Jul 2019
\u25aa Maintained ETL jobs
Software Intern @ Wipro
Summer 2016
EDUCATION
B.E. (Computer Science), R.V. College of Engineering, 2013-2017, CGPA: 8.7
PROJECTS
Realtime Fraud Detector | github.com/priya/fraud
- Detected card fraud in under 200 ms.
"""
    data = parse_resume_text(text)
    assert data["personalInfo"]["phone"] == "+91 98450 12345"
    assert data["personalInfo"]["location"] == "Bengaluru, India"
    assert "github" not in data["personalInfo"]  # a project link, not a profile
    work = data["workExperience"]
    assert [(w["title"], w["company"], w["years"]) for w in work] == [
        ("Data Engineer", "Flipkart", "Aug 2019 - Present"),
        ("Associate Software Engineer", "Infosys Limited", "Jul 2017 - Jul 2019"),
        ("Software Intern", "Wipro", "Summer 2016"),
    ]
    assert work[0]["description"] == ["Built streaming pipelines on Kafka"]
    assert work[1]["description"] == ["Maintained ETL jobs"]
    school = data["education"][0]
    assert school["institution"] == "R.V. College of Engineering"
    assert school["degree"] == "B.E. (Computer Science)"
    assert "CGPA: 8.7" in school.get("description", "")
    project = data["personalProjects"][0]
    assert project["name"] == "Realtime Fraud Detector"
    assert project.get("github") == "https://github.com/priya/fraud"
    assert project["description"] == ["Detected card fraud in under 200 ms."]


@pytest.mark.parametrize(
    "phone",
    ["+1 (415) 555-0134", "+44 20 7946 0958", "(123) 456-7890", "+49 30 901820"],
)
def test_parser_phone_formats(phone: str) -> None:
    data = parse_resume_text(f"Ann Lee\n{phone} | ann@lee.io\nSkills\nGo, Rust")
    assert data["personalInfo"]["phone"] == phone
    assert data["personalInfo"]["name"] == "Ann Lee"


def test_parser_keeps_unplaced_lines() -> None:
    data = parse_resume_text(
        "Sam Doe\nsam@doe.dev\nOpen to relocation\nVolunteering\n"
        "Food bank shifts every Saturday\nReferences\nAvailable on request"
    )
    custom = data["customSections"]
    assert custom["other"]["items"] == ["Open to relocation"]
    assert custom["volunteering"]["items"] == ["Food bank shifts every Saturday"]
    assert custom["references"]["items"] == ["Available on request"]
    assert validate_resume_data(data) == []


def test_parser_degenerate_input() -> None:
    assert parse_resume_text("") == empty_resume_data()
    data = parse_resume_text("Experience\n" + "2019 - 2020\n" * 500)
    assert validate_resume_data(data) == []
    data = parse_resume_text("x" * 600_000)
    assert validate_resume_data(data) == []


CORPUS_PEOPLE = {
    "alfred_pennyworth_pm.pdf": ("Alfred Pennyworth", "alfred.pennyworth@email.com"),
    "barry_allen_fe.pdf": ("Barry Allen", "allthe.stars@google.com"),
    "bruce_wayne_fullstack.pdf": ("Bruce Wayne", "bwayne@email.com"),
    "harvey_dent_mle.pdf": ("Harvey Dent", "hdent@email.com"),
    "john_doe.pdf": ("John Doe", "john.doe@email.com"),
    "openresume-resume.pdf": ("John Doe", "hello@openresume.com"),
}


@pytest.mark.skipif(not (CORPUS / "resumes").is_dir(), reason="no shared corpus")
def test_corpus_resumes_name_and_email() -> None:
    files = sorted((CORPUS / "resumes").glob("*.pdf"))
    assert files
    for path in files:
        data = parse_document(data=path.read_bytes(), kind="pdf").structured
        assert validate_resume_data(data) == [], path.name
        if path.name in CORPUS_PEOPLE:
            name, email = CORPUS_PEOPLE[path.name]
            assert data["personalInfo"]["name"] == name, path.name
            assert data["personalInfo"]["email"] == email, path.name
        else:  # a file added later: at least a name-like name and an email
            assert data["personalInfo"]["name"], path.name
            assert "@" in data["personalInfo"]["email"], path.name


@pytest.mark.skipif(not (CORPUS / "jsonresume").is_dir(), reason="no shared corpus")
def test_corpus_json_resume_sample() -> None:
    data = (CORPUS / "jsonresume" / "sample.resume.json").read_bytes()
    result = parse_document(data=data, kind="auto")
    assert result.structured["personalInfo"]["name"] == "Richard Hendriks"


# ------------------------------------------------------------------- sandbox


async def test_sandbox_parses_in_a_child_process() -> None:
    result = await parse_in_sandbox(data=pdf_from_lines(RESUME_LINES), kind="pdf")
    assert result.structured["personalInfo"]["name"] == "Jane Q. Smith"
    assert result.structured["workExperience"][0]["company"] == "Acme Payments"
    assert "jane.smith@example.com" in result.text
    docx = await parse_in_sandbox(
        data=docx_bytes(["Ada Lovelace", "a@b.io"]), kind="docx"
    )
    assert docx.structured["personalInfo"]["email"] == "a@b.io"


async def test_sandbox_reports_document_errors() -> None:
    writer = _writer_with_text()
    writer.encrypt(user_password="secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError) as exc:
        await parse_in_sandbox(data=buffer.getvalue(), kind="pdf")
    assert code_of(exc) == "ENCRYPTED_PDF"
    with pytest.raises(DocumentError) as exc:
        await parse_in_sandbox(data=b"[" * 10_000 + b"]" * 10_000, kind="json")
    assert code_of(exc) == "JSON_TOO_DEEP"
    with pytest.raises(DocumentError) as exc:
        await parse_in_sandbox(data=b"", kind="pdf")
    assert code_of(exc) == "EMPTY_FILE"


async def test_sandbox_timeout_kills_the_child() -> None:
    start = time.perf_counter()
    with pytest.raises(DocumentError) as exc:
        await parse_in_sandbox(
            data=pdf_from_lines(RESUME_LINES), kind="pdf", timeout=0.001
        )
    assert code_of(exc) == "TIMEOUT"
    assert time.perf_counter() - start < 5


async def test_sandbox_memory_limit() -> None:
    with pytest.raises(DocumentError) as exc:
        await parse_in_sandbox(
            data=pdf_from_lines(RESUME_LINES), kind="pdf", memory_mb=16
        )
    assert code_of(exc) == "PARSE_FAILED"


def test_documents_are_not_modified() -> None:
    data = _resume_data()
    before = copy.deepcopy(data)
    structure_json(json.dumps(data).encode())
    assert data == before
