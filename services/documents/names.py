"""The person's name: the best name-like line near the top (boosted when it
matches the e-mail address), else a guess from the address itself.
"""

from __future__ import annotations

import re

from services.documents.contact import segments_of
from services.documents.lines import heading_of
from services.documents.vocabulary import (
    COMPANY_WORDS,
    NOT_NAME,
    PARTICLES,
    TITLE_WORDS,
    words_of,
)


def _name_like(text: str) -> bool:
    tokens = text.split()
    if (
        not 2 <= len(tokens) <= 5
        or len(text) > 50
        or not any(c.isupper() for c in text)
    ):
        return False
    for token in tokens:
        bare = token.strip(",")
        if bare.lower() in PARTICLES:
            continue
        if not re.fullmatch(r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'\u2019-]*\.?|[A-Z]\.", bare):
            return False
    lowered = words_of(text)
    return not (lowered & NOT_NAME or lowered & TITLE_WORDS or lowered & COMPANY_WORDS)


_HONORIFIC = re.compile(r"^(?:dr|mr|mrs|ms|miss|mx|prof|sir)\.?\s+", re.IGNORECASE)
_POSTNOMINAL = re.compile(
    r"(?:,\s*|\s+)(?:ph\.?\s?d\.?|m\.?d\.?|mba|cpa|cfa|pmp|p\.?e\.?|esq\.?"
    r"|m\.?sc\.?|b\.?sc\.?|ms|ma|acca|aca|rn)$",
    re.IGNORECASE,
)


def _bare_name(text: str) -> str:
    """`text` without an honorific ("Dr.") or post-nominal letters (", PhD")."""
    previous = None
    while previous != text:
        previous = text
        text = _POSTNOMINAL.sub("", _HONORIFIC.sub("", text.strip())).strip(" ,")
    return text


def _pretty_name(text: str) -> str:
    text = " ".join(text.replace(",", " ").split())
    if text.isupper():
        return " ".join(
            w.lower()
            if w.lower() in PARTICLES
            else re.sub(r"[A-Z]+", lambda m: m[0].capitalize(), w)
            for w in text.split()
        )
    return text


def name_from_email(email: str) -> str:
    """A name guessed from an address like "jane.doe@..." (two or three alphabetic
    parts), else "". The caller's warnings say it was guessed."""
    parts = re.split(r"[._-]", email.split("@")[0]) if "@" in email else []
    if not 2 <= len(parts) <= 3 or not all(p.isalpha() and len(p) > 1 for p in parts):
        return ""
    return " ".join(p.capitalize() for p in parts)


def find_name(lines: list[str], header_end: int, email: str) -> tuple[int, str]:
    """(line index, name) of the best name candidate in the first lines."""
    local = set(re.split(r"[._+-]", email.split("@")[0].lower())) if email else set()
    best: tuple[float, int, str] = (float("-inf"), -1, "")
    for index, line in enumerate(lines[:40]):
        if line.startswith("•") or heading_of(line) or "@" in line:
            continue
        if index >= header_end and "," in line:  # a list item of a section
            continue
        first = [_bare_name(part) for part in segments_of(line)[:1]]
        if not first or not _name_like(first[0]):
            continue
        name = _pretty_name(first[0])
        score = 100.0 - 2 * index + (40 if index < header_end else 0)
        tokens = {t.lower() for t in name.split()}
        compact = "".join(sorted(local))
        score += sum(25 for t in tokens if len(t) > 2 and t in compact)
        if score > best[0]:
            best = (score, index, name)
    return best[1], best[2]
