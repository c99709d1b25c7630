"""JSON Resume's side of the mapping (services.documents.jsonresume): our
profile data shapes, the vendored schema and its validation, the sections and
keys we model, the reading of dates, and helpers both directions use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from jsonschema import Draft7Validator

from services.documents.resumedata_schema import format_path


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
MODELLED_SECTIONS = (
    "basics",
    "work",
    "education",
    "projects",
    "certificates",
    "skills",
)
BASICS_KEYS = (
    "name",
    "label",
    "email",
    "phone",
    "url",
    "summary",
    "location",
    "profiles",
)
WORK_KEYS = ("name", "position", "location", "startDate", "endDate", "highlights")
EDUCATION_KEYS = (
    "institution",
    "area",
    "studyType",
    "startDate",
    "endDate",
    "courses",
)
PROJECT_KEYS = ("name", "startDate", "endDate", "highlights", "url", "roles")
CERTIFICATE_KEYS = ("name", "date", "issuer", "url")
SKILL_KEYS = ("name", "level")
_LOCATION_PARTS = ("city", "region", "countryCode")


# --------------------------------------------------------------------- validation


def validate(doc: dict[str, Any]) -> list[str]:
    """Schema errors of `doc` as "path: message" strings, empty when valid."""
    errors: list[tuple[list[str], str]] = []
    for error in _VALIDATOR.iter_errors(doc):
        path = list(error.absolute_path)
        message = f"{format_path(path)}: {error.message}"
        errors.append(([str(p) for p in path], message))
    errors.sort()
    return [message for _, message in errors]


# -------------------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR_SLASH_MONTH = re.compile(r"^(\d{4})/(\d{1,2})$")
_MONTH_SLASH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_MONTH_NAME_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
MONTHS = {
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
    if (match := _MONTH_NAME_YEAR.match(text)) and match[1].lower() in MONTHS:
        return _year_month(value, int(match[2]), MONTHS[match[1].lower()])
    raise ValueError(f"unrecognised date {value!r}: {_DATE_HELP}")


# ------------------------------------------------------------------------ helpers


def format_location(location: Mapping[str, Any]) -> str:
    parts = (location.get(key) for key in _LOCATION_PARTS)
    return ", ".join(part for part in parts if isinstance(part, str) and part)


def profile_kind(profile: Mapping[str, Any]) -> str | None:
    """The kind ("github", "linkedin" or None) of a `basics.profiles` entry."""
    network = profile.get("network")
    if isinstance(network, str) and network.strip().lower() in ("github", "linkedin"):
        return network.strip().lower()
    url = profile.get("url")
    if isinstance(url, str):
        host = split_url(url).hostname or ""
        for kind, domain in (("github", "github.com"), ("linkedin", "linkedin.com")):
            if host == domain or host.endswith("." + domain):
                return kind
    return None


def split_url(url: str) -> Any:
    parts = urlsplit(url)
    if not parts.netloc and "://" not in url:
        parts = urlsplit("//" + url)
    return parts
