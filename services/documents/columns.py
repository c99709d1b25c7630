"""Reading order of a PDF page from pypdf's text runs and their positions: a
page whose runs form two columns side by side (a sidebar) is read column by
column instead of row by row; a page positioned word by word goes through
pypdf's layout mode and a split at its vertical gutter. `page_text(page)`."""

from __future__ import annotations

from typing import Any

from services.documents.dates import wordy

__all__ = ["page_text"]

_Chunk = tuple[float, float, float, str]  # x, y, font size, text


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
        texts = [c for c in row if wordy(c[3])]
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
    left_rows = {round(c[1]) for c in left if wordy(c[3])}
    if (
        len(left_rows) < 4
        or sum(wordy(c[3]) for c in left) < 0.5 * len(left)
        or sum(wordy(c[3]) for c in right) < 0.5 * len(right)
        or len(spanning) > 0.15 * len(chunks)
    ):
        return None
    return "\n".join(_column_lines(left + spanning) + _column_lines(right))


def page_text(page: Any) -> str:
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
