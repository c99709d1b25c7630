"""Pass 2 of tailoring: stock phrasing ("spearheaded", "results-driven") is
replaced by plain words or dropped, unless the job description uses it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["AI_PHRASES", "remove_ai_phrases"]

# phrase -> plain replacement ("" drops it). Matched case-insensitively, whole words.
AI_PHRASES: dict[str, str] = {
    "spearheaded": "led",
    "spearheading": "leading",
    "leveraged": "used",
    "leveraging": "using",
    "leverage": "use",
    "utilized": "used",
    "utilizing": "using",
    "utilize": "use",
    "orchestrated": "coordinated",
    "synergized": "worked",
    "championed": "led",
    "harnessed": "used",
    "facilitated": "ran",
    "revolutionized": "changed",
    "results-driven": "",
    "detail-oriented": "",
    "highly motivated": "",
    "self-starter": "",
    "go-getter": "",
    "passionate": "",
    "dynamic": "",
    "cutting-edge": "",
    "state-of-the-art": "",
    "best-in-class": "",
    "world-class": "",
    "seamlessly": "",
    "robust": "",
    "synergy": "collaboration",
    "synergies": "collaboration",
    "proven track record of": "",
    "proven track record": "record",
    "in order to": "to",
    "a wide range of": "many",
    "thought leader": "expert",
    "game-changing": "",
    "innovative": "",
    "delve into": "study",
    "tapestry": "mix",
}
_PHRASE_RE = re.compile(
    r"\b("
    + "|".join(re.escape(p) for p in sorted(AI_PHRASES, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def _rephrase(text: str, protected: set[str], removed: list[str]) -> str:
    def swap(match: re.Match[str]) -> str:
        phrase = match.group(0)
        if phrase.casefold() in protected:
            return phrase
        removed.append(phrase.casefold())
        plain = AI_PHRASES[phrase.casefold()]
        if plain and phrase[:1].isupper():
            plain = plain[:1].upper() + plain[1:]
        return plain

    out = _PHRASE_RE.sub(swap, text)
    out = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"[ \t]{2,}", " ", out)).strip()
    out = re.sub(r"\b(a|an)\s+(?=[,.]|and\b)", "", out)
    if out == text:
        return text
    # a dropped sentence opener leaves its sentence lower-case
    return re.sub(
        r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), out
    )


def _texts(data: dict[str, Any]) -> Iterable[tuple[dict[str, Any] | list[Any], Any]]:
    """(container, key) of every free-text field: summary and bullets."""
    yield data, "summary"
    for section in ("workExperience", "personalProjects"):
        for entry in data.get(section) or []:
            if isinstance(entry, dict) and isinstance(entry.get("description"), list):
                bullets = entry["description"]
                for index in range(len(bullets)):
                    yield bullets, index


def remove_ai_phrases(data: dict[str, Any], *, job_description: str) -> list[str]:
    folded = job_description.casefold()
    protected = {p for p in AI_PHRASES if re.search(rf"\b{re.escape(p)}\b", folded)}
    removed: list[str] = []
    for container, key in _texts(data):
        value = container[key]
        if isinstance(value, str) and value:
            container[key] = _rephrase(value, protected, removed)
    return list(dict.fromkeys(removed))
