"""JSON Resume (https://jsonresume.org, schema v1.0.0) <-> our profile data.

Pure functions over plain dicts; the only I/O is reading the vendored schema
(`jsonresume.schema.json`, draft-07) once at import.

`ProfileData` is the profile and its sections in our shape (camelCase keys, ISO
partial dates "YYYY", "YYYY-MM" or "YYYY-MM-DD"). JSON Resume fields we have no
column for are kept verbatim in the `extra` dict of the profile or of each row, and
whole top-level sections we do not model (volunteer, awards, publications,
languages, interests, references, meta, `$schema`, ...) in `extraSections`, so
import -> export reproduces the original document and export -> import -> export
is lossless.

- `validate(doc)`: schema errors as "path: message" strings (empty when valid).
- `to_json_resume(data)`: export. Modelled fields override `extra` keys of the same
  name; None and "" modelled values and empty modelled lists are left out.
- `from_json_resume(doc)`: import. Raises `ValueError` (message starts with the
  path, e.g. "work[0].startDate: ...") for dates it cannot read or values of the
  wrong type in modelled fields.
- `normalize_date(value)`: the date reading `from_json_resume` applies.

Our fields with no JSON Resume counterpart are not exported: skill `category` and
`years`, education `description`, certification `expires`, and project URLs after
the first.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from jsonschema import Draft7Validator

__all__ = [
    "SCHEMA",
    "CertificationData",
    "EducationData",
    "ExperienceData",
    "ProfileData",
    "ProfileFields",
    "ProjectData",
    "SkillData",
    "from_json_resume",
    "normalize_date",
    "to_json_resume",
    "validate",
]


class ProfileFields(TypedDict):
    fullName: str | None
    headline: str | None
    bio: str | None
    location: str | None
    email: str | None
    phone: str | None
    website: str | None
    githubUrl: str | None
    linkedinUrl: str | None
    extra: dict[str, Any]


class SkillData(TypedDict):
    name: str
    category: str | None
    level: str | None
    years: float | None
    extra: dict[str, Any]


class ExperienceData(TypedDict):
    title: str
    company: str
    location: str | None
    startDate: str | None
    endDate: str | None
    current: bool
    description: list[str]
    extra: dict[str, Any]


class EducationData(TypedDict):
    institution: str
    degree: str | None
    field: str | None
    startDate: str | None
    endDate: str | None
    description: list[str]
    courses: list[str]
    extra: dict[str, Any]


class ProjectData(TypedDict):
    name: str
    role: str | None
    startDate: str | None
    endDate: str | None
    urls: list[str]
    description: list[str]
    extra: dict[str, Any]


class CertificationData(TypedDict):
    name: str
    issuer: str | None
    issued: str | None
    expires: str | None
    credentialUrl: str | None
    extra: dict[str, Any]


class ProfileData(TypedDict):
    profile: ProfileFields
    skills: list[SkillData]
    experience: list[ExperienceData]
    education: list[EducationData]
    projects: list[ProjectData]
    certifications: list[CertificationData]
    extraSections: dict[str, Any]


SCHEMA_PATH = Path(__file__).with_name("jsonresume.schema.json")
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

# Draft7Validator resolves the schema's own "#/definitions/..." refs against the
# root resource and never retrieves remote ones; the draft-07 metaschema ships with
# jsonschema. Format checks are local (e.g. "email"); "uri" is only checked when
# the optional rfc3987 package is installed.
Draft7Validator.check_schema(SCHEMA)
_VALIDATOR: Any = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)

# Sections and keys we map to columns; everything else is kept in `extra`.
_MODELLED_SECTIONS = (
    "basics",
    "work",
    "education",
    "projects",
    "certificates",
    "skills",
)
_BASICS_KEYS = (
    "name",
    "label",
    "email",
    "phone",
    "url",
    "summary",
    "location",
    "profiles",
)
_WORK_KEYS = ("name", "position", "location", "startDate", "endDate", "highlights")
_EDUCATION_KEYS = (
    "institution",
    "area",
    "studyType",
    "startDate",
    "endDate",
    "courses",
)
_PROJECT_KEYS = ("name", "startDate", "endDate", "highlights", "url", "roles")
_CERTIFICATE_KEYS = ("name", "date", "issuer", "url")
_SKILL_KEYS = ("name", "level")
_LOCATION_PARTS = ("city", "region", "countryCode")


# --------------------------------------------------------------------- validation


def _format_path(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def validate(doc: dict[str, Any]) -> list[str]:
    """Schema errors of `doc` as "path: message" strings, empty when valid."""
    errors: list[tuple[list[str], str]] = []
    for error in _VALIDATOR.iter_errors(doc):
        path = list(error.absolute_path)
        message = f"{_format_path(path)}: {error.message}"
        errors.append(([str(p) for p in path], message))
    errors.sort()
    return [message for _, message in errors]


# -------------------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR_SLASH_MONTH = re.compile(r"^(\d{4})/(\d{1,2})$")
_MONTH_SLASH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_MONTH_NAME_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DATE_HELP = (
    "expected YYYY, YYYY-MM or YYYY-MM-DD "
    "(also accepted: YYYY/MM, MM/YYYY, 'Mar 2019', 'March 2019')"
)


def _year_month(value: str, year: int, month: int) -> str:
    if not 1000 <= year <= 2999 or not 1 <= month <= 12:
        raise ValueError(f"invalid date {value!r}: {_DATE_HELP}")
    return f"{year:04d}-{month:02d}"


def normalize_date(value: str) -> str:
    """An ISO partial date ("YYYY", "YYYY-MM", "YYYY-MM-DD") for `value`.

    ISO partial dates are returned unchanged (after checking they exist);
    "YYYY/MM", "MM/YYYY" and English "Mon YYYY" / "Month YYYY" become "YYYY-MM".
    Anything else raises ValueError.
    """
    text = value.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
        try:
            date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise ValueError(f"invalid date {value!r}: {_DATE_HELP}") from None
        if not 1000 <= int(year) <= 2999:
            raise ValueError(f"invalid date {value!r}: {_DATE_HELP}")
        return text
    if match := _YEAR_SLASH_MONTH.match(text):
        return _year_month(value, int(match[1]), int(match[2]))
    if match := _MONTH_SLASH_YEAR.match(text):
        return _year_month(value, int(match[2]), int(match[1]))
    if (match := _MONTH_NAME_YEAR.match(text)) and match[1].lower() in _MONTHS:
        return _year_month(value, int(match[2]), _MONTHS[match[1].lower()])
    raise ValueError(f"unrecognised date {value!r}: {_DATE_HELP}")


# ------------------------------------------------------------------------ helpers


def _format_location(location: Mapping[str, Any]) -> str:
    parts = (location.get(key) for key in _LOCATION_PARTS)
    return ", ".join(part for part in parts if isinstance(part, str) and part)


def _profile_kind(profile: Mapping[str, Any]) -> str | None:
    """The kind ("github", "linkedin" or None) of a `basics.profiles` entry."""
    network = profile.get("network")
    if isinstance(network, str) and network.strip().lower() in ("github", "linkedin"):
        return network.strip().lower()
    url = profile.get("url")
    if isinstance(url, str):
        host = _split_url(url).hostname or ""
        for kind, domain in (("github", "github.com"), ("linkedin", "linkedin.com")):
            if host == domain or host.endswith("." + domain):
                return kind
    return None


def _split_url(url: str) -> Any:
    parts = urlsplit(url)
    if not parts.netloc and "://" not in url:
        parts = urlsplit("//" + url)
    return parts


def _username(kind: str, url: str) -> str | None:
    segments = [s for s in _split_url(url).path.split("/") if s]
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
            (e for e in entries if _profile_kind(e) == kind and e.get("url") == url),
            None,
        )
        for kind, url in current.items()
    }
    placed: set[str] = set()
    out: list[Any] = []
    for entry in entries:
        kind = _profile_kind(entry)
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
    if isinstance(stored, dict) and _format_location(stored) == (location_text or ""):
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
    return _build(extra, _BASICS_KEYS, values, SCHEMA["properties"]["basics"])


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
        if k not in _MODELLED_SECTIONS
    }

    basics = _export_basics(data.get("profile") or {})
    if basics:
        doc["basics"] = basics

    work = [
        _build(
            e.get("extra"),
            _WORK_KEYS,
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
            _EDUCATION_KEYS,
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
            _PROJECT_KEYS,
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
            _CERTIFICATE_KEYS,
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
            _SKILL_KEYS,
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
    extra = _extra(basics, _BASICS_KEYS)

    location: str | None = None
    raw_location = basics.get("location")
    if isinstance(raw_location, dict):
        location = _format_location(raw_location) or None
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
            kind = _profile_kind(entry)
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
        "extra": _extra(item, _WORK_KEYS),
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
        "extra": _extra(item, _EDUCATION_KEYS),
    }


def _import_project(path: str, item: dict[str, Any]) -> ProjectData:
    extra = _extra(item, _PROJECT_KEYS)
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
        "extra": _extra(item, _CERTIFICATE_KEYS),
    }


def _import_skill(path: str, item: dict[str, Any]) -> SkillData:
    return {
        "name": _req_str(item, "name", path),
        "category": None,
        "level": _opt_str(item, "level", path),
        "years": None,
        "extra": _extra(item, _SKILL_KEYS),
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
        "extraSections": _extra(doc, _MODELLED_SECTIONS),
    }
