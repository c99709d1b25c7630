"""The skill and domain vocabulary of tailoring, read from the data files in
`vocab/` beside this module (`skills.txt`, `domain.txt`; their format is
described at their top): canonical names, their aliases, which names are
skills, and the compiled patterns that find any alias in a text. Loaded once
per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Vocabulary", "is_skill", "norm", "term_canonical", "vocabulary"]

VOCAB = Path(__file__).resolve().parent / "vocab"


def _entries(name: str) -> list[list[str]]:
    """The entries of `vocab/<name>`, each its canonical name then its aliases."""
    entries: list[list[str]] = []
    for line in (VOCAB / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("|") and entries:
            entries[-1].extend(line[1:].split("|"))
        elif line.strip():
            entries.append(line.split("|"))
    return entries


def norm(text: str) -> str:
    """Lower case, runs of spaces and hyphens as one space."""
    return re.sub(r"[\s\-]+", " ", text.strip().lower())


_BEFORE = r"(?<![\w+#./&])"
_AFTER = r"(?![\w+#&]|\.\w|/\w)"


def _alias_regex(alias: str) -> str:
    parts = re.split(r"[\s\-]+", alias.strip())
    return r"[\s\-]*".join(re.escape(part) for part in parts)


def _pattern(aliases: list[str], flags: int) -> re.Pattern[str]:
    ordered = sorted(set(aliases), key=lambda a: (-len(a), a))
    body = "|".join(_alias_regex(alias) for alias in ordered)
    return re.compile(f"{_BEFORE}(?:{body}){_AFTER}", flags)


@dataclass(frozen=True)
class Vocabulary:
    canonical: dict[str, str]  # normalised alias -> canonical
    skills: frozenset[str]
    insensitive: re.Pattern[str]
    sensitive: re.Pattern[str]


@functools.cache
def vocabulary() -> Vocabulary:
    canonical: dict[str, str] = {}
    skills: set[str] = set()
    loose: list[str] = []
    strict: list[str] = []
    for kind, name in (("skill", "skills.txt"), ("domain", "domain.txt")):
        for entry in _entries(name):
            term = entry[0].lstrip("=")
            if kind == "skill":
                skills.add(term)
            for raw in entry:
                alias = raw.lstrip("=")
                (strict if raw.startswith("=") else loose).append(alias)
                canonical.setdefault(norm(alias), term)
    return Vocabulary(
        canonical=canonical,
        skills=frozenset(skills) | {"Go", "R"},
        insensitive=_pattern(loose, re.IGNORECASE),
        sensitive=_pattern(strict, 0),
    )


def term_canonical(term: str) -> str:
    """The canonical name of `term` when it is a known alias, else `term`."""
    if term in ("Go", "golang", "Golang"):
        return "Go"
    return vocabulary().canonical.get(norm(term), term.strip())


def is_skill(term: str) -> bool:
    """Whether canonical `term` is a skill (rather than a domain keyword)."""
    return term in vocabulary().skills
