"""Per-field confidence of a parsed resume: which values a person should check.

`field_warnings(data, text)` -> messages "<field path>: <what to check>", where
the path is the ResumeData path a front end can highlight
(`personalInfo.name`, `workExperience[1].company`, `additional.technicalSkills[4]`):

- a name that is not written in the text (guessed from the e-mail address), or
  no name at all; no e-mail address;
- no work experience; an entry without its company, title or school;
- a skill item shaped like a sentence (over six words, or ending like one).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_WARNINGS", "field_warnings", "sentence_like"]

MAX_WARNINGS = 20
_SENTENCE = re.compile(r"[.!?]\s+[A-Z]|[a-z]{3}[.!?]$")


def _squeeze(value: str) -> str:
    return " ".join(value.casefold().split())


def sentence_like(item: str) -> bool:
    """Over six words, or a sentence: not one skill."""
    return len(item.split()) > 6 or bool(_SENTENCE.search(item))


def field_warnings(data: Mapping[str, Any], text: str) -> list[str]:
    """Warnings for the fields of ResumeData `data` parsed from `text`."""
    out: list[str] = []
    info = data["personalInfo"]
    if not info["name"]:
        out.append("personalInfo.name: no name was found; please enter it")
    elif _squeeze(info["name"]) not in _squeeze(text):
        out.append(
            "personalInfo.name: guessed from the e-mail address; please check it"
        )
    if not info["email"]:
        out.append("personalInfo.email: no e-mail address was found")
    if not data["workExperience"]:
        out.append(
            "workExperience: no entries were found; please check the experience section"
        )
    for index, work in enumerate(data["workExperience"]):
        for key, label, value in (
            ("company", "employer", work["company"]),
            ("title", "job title", work["title"]),
        ):
            if not value:
                out.append(
                    f"workExperience[{index}].{key}: no {label} was found for "
                    "this entry; please check it"
                )
    for index, school in enumerate(data["education"]):
        if not school["institution"]:
            out.append(
                f"education[{index}].institution: no school was found for this "
                "entry; please check it"
            )
    for index, skill in enumerate(data["additional"]["technicalSkills"]):
        if sentence_like(skill):
            out.append(
                f"additional.technicalSkills[{index}]: {skill[:40]!r} looks like "
                "a sentence, not a skill"
            )
    if len(out) > MAX_WARNINGS:
        out[MAX_WARNINGS - 1 :] = [
            f"... and {len(out) - MAX_WARNINGS + 1} more values to check"
        ]
    return out
