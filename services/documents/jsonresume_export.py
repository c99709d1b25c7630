"""Export of our profile data to a JSON Resume document (`to_json_resume`)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from services.documents.jsonresume_shapes import (
    BASICS_KEYS,
    CERTIFICATE_KEYS,
    EDUCATION_KEYS,
    MODELLED_SECTIONS,
    PROJECT_KEYS,
    SCHEMA,
    SKILL_KEYS,
    WORK_KEYS,
    ProfileData,
    format_location,
    profile_kind,
    split_url,
)


def _username(kind: str, url: str) -> str | None:
    segments = [s for s in split_url(url).path.split("/") if s]
    if not segments:
        return None
    if kind == "linkedin" and len(segments) > 1 and segments[0] in ("in", "pub"):
        return str(segments[1])
    return str(segments[0] if kind == "github" else segments[-1])


def _generated_profile(kind: str, url: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"network": "GitHub" if kind == "github" else "LinkedIn"}
    username = _username(kind, url)
    if username:
        entry["username"] = username
    entry["url"] = url
    return entry


def _export_profiles(
    stored: Any, github_url: str | None, linkedin_url: str | None
) -> list[Any]:
    """`basics.profiles`: the stored entries in order, with the GitHub/LinkedIn
    slot (the first entry of that kind) showing the current URL."""
    entries = (
        [e for e in stored if isinstance(e, dict)] if isinstance(stored, list) else []
    )
    current = {"github": github_url or None, "linkedin": linkedin_url or None}
    # The stored entry that still carries the current URL (exact spelling kept).
    match = {
        kind: next(
            (e for e in entries if profile_kind(e) == kind and e.get("url") == url),
            None,
        )
        for kind, url in current.items()
    }
    placed: set[str] = set()
    out: list[Any] = []
    for entry in entries:
        kind = profile_kind(entry)
        if kind is None:
            out.append(entry)
            continue
        url = current[kind]
        if kind not in placed:
            placed.add(kind)
            if url is not None:
                found = match[kind]
                out.append(
                    found if found is not None else _generated_profile(kind, url)
                )
        elif not (url and entry.get("url") == url):  # not a duplicate of the slot
            out.append(entry)
    for kind, url in current.items():
        if url is not None and kind not in placed:
            out.append(_generated_profile(kind, url))
    return out


def _ordered(item: dict[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """`item` with the schema's properties first, in the schema's order."""
    keys = [k for k in schema.get("properties", {}) if k in item]
    keys += [k for k in item if k not in keys]
    return {k: item[k] for k in keys}


def _item_schema(section: str) -> Mapping[str, Any]:
    section_schema: Mapping[str, Any] = SCHEMA["properties"][section]
    items: Mapping[str, Any] = section_schema.get("items", {})
    return items


def _build(
    extra: Mapping[str, Any] | None,
    modelled_keys: Iterable[str],
    values: Mapping[str, Any],
    schema: Mapping[str, Any],
) -> dict[str, Any]:
    """An exported object: `extra` without the modelled keys, then the modelled
    `values` (None, "" and [] left out), in the schema's key order."""
    drop = set(modelled_keys)
    item = {k: copy.deepcopy(v) for k, v in (extra or {}).items() if k not in drop}
    for key, value in values.items():
        if value is None or value == "" or value == []:
            continue
        item[key] = copy.deepcopy(value)
    return _ordered(item, schema)


# ------------------------------------------------------------------------- export


def _export_basics(profile: Mapping[str, Any]) -> dict[str, Any]:
    extra: Mapping[str, Any] = profile.get("extra") or {}
    location_text: str | None = profile.get("location") or None
    location: dict[str, Any] | None = None
    stored = extra.get("location")
    if isinstance(stored, dict) and format_location(stored) == (location_text or ""):
        location = stored
    elif location_text:
        location = {"city": location_text}
    values = {
        "name": profile.get("fullName"),
        "label": profile.get("headline"),
        "email": profile.get("email"),
        "phone": profile.get("phone"),
        "url": profile.get("website"),
        "summary": profile.get("bio"),
        "location": location,
        "profiles": _export_profiles(
            extra.get("profiles"), profile.get("githubUrl"), profile.get("linkedinUrl")
        ),
    }
    return _build(extra, BASICS_KEYS, values, SCHEMA["properties"]["basics"])


def _export_roles(role: str | None, extra: Mapping[str, Any]) -> list[str] | None:
    stored = extra.get("roles")
    if (
        isinstance(stored, list)
        and stored
        and all(isinstance(r, str) for r in stored)
        and ", ".join(stored) == (role or "")
    ):
        return list(stored)
    return [role] if role else None


def to_json_resume(data: ProfileData) -> dict[str, Any]:
    """The JSON Resume document for `data` (validates against `SCHEMA`)."""
    doc: dict[str, Any] = {
        k: copy.deepcopy(v)
        for k, v in (data.get("extraSections") or {}).items()
        if k not in MODELLED_SECTIONS
    }

    basics = _export_basics(data.get("profile") or {})
    if basics:
        doc["basics"] = basics

    work = [
        _build(
            e.get("extra"),
            WORK_KEYS,
            {
                "name": e.get("company"),
                "position": e.get("title"),
                "location": e.get("location"),
                "startDate": e.get("startDate"),
                "endDate": None if e.get("current") else e.get("endDate"),
                "highlights": e.get("description") or [],
            },
            _item_schema("work"),
        )
        for e in data.get("experience") or []
    ]
    education = [
        _build(
            e.get("extra"),
            EDUCATION_KEYS,
            {
                "institution": e.get("institution"),
                "area": e.get("field"),
                "studyType": e.get("degree"),
                "startDate": e.get("startDate"),
                "endDate": e.get("endDate"),
                "courses": e.get("courses") or [],
            },
            _item_schema("education"),
        )
        for e in data.get("education") or []
    ]
    projects = [
        _build(
            p.get("extra"),
            PROJECT_KEYS,
            {
                "name": p.get("name"),
                "startDate": p.get("startDate"),
                "endDate": p.get("endDate"),
                "highlights": p.get("description") or [],
                "url": next(iter(p.get("urls") or []), None),
                "roles": _export_roles(p.get("role"), p.get("extra") or {}),
            },
            _item_schema("projects"),
        )
        for p in data.get("projects") or []
    ]
    certificates = [
        _build(
            c.get("extra"),
            CERTIFICATE_KEYS,
            {
                "name": c.get("name"),
                "date": c.get("issued"),
                "issuer": c.get("issuer"),
                "url": c.get("credentialUrl"),
            },
            _item_schema("certificates"),
        )
        for c in data.get("certifications") or []
    ]
    skills = [
        _build(
            s.get("extra"),
            SKILL_KEYS,
            {"name": s.get("name"), "level": s.get("level")},
            _item_schema("skills"),
        )
        for s in data.get("skills") or []
    ]
    sections = {
        "work": work,
        "education": education,
        "projects": projects,
        "certificates": certificates,
        "skills": skills,
    }
    for name, items in sections.items():
        if items:
            doc[name] = items
    return _ordered(doc, SCHEMA)
