"""Lines and sections: the text cut into clean lines (bullets normalised, page
numbers dropped, hyphenated words and split date ranges rejoined), and the
section headings found by their words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.documents.dates import (
    DANGLING,
    DATE_START,
)
from services.documents.vocabulary import (
    BULLET,
    FILLERS,
    HEADINGS,
    PAGE_NUMBER,
    WEAK_HEADINGS,
)

MAX_LINE = 3000  # characters kept per line (a DOCX paragraph is one line)


@dataclass(slots=True)
class Line:
    text: str  # without the bullet marker
    bullet: bool
    years: str = ""  # normalised date span when the line is an entry anchor
    rest: str = ""  # text without the date span
    anchor: bool = False
    joined: bool = False  # continues the previous header line (wrapped)


@dataclass(slots=True)
class Section:
    kind: str
    title: str
    lines: list[str]
    indexes: list[int]  # position of each line in the document's lines


def prepare(text: str) -> list[str]:
    """Cleaned lines: page numbers dropped, bullets as "• ", hyphenated line
    breaks and dangling date ranges joined."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()[:MAX_LINE]
        if not line or PAGE_NUMBER.match(line):
            continue
        if not DATE_START.match(line.lstrip("-\u2013\u2014 ")) and BULLET.match(line):
            line = "• " + BULLET.sub("", line, count=1).strip()
            if line == "•":
                continue
        if out:
            prev = out[-1]
            if (
                prev.endswith("-")
                and len(prev) > 2
                and prev[-2].islower()
                and line[:1].islower()
            ):
                out[-1] = prev[:-1] + line
                continue
            if DANGLING.search(prev) and DATE_START.match(line):
                out[-1] = f"{prev} {line}"
                continue
        out.append(line)
    return out


def heading_of(line: str) -> tuple[str, str, str] | None:
    """(kind, title, inline rest) when `line` is a section heading."""
    if line.startswith("•") or len(line) > 60:
        return None
    head, rest = line, ""
    colon = line.find(":")
    if 0 < colon < len(line) - 1:
        head, rest = line[:colon], line[colon + 1 :].strip()
    title = head.strip(" :-\u2013\u2014|#*_=~.")
    if not title or any(ch.isdigit() for ch in title):
        return None
    words = re.findall(r"[a-z]+|&", title.lower())
    if not words or len(words) > 5:
        return None
    keywords = [w for w in words if w in HEADINGS]
    if not keywords or any(w not in HEADINGS and w not in FILLERS for w in words):
        return None
    strong = (
        len(words) > 1
        or keywords[0] not in WEAK_HEADINGS
        or title.isupper()
        or line.rstrip().endswith(":")
    )
    if not strong:
        return None
    if rest and title.lower() not in (
        "skills",
        "languages",
        "technical skills",
        "certifications",
        "awards",
        "interests",
        "hobbies",
        "summary",
    ):
        return None
    kind = HEADINGS[keywords[0]]
    if "programming" in words or "skills" in keywords:
        kind = "skills"
    elif keywords[0] in ("research", "teaching", "military") and any(
        HEADINGS[w] == "experience" for w in keywords
    ):
        kind = "experience"  # "Research Experience": jobs with dates and titles
    return kind, title, rest


def split_sections(lines: list[str], titles: set[str] | None = None) -> list[Section]:
    """Sections by their heading lines: heading words, or one of `titles` (set
    apart by the layout) once the header's contact lines have passed."""
    sections = [Section("header", "", [], [])]
    for index, line in enumerate(lines):
        found = heading_of(line)
        if (
            found is None
            and titles
            and line in titles
            and not line.startswith("•")
            and _after_contact(sections)
        ):
            words = re.findall(r"[a-z]+", line.lower())
            kind = next((HEADINGS[w] for w in words if w in HEADINGS), "custom")
            found = (kind, line, "")  # "International Awards": awards
        if found is None or (found[2] and sections[-1].kind == "skills"):
            sections[-1].lines.append(line)
            sections[-1].indexes.append(index)
            continue
        kind, title, rest = found
        sections.append(
            Section(kind, title, [rest] if rest else [], [index] if rest else [])
        )
    return sections


def _after_contact(sections: list[Section]) -> bool:
    """Past the header's contact details (an e-mail, or a line of digits)?"""
    if sections[-1].kind != "header":
        return True
    return any(
        "@" in line or sum(ch.isdigit() for ch in line) >= 7
        for line in sections[-1].lines
    )
