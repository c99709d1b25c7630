"""The employer and the role a job description names, for letters' greetings.

Deterministic and conservative: None when the text does not say (many job
descriptions speak of "our team" only); a letter then addresses the hiring team.
English and Spanish headings are understood ("About us", "Sobre nosotros",
"Job title", "Puesto de trabajo").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Z][\w&.'-]*(?:\s+(?:&\s+)?[A-Z][\w&.'-]*){0,3}"
_STOP = frozenset(
    {
        "We",
        "Our",
        "The",
        "You",
        "Your",
        "This",
        "Requirements",
        "Responsibilities",
        "About",
        "Sobre",
        "En",
        "Nuestro",
        "Nuestra",
        "Somos",
        "Banco",
        "Inc",
    }
)
_COMPANY_PATTERNS = (
    re.compile(rf"\b(?:Company|Employer|Empresa|Organization)\s*:\s*({_NAME})"),
    re.compile(rf"\bAbout\s+(?!us\b|the\s+role\b|you\b)({_NAME})"),
    re.compile(
        rf"\bSobre\s+[Nn]osotros\s*:?\s*(?:En\s+)?(?:el\s+|la\s+)?(?:Banco\s+)?({_NAME})"
    ),
    re.compile(rf"\bAbout us\s*:?\s*(?:At\s+)?({_NAME})"),
    re.compile(rf"\bjoin\s+(?:the\s+\w+\s+team\s+at\s+)?({_NAME})"),
    re.compile(rf"\bAt\s+({_NAME}),\s+(?:we|our)\b"),
    re.compile(rf"(?:^|\.\s+)({_NAME})\s+(?:is|es)\s+(?:a|an|the|una?|hiring)\b"),
)
_HEADING_AFTER = (
    r"(?=\s+(?:Sobre|About|Descripci[oó]n|Description|Company|Empresa|Location|"
    r"Ubicaci[oó]n|Responsibilities|Requirements)\b|[.\n;(]|$)"
)
_TITLE_PATTERNS = (
    re.compile(
        r"\b(?:Job\s+title|Position|Role|Puesto\s+de\s+trabajo|Cargo)\s*:\s*"
        r"([^\n.;:]{2,80}?)" + _HEADING_AFTER,
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:looking\s+for|hiring|seeking|buscando)\s+(?:an?\s+|una?\s+)?"
        r"((?:(?:Senior|Junior|Lead|Staff|Principal|Sr\.?|Jr\.?)\s+)?"
        r"[A-Z][\w+#/-]*(?:\.[\w+#-]+)*(?:\s+[A-Z][\w+#/-]*(?:\.[\w+#-]+)*){0,4})"
    ),
)


@dataclass(frozen=True, slots=True)
class JobInfo:
    company: str | None
    title: str | None


def _clean(name: str) -> str | None:
    words = name.strip(" .,'").split()
    while words and words[-1] in _STOP:
        words.pop()
    if not words or words[0] in _STOP:
        return None
    return " ".join(words)[:120]


def job_info(job_description: str) -> JobInfo:
    text = re.sub(r"\s+", " ", job_description).strip()
    company = None
    for pattern in _COMPANY_PATTERNS:
        for match in pattern.finditer(text):
            company = _clean(match.group(1))
            if company:
                break
        if company:
            break
    title = None
    for pattern in _TITLE_PATTERNS:
        found = pattern.search(text)
        if found:
            title = found.group(1).strip(" .,:")[:120] or None
            if title:
                break
    return JobInfo(company=company, title=title)
