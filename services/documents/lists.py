"""List sections (skills, languages, certifications, awards): comma lists
across wrapped lines, bullets, "Category: a, b" groups, spoken-language groups
inside skills.
"""

from __future__ import annotations

import re

from services.documents.entries import clip
from services.documents.resumedata import LIMITS, dedupe
from services.documents.vocab import load_words
from services.documents.vocabulary import CATEGORY


def _split_list(text: str) -> list[str]:
    items: list[str] = []
    for chunk in re.split(r"[,;](?![^()]*\))|\s[|•·]\s", text):
        chunk = chunk.strip(" .:-\u2013\u2014")
        inner: list[str] = []
        paren = re.search(r"\(([^()]*[,;][^()]*)\)", chunk)
        if paren:
            inner = [p.strip() for p in re.split(r"[,;]", paren.group(1)) if p.strip()]
            chunk = (chunk[: paren.start()] + chunk[paren.end() :]).strip()
        chunk = re.sub(r"^(?:and|&)\s+", "", chunk, flags=re.I)
        if len(chunk.split()) <= 6 and re.search(r"\s(?:and|&)\s", chunk):
            items.extend(p.strip() for p in re.split(r"\s(?:and|&)\s", chunk))
        elif chunk:
            items.append(chunk)
        items.extend(inner)
    return [item for item in items if item]


def list_items(lines: list[str], *, split: bool) -> list[str]:
    """Items of a list section: comma lists may wrap over lines (only a long
    line goes on in the next); bullets and one-item lines start items;
    "Category: a, b" lists its items."""
    chunks: list[str] = []
    previous = ""  # the line before, as written: a wrapped list line is a long one
    long = 50  # characters: shorter lines are whole groups, never wrapped
    for line in lines:
        bullet = line.startswith("• ")
        text = line[2:] if bullet else line
        labelled = split and CATEGORY.match(text) is not None
        if labelled:
            text = CATEGORY.sub("", text)
        prev = chunks[-1] if chunks else ""
        continues = (
            chunks
            and not bullet
            and not labelled
            and (
                text[:1].islower()
                or prev.endswith((",", "&", "-", "/"))
                or (split and "," in prev and "," in text and len(previous) >= long)
                or (
                    split
                    and "," in prev
                    and len(text.split()) <= 3
                    and len(previous) >= long
                )
            )
        )
        if continues:
            chunks[-1] = f"{prev} {text}"
        else:
            chunks.append(text)
        previous = line
    if not split:
        return [clip(c, "item") for c in chunks if c.strip()]
    out: list[str] = []
    for chunk in chunks:
        out.extend(_split_list(chunk))
    return [clip(item) for item in out]


def without_levels(items: list[str]) -> list[str]:
    """Skills without their proficiency levels: "Rust - Beginner" and "Python
    (Expert)" keep the skill, a level on its own ("Advanced") is dropped."""
    levels = frozenset(load_words("skill_levels.txt"))
    out = []
    for item in items:
        match = _LEVEL_SUFFIX.search(item)
        if match and match.group(1).lower() in levels:
            item = item[: match.start()].strip()
        if item and item.lower().removesuffix(" level") not in levels:
            out.append(item)
    return out


# "Rust - Beginner", "Python (Expert)", "Go: Intermediate"
_LEVEL_SUFFIX = re.compile(
    r"\s*(?:[-\u2013\u2014:]\s*|\()\s*([A-Za-z]+)(?: level)?\)?$"
)


def spoken_label(line: str) -> bool:
    """A "Languages: English, French" group inside a skills section (not
    "Languages: Python, Go": the items must be mostly natural languages)."""
    text = line.removeprefix("• ")
    match = CATEGORY.match(text)
    if match is None or "language" not in match.group(1).lower():
        return False
    items = _split_list(text[match.end() :])
    known = load_words("spoken_languages.txt")
    spoken = [i for i in items if i.split(" ")[0].strip("()").lower() in known]
    return len(spoken) > len(items) / 2


def dedupe_items(values: list[str]) -> list[str]:
    """A list section's items without repeats, within the list limit."""
    return dedupe(values)[: LIMITS["list"]]
