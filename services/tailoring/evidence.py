"""The evidence of tailoring: what the user wrote themselves (the master resume
and the resume being tailored), and the facts of a text it lacks (numbers,
vocabulary terms, proper names); `Violation` is one such fact, reported where
it was removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.tailoring.keywords import find_terms, term_canonical
from services.tailoring.match import resume_terms, supports

__all__ = ["SENTENCE", "Evidence", "Violation", "normalize", "numbers_in"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One fact a draft invented, and where; it was removed."""

    kind: str  # skill, employer, school, project, certification, language,
    # award, title, date, number, term, name
    value: str
    location: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value, "location": self.location}


def _all_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_strings(item)


def normalize(text: str) -> str:
    return re.sub(r"[^\w+#]+", " ", text.casefold()).strip()


# A number as a fact: 40%, $1.2M, 3,000, 12k, 2019, 4.5x. Digits inside words
# (S3, EC2, Python3) are names, not figures.
_NUMBER = re.compile(
    r"(?<![\w.])[$€£¥]?\s?\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|[kKmMbB]\b|x\b|\+)?"
)
_CAPITALIZED = re.compile(r"\b[A-Z][\w&'.+-]*[\w+]|\b[A-Z]\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_ALWAYS_ALLOWED = frozenset(
    {
        "I",
        "I'm",
        "I've",
        "I'd",
        "I'll",
        "A",
        "An",
        "The",
        "My",
        "Dear",
        "Hi",
        "Hello",
        "Sincerely",
        "Regards",
        "Best",
        "Thank",
        "Thanks",
    }
)


def _number_key(token: str) -> str:
    key = re.sub(r"[\s,$€£¥]", "", token.casefold()).replace("percent", "%")
    return key.rstrip("+")


def numbers_in(text: str) -> list[str]:
    return [m.group(0).strip() for m in _NUMBER.finditer(text)]


class Evidence:
    """What the user wrote: the facts a tailored document may use."""

    def __init__(
        self, *documents: Mapping[str, Any], allowed: Iterable[str | None] = ()
    ) -> None:
        self.documents = [d for d in documents if d]
        text = "\n".join(s for d in self.documents for s in _all_strings(d))
        self.text = text
        self.folded = text.casefold()
        self.normalized = [
            normalize(s) for d in self.documents for s in _all_strings(d)
        ]
        self.numbers = {_number_key(n) for n in numbers_in(text)}
        self.doc_terms = [resume_terms(d) for d in self.documents]
        self.terms: set[str] = set().union(*self.doc_terms)
        # the words of supported vocabulary terms (an alias or an implied term may
        # be written differently from the resume: "Unit testing" for "Jest")
        self.term_words = {w.casefold() for t in self.terms for w in t.split()}
        # phrases a text may name beyond the evidence (a letter's company, role)
        self.allowed = sorted({a for a in allowed if a}, key=len, reverse=True)

    def supports(self, term: str) -> bool:
        return any(
            supports(d, term, terms=terms)
            for d, terms in zip(self.documents, self.doc_terms, strict=True)
        )

    def has_text(self, value: str) -> bool:
        key = normalize(value)
        return bool(key) and any(key in s for s in self.normalized)

    def problems(self, text: str) -> list[tuple[str, str]]:
        """The facts of `text` that the evidence lacks, as (kind, value)."""
        found: list[tuple[str, str]] = []
        for phrase in self.allowed:
            text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
        for token in numbers_in(text):
            if _number_key(token) not in self.numbers:
                found.append(("number", token))
        for term in find_terms(text):
            if term_canonical(term) not in self.terms and not self.supports(term):
                found.append(("term", term))
        for sentence in SENTENCE.split(text):
            words = _CAPITALIZED.findall(sentence)
            first = re.match(r"\W*(\w[\w&'.+-]*[\w+]|\w)", sentence)
            for word in words:
                if first is not None and word == first.group(1):
                    first = None  # a sentence's first word is capitalized anyway
                    continue
                folded = word.casefold()
                if word in _ALWAYS_ALLOWED or folded in self.term_words:
                    continue
                if folded in self.folded:
                    continue
                found.append(("name", word))
        return found
