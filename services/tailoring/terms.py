"""Finding vocabulary terms in a text: the term finder shared by keyword
extraction and resume matching (`find_terms`, `term_spans`), with the rules
the vocabulary alone cannot say (Go and R only in a list-like context, terms
naming collaborators and certification issuers left out), and `tokenize`.
"""

from __future__ import annotations

import re

from services.tailoring.vocabulary import norm, vocabulary

__all__ = ["find_terms", "term_spans", "tokenize"]

# Go and R: only as standalone capitalised words in a list-like skills context
# ("Python, Go and Rust", "in Go", "(R)"); never "go to market", "Go-to-market",
# "R&D", "R-squared" or a sentence starting "Go ...".
_CONTEXT_BEFORE = r"(?:(?<=[,(/:;•·|])|(?<=[,(/:;•·|]\s)|(?<=\band\s)|(?<=\bor\s)|(?<=\bin\s)|(?<=\bwith\s)|(?<=\busing\s)|(?<=^))"  # noqa: E501
_CONTEXT_AFTER = r"(?=\s*[,/);|]|\s+(?:and|or)\b|\s*\.?\s*$|\.\s)"
_GO_R = re.compile(
    rf"{_CONTEXT_BEFORE}(?<![\w+#.&-])(Go|Golang|golang|R)(?![\w+#&'\-])"
    rf"(?!\s+to\b){_CONTEXT_AFTER}",
    re.MULTILINE,
)


def _context_terms(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _GO_R.finditer(text):
        word = match.group(1)
        found.append((match.start(1), match.end(1), "R" if word == "R" else "Go"))
    return found


# A term naming the people one works with is not a skill one claims: "alongside
# engineering, data science and go-to-market teams", "with back-end developers",
# "with a team of engineers, product managers and UX designers". The list must
# end with "and"/"or"/"&" when it has several items, and its words are not
# function words, so "with Python or Go as back-end engineer" stays a claim.
_LIST_WORD = (
    r"(?!(?:and|or|as|a|an|the|in|on|for|to|of|at|by|from|using|via|into|our"
    r"|your|their|other|who|which|that)\b)[\w./+#'-]+"
)
_CHUNK = rf"{_LIST_WORD}(?:[ \t]+{_LIST_WORD}){{0,2}}"
_LAST_SEP = r"\s*,?\s+(?:and|or)\s+|\s+&\s+"
_ANY_SEP = rf"\s*,\s*|{_LAST_SEP}"
_COLLABORATORS = re.compile(  # bounded: at most six items, no nested ambiguity
    r"\b(?:with|alongside)\s+(?:(?:the|our|other|fellow|a|an)\s+)*"
    r"(?:(?:team|group)s?\s+of\s+)?"
    rf"(?P<list>{_CHUNK}(?:(?:(?:{_ANY_SEP}){_CHUNK}){{0,4}}(?:{_LAST_SEP}){_CHUNK})?)"
    r"\s+(?:teams?|developers?|engineers?|designers?|managers?|scientists?"
    r"|analysts?|researchers?|specialists?|counterparts|colleagues|partners"
    r"|peers)\b",
    re.IGNORECASE,
)
# Terms that describe the collaboration itself ("with cross-functional teams").
_COLLABORATION = frozenset({"Cross-functional collaboration"})
# A vendor named as the issuer of a certification is not its product: "Oracle
# Certified Professional, Java SE 8 Programmer" shows Java, not Oracle Database.
_ISSUER = re.compile(r"\s+(?:Certified|Certification)\b", re.IGNORECASE)
_ISSUERS = frozenset({"Oracle"})


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical) of each vocabulary term in `text`, in order,
    without overlaps (the longer alias wins), collaborators and issuers."""
    vocab = vocabulary()
    spans: list[tuple[int, int, str]] = []
    for pattern in (vocab.insensitive, vocab.sensitive):
        for match in pattern.finditer(text):
            name = vocab.canonical.get(norm(match.group(0)))
            if name in _ISSUERS and _ISSUER.match(text, match.end()):
                continue
            if name is not None:
                spans.append((match.start(), match.end(), name))
    spans.extend(_context_terms(text))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    masked = [m.span("list") for m in _COLLABORATORS.finditer(text)]
    out: list[tuple[int, int, str]] = []
    end = -1
    for start, stop, name in spans:
        if start < end:
            continue
        end = stop
        if name not in _COLLABORATION and any(
            lo <= start and stop <= hi for lo, hi in masked
        ):
            continue
        out.append((start, stop, name))
    return out


def find_terms(text: str) -> list[str]:
    """Canonical vocabulary terms (skills and domain words) found in `text`, by
    first appearance, each once. Longer aliases win over the shorter ones they
    contain ("SQL Server" is not also "SQL"). Terms naming collaborators ("with
    data science teams", "with back-end developers") and a vendor named as a
    certification's issuer ("Oracle Certified ...") are left out."""
    return list(dict.fromkeys(name for _, _, name in term_spans(text)))


_TOKEN = re.compile(
    r"A/B testing|CI/CD|UI/UX|PL/SQL|HTML/CSS|\.NET|[A-Za-z][\w]*(?:[.+#][\w+#]*)*"
    r"(?:\.(?:js|NET|net))?"
)


def tokenize(text: str) -> list[str]:
    """Words of `text` keeping technical tokens whole: C++, C#, .NET, Node.js,
    CI/CD, A/B testing, Go, R."""
    return [token.rstrip(".") or token for token in _TOKEN.findall(text)]
