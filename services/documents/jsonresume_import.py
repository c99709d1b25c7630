"""Import of a JSON Resume document into our profile data (`from_json_resume`)."""

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
    SKILL_KEYS,
    WORK_KEYS,
    CertificationData,
    EducationData,
    ExperienceData,
    ProfileData,
    ProfileFields,
    ProjectData,
    SkillData,
    format_location,
    normalize_date,
    profile_kind,
)

# ------------------------------------------------------------------------- import


def _opt_str(item: Mapping[str, Any], key: str, path: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{path}.{key}: expected a string, got {type(value).__name__}")
    return value


def _req_str(item: Mapping[str, Any], key: str, path: str) -> str:
    return _opt_str(item, key, path) or ""


def _str_list(item: Mapping[str, Any], key: str, path: str) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{path}.{key}: expected a list of strings")
    return list(value)


def _opt_date(item: Mapping[str, Any], key: str, path: str) -> str | None:
    value = _opt_str(item, key, path)
    if value is None:
        return None
    try:
        return normalize_date(value)
    except ValueError as exc:
        raise ValueError(f"{path}.{key}: {exc}") from None


def _extra(item: Mapping[str, Any], modelled_keys: Iterable[str]) -> dict[str, Any]:
    drop = set(modelled_keys)
    return {k: copy.deepcopy(v) for k, v in item.items() if k not in drop}


def _section(doc: Mapping[str, Any], name: str) -> list[tuple[str, dict[str, Any]]]:
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{name}: expected a list")
    items: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValueError(f"{name}[{index}]: expected an object")
        items.append((f"{name}[{index}]", item))
    return items


def _import_profile(doc: Mapping[str, Any]) -> ProfileFields:
    basics = doc.get("basics")
    if basics is None:
        basics = {}
    if not isinstance(basics, dict):
        raise ValueError("basics: expected an object")
    extra = _extra(basics, BASICS_KEYS)

    location: str | None = None
    raw_location = basics.get("location")
    if isinstance(raw_location, dict):
        location = format_location(raw_location) or None
        extra["location"] = copy.deepcopy(raw_location)
    elif isinstance(raw_location, str):  # not the schema's shape; read it anyway
        location = raw_location or None
    elif raw_location is not None:
        raise ValueError("basics.location: expected an object")

    urls: dict[str, str | None] = {"github": None, "linkedin": None}
    raw_profiles = basics.get("profiles")
    if raw_profiles is not None:
        if not isinstance(raw_profiles, list):
            raise ValueError("basics.profiles: expected a list")
        for index, entry in enumerate(raw_profiles):
            if not isinstance(entry, dict):
                raise ValueError(f"basics.profiles[{index}]: expected an object")
            kind = profile_kind(entry)
            url = _opt_str(entry, "url", f"basics.profiles[{index}]")
            if kind is not None and urls[kind] is None and url:
                urls[kind] = url
        extra["profiles"] = copy.deepcopy(raw_profiles)

    return {
        "fullName": _opt_str(basics, "name", "basics"),
        "headline": _opt_str(basics, "label", "basics"),
        "bio": _opt_str(basics, "summary", "basics"),
        "location": location,
        "email": _opt_str(basics, "email", "basics"),
        "phone": _opt_str(basics, "phone", "basics"),
        "website": _opt_str(basics, "url", "basics"),
        "githubUrl": urls["github"],
        "linkedinUrl": urls["linkedin"],
        "extra": extra,
    }


def _import_experience(path: str, item: dict[str, Any]) -> ExperienceData:
    start = _opt_date(item, "startDate", path)
    end = _opt_date(item, "endDate", path)
    return {
        "title": _req_str(item, "position", path),
        "company": _req_str(item, "name", path),
        "location": _opt_str(item, "location", path),
        "startDate": start,
        "endDate": end,
        "current": start is not None and end is None,
        "description": _str_list(item, "highlights", path),
        "extra": _extra(item, WORK_KEYS),
    }


def _import_education(path: str, item: dict[str, Any]) -> EducationData:
    return {
        "institution": _req_str(item, "institution", path),
        "degree": _opt_str(item, "studyType", path),
        "field": _opt_str(item, "area", path),
        "startDate": _opt_date(item, "startDate", path),
        "endDate": _opt_date(item, "endDate", path),
        "description": [],
        "courses": _str_list(item, "courses", path),
        "extra": _extra(item, EDUCATION_KEYS),
    }


def _import_project(path: str, item: dict[str, Any]) -> ProjectData:
    extra = _extra(item, PROJECT_KEYS)
    roles = _str_list(item, "roles", path)
    if "roles" in item:
        extra["roles"] = list(roles)
    url = _opt_str(item, "url", path)
    return {
        "name": _req_str(item, "name", path),
        "role": ", ".join(roles) or None,
        "startDate": _opt_date(item, "startDate", path),
        "endDate": _opt_date(item, "endDate", path),
        "urls": [url] if url else [],
        "description": _str_list(item, "highlights", path),
        "extra": extra,
    }


def _import_certification(path: str, item: dict[str, Any]) -> CertificationData:
    return {
        "name": _req_str(item, "name", path),
        "issuer": _opt_str(item, "issuer", path),
        "issued": _opt_date(item, "date", path),
        "expires": None,
        "credentialUrl": _opt_str(item, "url", path),
        "extra": _extra(item, CERTIFICATE_KEYS),
    }


def _import_skill(path: str, item: dict[str, Any]) -> SkillData:
    return {
        "name": _req_str(item, "name", path),
        "category": None,
        "level": _opt_str(item, "level", path),
        "years": None,
        "extra": _extra(item, SKILL_KEYS),
    }


def from_json_resume(doc: dict[str, Any]) -> ProfileData:
    """Our profile data for a JSON Resume document.

    Raises ValueError ("path: problem") for unreadable dates and wrongly typed
    modelled fields; run `validate` first to report schema problems.
    """
    if not isinstance(doc, dict):
        raise ValueError("(root): expected an object")
    return {
        "profile": _import_profile(doc),
        "skills": [_import_skill(p, i) for p, i in _section(doc, "skills")],
        "experience": [_import_experience(p, i) for p, i in _section(doc, "work")],
        "education": [_import_education(p, i) for p, i in _section(doc, "education")],
        "projects": [_import_project(p, i) for p, i in _section(doc, "projects")],
        "certifications": [
            _import_certification(p, i) for p, i in _section(doc, "certificates")
        ],
        "extraSections": _extra(doc, MODELLED_SECTIONS),
    }
