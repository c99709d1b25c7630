"""Uploaded resume files: content-type sniffing and safe text extraction.

This module owns the hostile-input boundary of resume intake:

- `sniff(data)`: "pdf", "docx" or "json" from the bytes alone (never the name);
- `extract_text(data, kind)`: the text of a PDF (pypdf), a DOCX (docx2python) or
  a JSON file, with every limit checked before the expensive step: page count from
  the page tree before any page is read, the zip directory (declared sizes,
  compression ratios, member count) before anything is inflated, JSON nesting
  depth by a bracket scan before `json.loads`;
- `structure_json(data)`: a JSON upload (our ResumeData or a JSON Resume
  document) as ResumeData;
- `repair_text(text)`: the clean-up every extracted text gets (ligature
  characters, ligatures pypdf lost: "Pro les" -> "Profiles", icon-font junk,
  spaced-out headings); the offline parser applies it too, so it is idempotent.
  PDF text also gets kerning-split words rejoined ("F ull" -> "Full", "A WS" ->
  "AWS": pypdf counts large tightening kerns as spaces).

Failures raise `DocumentError(code, message)`; the codes are listed on the class.
Time and memory are bounded further by running this in `sandbox.py`'s child.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import zipfile
from typing import Any, Literal

from services.documents.resumedata import (
    ResumeData,
    from_json_resume,
    validate_resume_data,
)

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_ARCHIVE_MEMBERS",
    "MAX_COMPRESSION_RATIO",
    "MAX_JSON_DEPTH",
    "MAX_PAGES",
    "MAX_TEXT_CHARS",
    "DocumentError",
    "extract_text",
    "json_depth",
    "repair_text",
    "sniff",
    "structure_json",
]

MAX_PAGES = 50
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024  # declared (and actual) inflated total
MAX_COMPRESSION_RATIO = 200
RATIO_MIN_MEMBER_BYTES = 256 * 1024  # smaller members cannot be bombs
MAX_ARCHIVE_MEMBERS = 1000
MAX_JSON_DEPTH = 64
MAX_TEXT_CHARS = 500_000  # extracted text beyond this is cut

Kind = Literal["pdf", "docx", "json"]
KINDS: tuple[Kind, ...] = ("pdf", "docx", "json")

logging.getLogger("pypdf").setLevel(logging.ERROR)


class DocumentError(Exception):
    """An upload we refuse, with a stable `code` and a human `message`.

    Codes: UNSUPPORTED_MEDIA_TYPE, EMPTY_FILE, ENCRYPTED_PDF, CORRUPT_FILE,
    TOO_MANY_PAGES, ARCHIVE_TOO_LARGE, INVALID_JSON, JSON_TOO_DEEP, NO_TEXT; the
    sandbox adds TIMEOUT and PARSE_FAILED.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# ----------------------------------------------------------------------- sniff


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def sniff(data: bytes) -> Kind | None:
    """The file type by content: "pdf" (`%PDF-` in the first 1024 bytes), "docx"
    (a zip whose directory lists `word/document.xml`), "json" (optional UTF-8 BOM
    and whitespace, then `{` or `[`), else None."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data)
        return "docx" if names is not None and "word/document.xml" in names else None
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip(b" \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    return None


# ------------------------------------------------------------------- text repair

_LIGATURE_CHARS = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\t": " ",
        "\f": "\n",
        "\v": "\n",
        "\r": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        "\u2019": "'",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)
# Private-use area (icon fonts), replacement char, zero-width and control chars.
_INVISIBLE = re.compile(
    "[\ue000-\uf8ff\U000f0000-\U0010ffff\ufffd\u200b-\u200d\u2060\ufeff\u00ad"
    "\x00-\x08\x0e-\x1f\x7f]"
)
_BULLET_CHARS = "•●○◦▪▫■□►▸▹‣\u2043✓✔➢➤❖◆◇→∙·⦁◾◽"
# A bullet glyph starting a line is kept (normalised to "•"); elsewhere dingbats,
# arrows, shapes, symbols and emoji are icon junk.
_LEADING_BULLET = re.compile(rf"^[ ]*[{_BULLET_CHARS}][ ]*", re.MULTILINE)
_SYMBOLS = (
    "\u00b6\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u25ff\u2600-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\U0001f000-\U0001faff"
)
# Symbols, plus a glyph name glued after them ("♂¶obile-alt").
_SYMBOL_JUNK = re.compile(rf"[{_SYMBOLS}]+(?:[a-z]+(?:-[a-z]+)+(?=\s|$))?")
# Icon glyph names leaked as text: "/linkedin-in", "/github", "mobile-alt".
_GLYPH_NAME = re.compile(
    r"(?<!\S)/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?=\s|$)"
    r"|(?<!\S)[a-z]+(?:-[a-z]+)*-(?:alt|square|circle)(?=\s|$)"
)
_GLYPH_LABELS = {
    "linkedin": "LinkedIn:",
    "github": "GitHub:",
    "gitlab": "GitLab:",
    "twitter": "Twitter:",
    "x-twitter": "Twitter:",
    "stack-overflow": "Stack Overflow:",
}
_SPACES = re.compile(r"[ ]{2,}")
_SPACED_CAPS = re.compile(r"^[A-Z](?: {1,3}[A-Z&]){3,}$", re.MULTILINE)
# "F ull", "P roduct": kerned capitals pypdf split off (its TJ spacing test uses
# abs(offset), so tightening kerns count as spaces); "A WS" -> "AWS". PDF only.
_SPLIT_CAPITAL = re.compile(r"\b([FPTVWY]) ([a-z]{2,})\b|\bA ([TVWY][A-Z]{1,4})\b")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STOPWORDS = _set(
    "a an and are as at be by for from in into is it of on or the to with was "
    "were has have had not but so if then than that this"
)

# Words whose fi/fl/ff/ffi/ffl ligature pypdf may lose ("Pro les", "e ective").
_LIGATURE_WORDS = """
profile profiles profiled proficient proficiency profit profits profitable
profitability certification certifications certified certificate certificates
certify effective effectively effectiveness efficient efficiently efficiency
efficiencies effort efforts effect effects office offices officer officers official
officially offer offers offered offering offerings offline offshore affiliate
affiliated affiliation affiliations affairs afford affordable staff staffing traffic
difference differences different differentiate differentiated differentiation
buffer buffers tariff scaffold scaffolding handoff kickoff tradeoff tradeoffs layoff
field fields final finally finalize finalized finalist finance finances financial
financially financing finding findings first fiscal fitness fixed fixes fixing
fixture fixtures files filed filing filter filters filtered filtering filled filling
firms firmware firewall firewalls firebase firefox figma figure figures fiber
fiction fidelity fintech specific specifically specification specifications
specified specify specifying scientific scientist scientists artificial beneficial
benefit benefits benefited configuration configurations configure configured
configuring configurable confidence confident confidential conflict conflicts
flexible flexibility workflow workflows dataflow overflow stackoverflow airflow
tensorflow flask flutter fluent fluency fluently flight flights flagship floating
fleet influence influenced influencer influential reflect reflected reflecting
reflection reflects inflation identified identify identifying identification
identifier identifiers verified verify verification modified modify modification
modifications classification classified classifier classifiers classify
notification notifications notified simplified simplify simplifying qualified
qualification qualifications quantified quantify satisfied satisfaction justified
unified diversified amplified significant significantly magnificent definition
definitions defined define defining definitely deficit difficult difficulty
difficulties sufficient insufficient fluid briefly affect affected affecting
efficacy offboarding fifteen fifty
"""
_LIGATURES = ("ffi", "ffl", "ff", "fi", "fl")
# Word starts ("eld" for "field") that are words or acronyms themselves.
_NOT_LOST = _set("ask utter rebase les ows ight ights ber led ling lled rms uid")


def _build_ligature_maps() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    pairs: dict[tuple[str, str], str] = {}
    singles: dict[str, str] = {}
    words = _LIGATURE_WORDS.split()
    known = set(words)
    for word in words:
        for lig in _LIGATURES:
            start = word.find(lig)
            while start >= 0:
                left, right = word[:start], word[start + len(lig) :]
                if left and right:
                    pairs.setdefault((left, right), word)
                    joined = left + right
                    if len(joined) >= 5 and joined not in known:
                        singles.setdefault(joined, word)
                elif (len(right) >= 4 or right in ("eld", "rst")) and (
                    right not in _NOT_LOST
                ):
                    singles.setdefault(right, word)
                start = word.find(lig, start + 1)
    return pairs, singles


_LIGATURE_PAIRS, _LIGATURE_SINGLES = _build_ligature_maps()
_LIGATURE_RIGHTS = frozenset(right for _, right in _LIGATURE_PAIRS)
_WORD_TOKEN = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")


def _match_case(fragment: str, word: str) -> str:
    if fragment.isupper() and len(fragment) > 1:
        return word.upper()
    if fragment[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _repair_ligature_line(line: str) -> str:
    tokens = line.split(" ")
    out: list[str] = []
    changed = False
    for token in tokens:
        match = _WORD_TOKEN.match(token)
        if match is None:
            out.append(token)
            continue
        lead, core, trail = match.groups()
        lower = core.lower()
        if lower in _LIGATURE_RIGHTS and out and not lead:
            prev = _WORD_TOKEN.match(out[-1])
            if prev is not None and not prev.group(3):
                word = _LIGATURE_PAIRS.get((prev.group(2).lower(), lower))
                if word is not None:
                    out[-1] = prev.group(1) + _match_case(prev.group(2), word) + trail
                    changed = True
                    continue
        word = _LIGATURE_SINGLES.get(lower)
        if word is not None:
            out.append(lead + _match_case(core, word) + trail)
            changed = True
            continue
        out.append(token)
    return " ".join(out) if changed else line


def _join_split_capital(match: re.Match[str]) -> str:
    if match.group(3):
        return "A" + match.group(3)
    if match.group(2) in _STOPWORDS:
        return match.group(0)
    return match.group(1) + match.group(2)


def _glyph(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is None:
        return ""
    for prefix, label in _GLYPH_LABELS.items():
        if name == prefix or name.startswith(prefix + "-"):
            return label
    return ""


def repair_text(text: str) -> str:
    """`text` cleaned for parsing (idempotent): ligature characters expanded and
    lost ligatures restored, icon-font junk removed (icon glyph names for
    LinkedIn/GitHub become "LinkedIn:"/"GitHub:" labels), leading bullet glyphs
    normalised to "• ", spaced-out capitals ("E X P E R I E N C E") collapsed,
    spaces squeezed, lines stripped. (Kerning-split words, "F ull", are rejoined
    for PDFs only, before this.)"""
    text = text.replace("\r\n", "\n").translate(_LIGATURE_CHARS)
    text = _INVISIBLE.sub("", text)
    text = _LEADING_BULLET.sub("• ", text)
    text = _SYMBOL_JUNK.sub(" ", text)
    if "/" in text or "-alt" in text:
        text = _GLYPH_NAME.sub(_glyph, text)
    text = _SPACED_CAPS.sub(
        lambda m: " ".join(w.replace(" ", "") for w in re.split(r" {2,}", m[0])),
        text,
    )
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if line:
            line = _repair_ligature_line(line)
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ------------------------------------------------------------------------- PDF


def _pdf_text(data: bytes) -> str:
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

    texts: list[str] = []
    links: list[str] = []
    size = 0
    for index in range(count):
        try:
            page = reader.pages[index]
            text = _page_text(page)
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
    text = repair_text(_SPLIT_CAPITAL.sub(_join_split_capital, text))
    if sum(ch.isalnum() for ch in text[:5000]) < 20:
        raise DocumentError(
            "NO_TEXT",
            "the PDF has no extractable text (a scan or images only); "
            "upload a text PDF or a DOCX",
        )
    # Hyperlink targets (a human sees them as "/linkedin-in jdoe" icons or as
    # linked words): kept under a final "Links" heading the parser reads as contact.
    extra = [url for url in dict.fromkeys(links) if url not in text]
    return text + ("\nLinks\n" + "\n".join(extra) if extra else "")


# --------------------------------------------------------------- two columns

_Chunk = tuple[float, float, float, str]  # x, y, font size, text
_DATEISH = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?|\b(?:present|current|now|spring|summer|fall|autumn|winter)\b|[-/]",
    re.IGNORECASE,
)


def _collector(chunks: list[_Chunk]) -> Any:
    """A pypdf `visitor_text` that records where each text run starts."""

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if len(chunks) < 20_000 and text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            chunks.append((float(x), float(y), float(size) * scale, text))

    return visit


def _end(chunk: _Chunk) -> float:
    """Rough right edge of a run (average glyph width about half the size)."""
    return chunk[0] + 0.5 * chunk[2] * len(chunk[3].strip())


def _wordy(text: str) -> bool:
    return sum(ch.isalpha() for ch in _DATEISH.sub("", text)) >= 3


def _column_text(chunks: list[_Chunk]) -> str | None:
    """The page text column by column when its runs form two columns side by
    side with a real sidebar (pypdf would interleave them row by row); None to
    keep pypdf's text (single column, or a narrow date/label column)."""
    if len(chunks) < 8 or any("\n" in c[3].strip() for c in chunks):
        return None
    if sum(len(c[3].split()) for c in chunks) < 1.5 * len(chunks):
        return None  # one run per word: positions too coarse to find columns
    rows: dict[int, list[_Chunk]] = {}
    for chunk in chunks:
        rows.setdefault(round(chunk[1]), []).append(chunk)
    votes: dict[int, int] = {}
    for row in rows.values():
        row.sort()
        texts = [c for c in row if _wordy(c[3])]
        for chunk in texts[1:]:
            if _end(texts[0]) < chunk[0]:
                votes[round(chunk[0] / 4)] = votes.get(round(chunk[0] / 4), 0) + 1
    if not votes:
        return None
    bucket, split_rows = max(votes.items(), key=lambda item: item[1])
    boundary = bucket * 4 - 3
    left_edge = min(c[0] for c in chunks)
    if split_rows < 4 or boundary - left_edge < 110:
        return None
    left = [c for c in chunks if c[0] < boundary and _end(c) <= boundary + c[2]]
    right = [c for c in chunks if c[0] >= boundary]
    spanning = [c for c in chunks if c[0] < boundary and _end(c) > boundary + c[2]]
    left_rows = {round(c[1]) for c in left if _wordy(c[3])}
    if (
        len(left_rows) < 4
        or sum(_wordy(c[3]) for c in left) < 0.5 * len(left)
        or sum(_wordy(c[3]) for c in right) < 0.5 * len(right)
        or len(spanning) > 0.15 * len(chunks)
    ):
        return None
    return "\n".join(_column_lines(left + spanning) + _column_lines(right))


def _page_text(page: Any) -> str:
    """One page's text: pypdf's default extraction (one pass, with run positions
    recorded); column by column for a two-column page; pypdf's layout mode (and a
    gutter split) when the default put nearly every word on its own line, as it
    does for PDFs that position each word separately."""
    chunks: list[_Chunk] = []
    text = page.extract_text(visitor_text=_collector(chunks)) or ""
    columns = _column_text(chunks)
    if columns is not None:
        return columns
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) >= 30 and sum(len(line.split()) == 1 for line in lines) > 0.6 * len(
        lines
    ):
        try:
            layout = page.extract_text(extraction_mode="layout") or ""
        except Exception:  # layout mode is stricter about broken fonts
            return text
        return _gutter_split(layout) or layout
    return text


def _gutter_split(layout: str) -> str | None:
    """Layout-mode text split at a vertical gutter of spaces (left column first),
    or None when there is no such gutter."""
    lines = [line.rstrip() for line in layout.split("\n")]
    texted = [line for line in lines if line.strip()]
    width = max((len(line) for line in texted), default=0)
    if len(texted) < 10 or width < 40:
        return None
    best, best_rows = 0, 0
    for column in range(15, width - 10):
        both = crossing = 0
        for line in texted:
            if len(line) <= column - 2:
                continue
            if line[column - 2 : column + 2].strip():
                crossing += 1
            elif line[: column - 2].strip() and line[column + 2 :].strip():
                both += 1
        if crossing <= 0.1 * len(texted) and both > best_rows:
            best, best_rows = column, both
    if best_rows < 6:
        return None
    left = [line[:best].strip() for line in lines if line[:best].strip()]
    right = [line[best:].strip() for line in lines if line[best:].strip()]
    return "\n".join(left + right)


def _column_lines(chunks: list[_Chunk]) -> list[str]:
    lines: list[str] = []
    line_y: float | None = None
    last: _Chunk | None = None
    for chunk in sorted(chunks, key=lambda c: (-round(c[1]), c[0])):
        text = chunk[3].rstrip("\n")
        if (
            last is not None
            and line_y is not None
            and abs(chunk[1] - line_y) < 0.4 * chunk[2]
        ):
            spaced = last[3].endswith(" ") or text.startswith(" ")
            tight = chunk[0] - _end(last) < 0.1 * chunk[2]
            lines[-1] += ("" if spaced or tight else " ") + text
        else:
            lines.append(text)
            line_y = chunk[1]
        last = chunk
    return lines


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


# ------------------------------------------------------------------------ DOCX

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


def _docx_text(data: bytes) -> str:
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


# ------------------------------------------------------------------------ JSON

_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_BRACKET_DELTA = [0] * 256
for _open in b"[{":
    _BRACKET_DELTA[_open] = 1
for _close in b"]}":
    _BRACKET_DELTA[_close] = -1


def json_depth(data: bytes) -> int:
    """Maximum nesting depth of the JSON text `data`, without recursion: strings
    are removed, then brackets are counted (C-speed regex and accumulate, so a
    10 MiB document takes milliseconds). An unterminated string ends the scan."""
    outside = _JSON_STRING.sub(b"", data)
    quote = outside.find(b'"')
    if quote >= 0:
        outside = outside[:quote]
    brackets = _NOT_BRACKET.sub(b"", outside)
    if not brackets:
        return 0
    return max(0, max(itertools.accumulate(map(_BRACKET_DELTA.__getitem__, brackets))))


def _load_json(data: bytes) -> Any:
    if not data.strip():
        raise DocumentError("EMPTY_FILE", "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise DocumentError(
            "JSON_TOO_DEEP",
            f"the JSON nests {depth} levels deep; at most {MAX_JSON_DEPTH}",
        )
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise DocumentError("INVALID_JSON", "the JSON is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise DocumentError(
            "INVALID_JSON",
            f"the JSON is malformed: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise DocumentError(
            "INVALID_JSON", f"the JSON cannot be read ({exc})"
        ) from None


def structure_json(data: bytes) -> ResumeData:
    """ResumeData for a JSON upload: our ResumeData (validated against
    RESUME_DATA_SCHEMA) or a JSON Resume document (an object with `basics`).

    Raises DocumentError: EMPTY_FILE, INVALID_JSON (malformed, or ResumeData with
    schema errors), JSON_TOO_DEEP, UNSUPPORTED_MEDIA_TYPE (valid JSON of neither
    shape)."""
    doc = _load_json(data)
    if isinstance(doc, dict) and isinstance(doc.get("basics"), dict):
        structured = from_json_resume(doc)
        errors = validate_resume_data(structured)
        if errors:  # from_json_resume clamps; this would be our bug
            raise DocumentError("INVALID_JSON", "; ".join(errors[:5]))
        return structured
    if isinstance(doc, dict) and "personalInfo" in doc:
        errors = validate_resume_data(doc)
        if errors:
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise DocumentError(
                "INVALID_JSON",
                "the JSON is not valid ResumeData: " + "; ".join(errors[:5]) + more,
            )
        result: ResumeData = doc  # type: ignore[assignment]
        return result
    raise DocumentError(
        "UNSUPPORTED_MEDIA_TYPE",
        "the JSON is neither ResumeData (with personalInfo) nor a JSON Resume "
        "document (with basics)",
    )


# --------------------------------------------------------------------- extract


def extract_text(data: bytes, kind: str) -> str:
    """The text of `data`, which must be of type `kind` ("pdf", "docx", "json";
    "auto" sniffs it) by content. JSON is returned as its UTF-8 text after the
    depth and syntax checks. Raises DocumentError."""
    if not data or not data.strip():
        raise DocumentError("EMPTY_FILE", "the file is empty")
    if kind == "auto":
        sniffed = sniff(data)
        if sniffed is None:
            raise DocumentError(
                "UNSUPPORTED_MEDIA_TYPE", "the file is not a PDF, DOCX or JSON document"
            )
        kind = sniffed
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "docx":
        return _docx_text(data)
    if kind == "json":
        if sniff(data) != "json":
            raise DocumentError("UNSUPPORTED_MEDIA_TYPE", "the file is not JSON")
        _load_json(data)
        return data.decode("utf-8-sig")
    raise DocumentError(
        "UNSUPPORTED_MEDIA_TYPE",
        f"unsupported document type {kind[:20]!r}: expected pdf, docx or json",
    )
