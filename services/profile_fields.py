"""What an owner profile and its sections are made of: the section kinds and
their tables, the limits and field rules with their checking (`clean`,
`check_dates`, `normalize_username`), and `get_profile`, the organization's
profile row (created on first use). `services.profiles` re-exports all of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from models.profiles import (
    Certification,
    Education,
    Experience,
    Profile,
    Project,
    SectionRow,
    Skill,
)
from services.errors import ValidationFailed

SectionKind = Literal["skills", "experience", "education", "projects", "certifications"]
SECTION_KINDS: tuple[SectionKind, ...] = (
    "skills",
    "experience",
    "education",
    "projects",
    "certifications",
)
MAX_ROWS_PER_SECTION = 200
MAX_BULLETS = 50
MAX_BULLET_LENGTH = 1000
MAX_INSIGHT_DAYS = 366

USERNAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
RESERVED_USERNAMES = frozenset(
    {"admin", "api", "graphql", "graphiql", "health", "metrics", "files", "me", "www"}
)
DATE_RE = re.compile(r"^(19|20)\d{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
PHONE_RE = re.compile(r"^[0-9+().\- /x]{3,40}$")

# -- field rules -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """How one input field is checked. `api` is its GraphQL (camelCase) name."""

    column: str
    api: str
    kind: Literal["text", "url", "date", "bool", "list", "float", "email", "phone"]
    max_length: int = 200
    required: bool = False


def _text(
    column: str, api: str, max_length: int = 200, *, required: bool = False
) -> Rule:
    return Rule(column, api, "text", max_length, required)


PROFILE_RULES = (
    _text("full_name", "fullName"),
    _text("headline", "headline"),
    _text("bio", "bio", 5000),
    _text("location", "location"),
    Rule("email", "email", "email", 254),
    Rule("phone", "phone", "phone", 40),
    Rule("website", "website", "url", 500),
    Rule("github_url", "githubUrl", "url", 500),
    Rule("linkedin_url", "linkedinUrl", "url", 500),
    Rule("open_to_work", "openToWork", "bool"),
    Rule("show_email", "showEmail", "bool"),
    Rule("show_phone", "showPhone", "bool"),
)

SECTION_RULES: dict[SectionKind, tuple[Rule, ...]] = {
    "skills": (
        _text("name", "name", 100, required=True),
        _text("category", "category", 100),
        _text("level", "level", 50),
        Rule("years", "years", "float"),
    ),
    "experience": (
        _text("title", "title", required=True),
        _text("company", "company", required=True),
        _text("location", "location"),
        Rule("start_date", "startDate", "date"),
        Rule("end_date", "endDate", "date"),
        Rule("current", "current", "bool"),
        Rule("description", "description", "list"),
    ),
    "education": (
        _text("institution", "institution", required=True),
        _text("degree", "degree"),
        _text("field", "field"),
        Rule("start_date", "startDate", "date"),
        Rule("end_date", "endDate", "date"),
        Rule("description", "description", "list"),
        Rule("courses", "courses", "list"),
    ),
    "projects": (
        _text("name", "name", required=True),
        _text("role", "role"),
        Rule("start_date", "startDate", "date"),
        Rule("end_date", "endDate", "date"),
        Rule("urls", "urls", "list", 500),
        Rule("description", "description", "list"),
    ),
    "certifications": (
        _text("name", "name", required=True),
        _text("issuer", "issuer"),
        Rule("issued", "issued", "date"),
        Rule("expires", "expires", "date"),
        Rule("credential_url", "credentialUrl", "url", 500),
    ),
}

SECTION_MODELS: dict[SectionKind, type[SectionRow]] = {
    "skills": Skill,
    "experience": Experience,
    "education": Education,
    "projects": Project,
    "certifications": Certification,
}
SINGULAR: dict[SectionKind, str] = {
    "skills": "Skill",
    "experience": "Experience",
    "education": "Education",
    "projects": "Project",
    "certifications": "Certification",
}


def _check_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL"
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    return None


def _clean_value(rule: Rule, value: Any) -> tuple[Any, str | None]:
    """The stored form of `value`, or an error message."""
    if value is None:
        if rule.required:
            return None, "is required"
        if rule.kind == "bool":
            return None, "must be true or false"
        if rule.kind == "list":
            return [], None
        return None, None
    if rule.kind == "bool":
        return bool(value), None
    if rule.kind == "float":
        years = float(value)
        if not 0 <= years <= 80:
            return None, "must be between 0 and 80"
        return years, None
    if rule.kind == "list":
        items = [str(item).strip() for item in value]
        items = [item for item in items if item]
        if len(items) > MAX_BULLETS:
            return None, f"must have at most {MAX_BULLETS} entries"
        limit = rule.max_length if rule.max_length != 200 else MAX_BULLET_LENGTH
        if any(len(item) > limit for item in items):
            return None, f"entries must be at most {limit} characters"
        if rule.column == "urls":
            for item in items:
                problem = _check_url(item)
                if problem:
                    return None, f"{item[:60]!r} {problem}"
        return items, None
    text = str(value).strip()
    if not text:
        return (None, "is required") if rule.required else (None, None)
    if len(text) > rule.max_length:
        return None, f"must be at most {rule.max_length} characters"
    if rule.kind == "url":
        problem = _check_url(text)
        return (None, problem) if problem else (text, None)
    if rule.kind == "date":
        if not DATE_RE.match(text):
            return None, "must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD"
        return text, None
    if rule.kind == "email":
        return (
            (text, None) if EMAIL_RE.match(text) else (None, "is not an email address")
        )
    if rule.kind == "phone":
        return (text, None) if PHONE_RE.match(text) else (None, "is not a phone number")
    return text, None


def clean(
    rules: tuple[Rule, ...], values: dict[str, Any], *, partial: bool
) -> dict[str, Any]:
    """Check the given `values` (keyed by column); raise one ValidationFailed listing
    every problem. With `partial`, absent keys are left alone."""
    out: dict[str, Any] = {}
    problems: list[tuple[list[str], str]] = []
    for rule in rules:
        if rule.column not in values:
            if not partial and rule.required:
                problems.append(([rule.api], f"{rule.api} is required"))
            continue
        value, problem = _clean_value(rule, values[rule.column])
        if problem:
            problems.append(([rule.api], f"{rule.api} {problem}"))
        else:
            out[rule.column] = value
    if problems:
        raise ValidationFailed(problems[0][1], field=problems[0][0], problems=problems)
    return out


def check_dates(row: dict[str, Any]) -> None:
    start, end = row.get("start_date"), row.get("end_date")
    if start and end and end < start:
        raise ValidationFailed(
            "endDate must not be before startDate", field=["endDate"]
        )
    if row.get("current") and end:
        raise ValidationFailed(
            "endDate must be empty when current is true", field=["endDate"]
        )
    issued, expires = row.get("issued"), row.get("expires")
    if issued and expires and expires < issued:
        raise ValidationFailed("expires must not be before issued", field=["expires"])


# -- the profile -----------------------------------------------------------------------


async def get_profile(*, organization_id: int) -> Profile:
    """The organization's profile, created empty on first use."""
    profile = await Profile.get_or_none(organization_id=organization_id)
    if profile is not None:
        return profile
    try:
        return await Profile.create(organization_id=organization_id)
    except IntegrityError:  # created by a concurrent request
        return await Profile.get(organization_id=organization_id)


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationFailed(
            "username must be 3 to 40 characters: lowercase letters, digits and "
            "hyphens, starting and ending with a letter or digit",
            field=["username"],
        )
    if name in RESERVED_USERNAMES:
        raise ValidationFailed(f"username {name!r} is reserved", field=["username"])
    return name
