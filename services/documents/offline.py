"""Offline resume parser: extracted resume text -> ResumeData, deterministically.

The rule-based structuring the offline engine uses (and every engine falls back
to), in stages, one module each; no network, no model, about a millisecond for a
two-page resume:

    lines.py      1. `repair_text`, then clean lines (bullets normalised, page
                     numbers dropped, "Devel-/oping" and "2017 -"/"Present"
                     rejoined) and sections by their heading words
    contact.py    2. e-mail, phone, links and location from the header
    names.py      3. the name (the best name-like line near the top, boosted when
                     it matches the e-mail; else guessed from the e-mail)
    entries.py    4. experience, education, projects: entries anchored on dates,
                     the header lines around a date split into title / company /
                     location or institution / degree, the lines after it the
                     description
    lists.py      5. skills, languages, certifications, awards as items
    dates.py      the date patterns every stage shares
    vocabulary.py the patterns and word lists (data files in `vocab/`)

This module runs them in order (`parse_resume_text`). Lines nothing claimed go
to `customSections` (unknown headings keep their title; strays go to "other"),
never dropped.
"""

from __future__ import annotations

import re

from services.documents.contact import (
    LOCATION,
    STREET,
    find_contact,
    is_place,
    segments_of,
    strip_contact,
)
from services.documents.entries import (
    analyse,
    clip,
    description_items,
    education_entries,
    group_entries,
    project_entries,
    work_entries,
)
from services.documents.lines import (
    heading_of,
    prepare,
    split_sections,
)
from services.documents.lists import (
    dedupe_items,
    list_items,
    spoken_label,
    without_levels,
)
from services.documents.names import (
    find_name,
    name_from_email,
)
from services.documents.repair import repair_text
from services.documents.resumedata import LIMITS, ResumeData, empty_resume_data
from services.documents.vocabulary import (
    DOCUMENT_TITLE,
    LABEL,
    TITLE_WORDS,
    URL,
    words_of,
)

__all__ = ["parse_resume_text"]


def _width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if len(line.split()) > 8)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def parse_resume_text(
    text: str, *, headings: frozenset[str] = frozenset()
) -> ResumeData:
    """ResumeData for plain resume text (from `extract_text` or pasted).
    `headings`: lines the layout set as section titles (by type size); those
    whose words name no known section start a custom section of that title."""
    data = empty_resume_data()
    lines = prepare(repair_text(text[:500_000]))
    if not lines:
        return data
    titles = {" ".join(repair_text(h).split()) for h in headings}
    sections = split_sections(lines, titles)
    full = "\n".join(lines)
    header_only = [
        line
        for s in sections
        if s.kind == "header" or (s.kind == "contact" and s.title.lower() != "links")
        for line in s.lines
    ]
    links = [line for s in sections if s.title.lower() == "links" for line in s.lines]
    contact = find_contact(header_only, links, full)
    info = data["personalInfo"]
    info["email"] = clip(contact.email)
    info["phone"] = clip(contact.phone)
    for key in ("linkedin", "github", "website"):
        if value := getattr(contact, key):
            info[key] = clip(value)

    name_index, name = find_name(lines, len(sections[0].lines), contact.email)
    info["name"] = clip(name or name_from_email(contact.email))
    consumed: set[int] = set()
    if name_index >= 0:
        consumed.add(name_index)
        segments = segments_of(lines[name_index])
        title_line = segments[1] if len(segments) > 1 else ""
        nxt = name_index + 1
        if not title_line and nxt < len(lines) and _title_like(lines[nxt]):
            title_line = lines[nxt]
            consumed.add(nxt)
        info["title"] = clip(title_line)
    for section in sections:
        keep = [k for k, i in enumerate(section.indexes) if i not in consumed]
        section.lines = [section.lines[k] for k in keep]
        section.indexes = [section.indexes[k] for k in keep]
    header = sections[0].lines + [
        line for s in sections if s.kind == "contact" for line in s.lines
    ]
    leftovers: list[str] = []
    address: list[str] = []
    summary: list[str] = []
    for line in header:
        if DOCUMENT_TITLE.match(line):
            continue
        remainder = strip_contact(line)
        parts = segments_of(remainder)
        placed = False
        for part in parts:
            if not info["location"] and LOCATION.match(part) and len(part) < 80:
                info["location"] = clip(", ".join([*address, part]))
                placed = True
            elif STREET.match(part):
                address.append(part)
                placed = True
        if not parts or placed:
            continue
        rest = " ".join(parts)
        if len(rest.split()) >= 8:
            summary.append(rest)
        elif not is_place(rest):
            leftovers.append(rest)
    if address and not info["location"]:
        info["location"] = clip(", ".join(address))

    width = _width(lines)
    additional = data["additional"]
    for section in sections[1:]:
        kind = section.kind
        if kind == "summary":
            summary.append(" ".join(line.removeprefix("• ") for line in section.lines))
        elif kind in ("experience", "education", "projects"):
            analysed = [analyse(line) for line in section.lines]
            preamble, groups = group_entries(analysed, kind, width)
            if kind == "experience":
                data["workExperience"].extend(work_entries(analysed, groups))
            elif kind == "education":
                data["education"].extend(education_entries(analysed, groups))
            else:
                data["personalProjects"].extend(project_entries(analysed, groups))
            stray = description_items([analysed[i] for i in preamble], sentences=False)
            if stray:
                _custom(data, section.title, stray)
        elif kind == "skills":
            spoken = [line for line in section.lines if spoken_label(line)]
            others = [line for line in section.lines if line not in spoken]
            additional["technicalSkills"].extend(
                without_levels(list_items(others, split=True))
            )
            additional["languages"].extend(list_items(spoken, split=True))
        elif kind == "languages":
            additional["languages"].extend(list_items(section.lines, split=True))
        elif kind == "certifications":
            additional["certificationsTraining"].extend(
                list_items(section.lines, split=False)
            )
        elif kind == "awards":
            additional["awards"].extend(list_items(section.lines, split=False))
        elif kind == "contact":
            continue
        elif section.lines:
            _custom(data, section.title, list_items(section.lines, split=False))
    if leftovers:
        _custom(data, "Other", leftovers)
    data["summary"] = clip(" ".join(summary), "long")
    for field in ("technicalSkills", "languages", "certificationsTraining", "awards"):
        additional[field] = dedupe_items(additional[field])
    for entries_key in ("workExperience", "education", "personalProjects"):
        entries = data[entries_key]
        del entries[LIMITS["entries"] :]
        for number, entry in enumerate(entries, start=1):
            entry["id"] = number
    return data


def _title_like(line: str) -> bool:
    if line.startswith("•") or heading_of(line) or len(line.split()) > 7:
        return False
    if any(ch.isdigit() for ch in line) or "@" in line or URL.search(line):
        return False
    if LOCATION.match(line) or LABEL.search(line):
        return False
    return bool(words_of(line) & TITLE_WORDS) or (
        len(line.split()) <= 6 and line[:1].isupper() and not line.endswith(".")
    )


def _custom(data: ResumeData, title: str, items: list[str]) -> None:
    key = (
        re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[: LIMITS["key"]] or "other"
    )
    sections = data["customSections"]
    if key in sections:
        sections[key]["items"].extend(items)
        del sections[key]["items"][LIMITS["list"] :]
    elif len(sections) < LIMITS["sections"]:
        sections[key] = {
            "title": clip(title or "Other"),
            "items": items[: LIMITS["list"]],
        }
