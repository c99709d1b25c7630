"""Vocabularies of the parser as data files beside the code (one entry a line,
`#` starts a comment), loaded once per process."""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["load_words", "word_set"]

HERE = Path(__file__).resolve().parent


@functools.cache
def load_words(name: str, *, lower: bool = True) -> tuple[str, ...]:
    """The entries of `vocab/<name>` in file order (lower-cased unless `lower`
    is false), duplicates, comments and blanks dropped."""
    out: dict[str, None] = {}
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        line = line.lower() if lower else line
        if line:
            out[line] = None
    return tuple(out)


def word_set(words: str) -> frozenset[str]:
    """A small inline set of whitespace-separated words."""
    return frozenset(words.split())
