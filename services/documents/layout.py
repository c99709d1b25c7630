"""Layout-aware PDF text: positioned text runs (PDFium) read the way a person
reads the page.

PDFium (pypdfium2) gives each page's text runs with their boxes, font size and
weight. From them:

- runs on one baseline form a row; a gap over one em inside a row becomes
  " | " (a right-aligned date or location stays a separate part of its line,
  never glued to the text before it: "Nexus AI, CTO | San Francisco, CA");
- a page whose rows are split by a vertical gutter with prose on both sides (a
  sidebar layout) is read column by column, left first;
- the short pieces of a right-hand date/location column that sit beside a bullet
  or a wrapped line move up to their entry's heading row (the last row that is
  neither a bullet nor the continuation of one), so dates stay with their entry;
  computed time spans ("2 years 10 months") are dropped;
- rows repeated at the top or bottom edge of several pages (running headers and
  footers, "John Doe - 2/3") are dropped;
- a short row set in bold or a larger font on its own is kept on its own line
  (a heading by typography); the largest type of page 1 on one short line (the
  name) comes first, even when a sidebar precedes it in reading order.

`pdf_pages_text(data, pages)` -> the text of each page, or None when PDFium
cannot read the file (the caller falls back to pypdf).
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass
from typing import Any

from services.documents.dates import wordy

__all__ = ["LaidOut", "Run", "pdf_pages_text", "runs_text"]

_BULLETS = "•◦▪▫‣●○■□►▸▹-\u2013*➢➤❖◆◇✓✔∙·⦁"
_DURATION = re.compile(
    r"^\d+\s+(?:years?|yrs?|months?|mos?)(?:\s+\d+\s+(?:months?|mos?))?$", re.I
)
# What a right-hand date/location column holds: a year or "present", or "City, XX".
_YEARISH = re.compile(r"\b(?:19|20)\d{2}\b|\bpresent\b", re.IGNORECASE)
_PLACE = re.compile(r"^[A-Z][\w.' -]{1,30}, [A-Z][\w.' -]{1,30}$")
# A soft hyphen PDFium reports was drawn, so it is a visible hyphen ("Co-founder",
# "Mar. 2021 - Jun. 2023" in some LaTeX fonts); U+FFFE marks a hyphen at a line end.
_DRAWN_HYPHENS = frozenset("\u00ad\ufffe")
_EDGE = 0.08  # top and bottom bands of a page where running headers live
MAX_CHARS = 200_000  # characters read per page
GAP = 1.0  # ems of white space that separate two parts of a line


@dataclass(slots=True)
class Run:
    """A text run on a page: box in PDF points (origin bottom left)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    bold: bool

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(slots=True)
class _Row:
    runs: list[Run]
    text: str = ""
    trailing: list[str] | None = None  # right-hand pieces after a wide gap

    @property
    def x0(self) -> float:
        return self.runs[0].x0

    @property
    def top(self) -> float:
        return max(run.y1 for run in self.runs)


def _page_runs(page: Any) -> tuple[list[Run], float, float]:
    """The page's runs: characters in PDFium's order, cut where the line changes,
    the text goes backwards or a gap wider than GAP ems opens."""
    import ctypes

    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    width, height = page.get_size()
    runs: list[Run] = []
    try:
        handle = textpage.raw
        count = min(raw.FPDFText_CountChars(handle), MAX_CHARS)
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:  # characters outside the BMP: one call each
            text = "".join(
                chr(raw.FPDFText_GetUnicode(handle, i) or 32) for i in range(count)
            )
        left, right = ctypes.c_double(), ctypes.c_double()
        bottom, top = ctypes.c_double(), ctypes.c_double()
        box = (ctypes.byref(left), ctypes.byref(right))
        box_y = (ctypes.byref(bottom), ctypes.byref(top))
        current: Run | None = None
        space = False
        for index, char in enumerate(text):
            if char in "\r\n":
                current, space = None, False
                continue
            if char.isspace():
                space = True
                continue
            if char in _DRAWN_HYPHENS:
                char = "-"
            raw.FPDFText_GetCharBox(handle, index, *box, *box_y)
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            if current is not None:
                em = max(current.size, 4.0)
                same_line = min(current.y1, y1) - max(current.y0, y0) > -0.2 * em
                if same_line and current.x1 - 0.5 * em <= x0 <= current.x1 + GAP * em:
                    glue = " " if space else ""  # PDFium's own word breaks
                    current.text += glue + char
                    current.x1 = max(current.x1, x1)
                    current.y0, current.y1 = min(current.y0, y0), max(current.y1, y1)
                    space = False
                    continue
            size = raw.FPDFText_GetFontSize(handle, index) or 10.0
            weight = raw.FPDFText_GetFontWeight(handle, index)
            current = Run(x0, y0, x1, y1, char, float(size), weight >= 600)
            runs.append(current)
            space = False
    finally:
        textpage.close()
    return runs, float(width), float(height)


def _rows(runs: list[Run]) -> list[list[Run]]:
    """Runs grouped into rows (vertical centres within half a line), top down,
    each left to right."""
    rows: list[list[Run]] = []
    bottom = top = 0.0
    for run in sorted(runs, key=lambda r: -r.middle):
        if rows:
            overlap = min(top, run.y1) - max(bottom, run.y0)
            small = min(run.y1 - run.y0, top - bottom)
            if overlap >= max(0.5 * small, 0.5):
                rows[-1].append(run)
                continue
        rows.append([run])
        bottom, top = run.y0, run.y1
    for row in rows:
        row.sort(key=lambda r: r.x0)
    return rows


def _join(row: list[Run]) -> tuple[str, list[str]]:
    """The row's text and its right-hand pieces (after a gap over GAP ems)."""
    parts: list[str] = [row[0].text.strip()]
    last = row[0]
    for run in row[1:]:
        text = run.text.strip()
        if not text:
            continue
        gap = run.x0 - last.x1
        em = max(min(run.size, last.size), 4.0)
        if gap > GAP * em:
            parts.append(text)
        elif gap > 0.15 * em or last.text.endswith(" ") or run.text.startswith(" "):
            parts[-1] += " " + text
        else:
            parts[-1] += text
        last = run
    parts = [p for p in parts if any(ch.isalnum() for ch in p)]
    if not parts:
        return "", []
    return " | ".join(parts), parts[1:]


def _columns(runs: list[Run], width: float) -> tuple[list[Run], list[Run]] | None:
    """(left, right) when a vertical gutter with prose on both sides splits the
    page (a sidebar layout), else None."""
    if len(runs) < 12:
        return None
    votes: dict[int, int] = {}
    for row in _rows(runs):
        prose = [r for r in row if wordy(r.text)]
        for before, after in itertools.pairwise(prose):
            if after.x0 - before.x1 > 6:
                key = round(after.x0 / 4)
                votes[key] = votes.get(key, 0) + 1
    if not votes:
        return None
    bucket, count = max(votes.items(), key=lambda item: item[1])
    boundary = bucket * 4 - 3
    if count < 3 or not 0.2 * width < boundary < 0.8 * width:
        return None
    left = [r for r in runs if r.x1 <= boundary + 2]
    right = [r for r in runs if r.x0 >= boundary - 2]
    crossing = len(runs) - len(left) - len(right)
    if crossing > 0.1 * len(runs):
        return None
    wordy_rows = [
        {round(r.middle) for r in side if wordy(r.text)} for side in (left, right)
    ]
    if min(len(rows) for rows in wordy_rows) < 4:
        return None
    for side in (left, right):  # a column of dates and places belongs to entries
        labels = [r for r in side if _YEARISH.search(r.text) or _PLACE.match(r.text)]
        if len(labels) > 0.5 * len(side):
            return None
    return left, right


def _bullet(text: str) -> bool:
    return text[:1] in _BULLETS and (len(text) == 1 or text[1] == " ")


def _block_lines(
    runs: list[Run], width: float, sizes: tuple[float, float], headings: set[str]
) -> list[str]:
    """Lines of a block of runs; `sizes` are the document's body size and its
    largest size (the name's, never a section title's)."""
    body, top = sizes
    rows = []
    for runs_of_row in _rows(runs):
        text, trailing = _join(runs_of_row)
        row = _Row(runs_of_row, text, trailing)
        rows.append(row)
    lines: list[str] = []
    anchor: int | None = None  # index in `lines` of the current entry heading
    anchor_x = 0.0
    previous_indented = False
    for row in rows:
        text = row.text
        lead = row.runs[0]
        heading = (
            len(text.split()) <= 5
            and not row.trailing
            and all(r.bold or r.size >= 1.15 * body for r in row.runs)
        )
        is_bullet = _bullet(text)
        continuation = (
            not is_bullet
            and previous_indented
            and anchor is not None
            and lead.x0 > anchor_x + 4
        )
        pieces = [p for p in (row.trailing or []) if not _DURATION.match(p)]
        right = [
            p
            for p in pieces
            if len(p.split()) <= 6
            and row.runs[-1].x0 > 0.5 * width
            and (_YEARISH.search(p) or _PLACE.match(p))
        ]
        if (is_bullet or continuation) and anchor is not None and right:
            head = text.split(" | ")[0]
            lines[anchor] += "".join(f" | {p}" for p in right)
            kept = [p for p in pieces if p not in right]
            text = " | ".join([head, *kept])
        elif pieces != (row.trailing or []):
            text = " | ".join([text.split(" | ")[0], *pieces])
        if heading:
            anchor = None
            if (
                not is_bullet
                and all(1.15 * body <= r.size < 0.95 * top for r in row.runs)
                and any(ch.isalpha() for ch in text)
            ):
                headings.add(text)  # set larger than the body: a section title
        elif not is_bullet and not continuation:
            anchor, anchor_x = len(lines), lead.x0
        previous_indented = is_bullet or continuation
        lines.append(text)
    return lines


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


@dataclass(frozen=True, slots=True)
class LaidOut:
    pages: list[str]  # the text of each page in reading order
    headings: frozenset[str]  # rows set larger than the body: section titles


def runs_text(pages: list[tuple[list[Run], float, float]]) -> LaidOut:
    """The text of each page (runs, width, height) in reading order, and the
    section titles found by their type size."""
    sizes = [r.size for runs, _, _ in pages for r in runs for _ in r.text.split()]
    body = statistics.median(sizes) if sizes else 10.0
    scale = (body, max(sizes, default=body))
    edges: dict[str, int] = {}
    for runs, _, height in pages:
        seen = set()
        for row in _rows(runs):
            top = max(r.y1 for r in row)
            if top > (1 - _EDGE) * height or top < _EDGE * height:
                seen.add(_edge_key(_join(row)[0]))
        for key in seen:
            edges[key] = edges.get(key, 0) + 1
    repeated = {key for key, count in edges.items() if count >= 2}
    out: list[str] = []
    headings: set[str] = set()
    for runs, width, height in pages:
        if repeated:
            kept = []
            for row in _rows(runs):
                top = max(r.y1 for r in row)
                at_edge = top > (1 - _EDGE) * height or top < _EDGE * height
                if not (at_edge and _edge_key(_join(row)[0]) in repeated):
                    kept.extend(row)
            runs = kept
        split = _columns(runs, width)
        if split is None:
            lines = _block_lines(runs, width, scale, headings)
        else:
            lines = _block_lines(split[0], width, scale, headings) + _block_lines(
                split[1], width, scale, headings
            )
        if not out:
            lines = _name_first(runs, lines, body)
        out.append("\n".join(lines))
    return LaidOut(out, frozenset(headings))


def _name_first(runs: list[Run], lines: list[str], body: float) -> list[str]:
    """Page 1 with the largest type (1.6x the body or more) on one short line:
    that line (the name, by typography) first, wherever the layout put it."""
    if not runs:
        return lines
    biggest = max(runs, key=lambda r: r.size)
    if biggest.size < 1.6 * body:
        return lines
    text = biggest.text.strip()
    if not 2 <= len(text.split()) <= 5:
        return lines
    at = next((i for i, line in enumerate(lines) if line.startswith(text)), None)
    if at is None or at == 0:
        return lines
    return [lines[at], *lines[:at], *lines[at + 1 :]]


def pdf_pages_text(data: bytes, pages: int) -> LaidOut | None:
    """The first `pages` pages laid out, or None when PDFium cannot read them."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None
    try:
        collected = [_page_runs(document[i]) for i in range(min(pages, len(document)))]
    except pypdfium2.PdfiumError:
        return None
    finally:
        document.close()
    return runs_text(collected)
