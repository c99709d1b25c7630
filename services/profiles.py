"""Owner profiles: the profile of an organization, its ordered sections, theme and
layout, the public face, view insights, and resetting imported content.

Every query is scoped by the caller's organization; a row of another organization
is NOT_FOUND, exactly like a row that does not exist. Writes validate everything
first and then write in one transaction, so a rejected input changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.profiles import (
    Certification,
    Education,
    Experience,
    Profile,
    ProfileView,
    Project,
    SectionRow,
    Skill,
)
from services import billing, entitlements, indexing, profile_cache
from services.accounts import Actor, AuthConfig, RequestMeta, SecurityEventKind
from services.accounts import record_event as record_security_event
from services.errors import Conflict, NotFound, PlanRequired, ValidationFailed
from services.ratelimit import DAY, MemoryRateLimiter, RateLimiter

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


async def update_profile(*, actor: Actor, changes: dict[str, Any]) -> Profile:
    """Apply the given fields (by column); fields not given keep their values."""
    values = clean(PROFILE_RULES, changes, partial=True)
    if "username" in changes:
        raw = changes["username"]
        values["username"] = normalize_username(raw) if raw else None
    profile = await get_profile(organization_id=actor.organization_id)
    if values.get("username") and values["username"] != profile.username:
        taken = await Profile.filter(username=values["username"]).exists()
        if taken:
            raise Conflict("That username is taken", field=["username"])
    if not values:
        return profile
    profile.update_from_dict(values)
    try:
        await profile.save(update_fields=[*values, "updated_at"])
    except IntegrityError:  # the username was taken in between
        raise Conflict("That username is taken", field=["username"]) from None
    return profile


# -- sections --------------------------------------------------------------------------


async def list_section(*, organization_id: int, kind: SectionKind) -> list[SectionRow]:
    model = SECTION_MODELS[kind]
    rows = await model.filter(organization_id=organization_id).order_by(
        "position", "id"
    )
    return list(rows)


async def get_section_rows(
    *, organization_id: int, kind: SectionKind, ids: list[int]
) -> list[SectionRow]:
    model = SECTION_MODELS[kind]
    return list(await model.filter(organization_id=organization_id, id__in=ids))


async def _get_row(actor: Actor, kind: SectionKind, row_id: int) -> SectionRow:
    row = await SECTION_MODELS[kind].get_or_none(
        id=row_id, organization_id=actor.organization_id
    )
    if row is None:
        raise NotFound(f"{SINGULAR[kind]} not found", field=["id"])
    return row


async def create_section_row(
    *, actor: Actor, kind: SectionKind, values: dict[str, Any]
) -> SectionRow:
    row_values = clean(SECTION_RULES[kind], values, partial=False)
    check_dates(row_values)
    profile = await get_profile(organization_id=actor.organization_id)
    model = SECTION_MODELS[kind]
    async with in_transaction():
        count = await model.filter(profile_id=profile.id).count()
        if count >= MAX_ROWS_PER_SECTION:
            raise ValidationFailed(
                f"A profile holds at most {MAX_ROWS_PER_SECTION} {kind} entries"
            )
        last = (
            await model.filter(profile_id=profile.id)
            .order_by("-position")
            .first()
            .values_list("position", flat=True)
        )
        position = int(last) + 1 if last is not None else 0  # type: ignore[call-overload]
        return await model.create(
            organization_id=actor.organization_id,
            profile_id=profile.id,
            position=position,
            **row_values,
        )


async def update_section_row(
    *, actor: Actor, kind: SectionKind, row_id: int, changes: dict[str, Any]
) -> SectionRow:
    values = clean(SECTION_RULES[kind], changes, partial=True)
    row = await _get_row(actor, kind, row_id)
    merged = {rule.column: getattr(row, rule.column) for rule in SECTION_RULES[kind]}
    merged.update(values)
    check_dates(merged)
    if values:
        row.update_from_dict(values)
        await row.save(update_fields=[*values, "updated_at"])
    return row


async def delete_section_row(*, actor: Actor, kind: SectionKind, row_id: int) -> int:
    row = await _get_row(actor, kind, row_id)
    await row.delete()
    return row_id


async def reorder_section(
    *, actor: Actor, kind: SectionKind, ids: list[int | None]
) -> list[SectionRow]:
    """Put the section's rows in the order of `ids`, which must name every row of
    the section exactly once. `None` stands for an id that could not be decoded."""
    rows = await list_section(organization_id=actor.organization_id, kind=kind)
    by_id = {row.id: row for row in rows}
    problems: list[tuple[list[str], str]] = []
    seen: set[int] = set()
    for index, row_id in enumerate(ids):
        if row_id is None or row_id not in by_id:
            problems.append((["ids", str(index)], f"{SINGULAR[kind]} not found"))
        elif row_id in seen:
            problems.append((["ids", str(index)], "listed twice"))
        else:
            seen.add(row_id)
    if problems:
        field, message = problems[0]
        if any(m.endswith("not found") for _, m in problems):
            raise NotFound(message, field=field)
        raise ValidationFailed(message, field=field, problems=problems)
    missing = [row_id for row_id in by_id if row_id not in seen]
    if missing:
        raise ValidationFailed(
            f"ids must list every {kind} entry; {len(missing)} missing", field=["ids"]
        )
    async with in_transaction():
        for position, row_id in enumerate(ids):
            assert row_id is not None
            row = by_id[row_id]
            if row.position != position:
                await SECTION_MODELS[kind].filter(id=row_id).update(position=position)
                row.position = position
        await profile_cache.changed(organization_id=actor.organization_id)
    return sorted(rows, key=lambda r: r.position)


# -- presentation ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeOption:
    id: str
    name: str
    premium: bool
    description: str


THEMES: tuple[ThemeOption, ...] = (
    ThemeOption("classic", "Classic", False, "Serif headings, one column"),
    ThemeOption("modern", "Modern", False, "Sans-serif, accent-coloured rules"),
    ThemeOption("noto", "Noto", False, "Noto Sans with CJK coverage"),
    ThemeOption("terminal", "Terminal", True, "Monospace, dark header band"),
    ThemeOption("executive", "Executive", True, "Two-column with sidebar"),
)
THEMES_BY_ID = {theme.id: theme for theme in THEMES}
DEFAULT_THEME = "classic"
FONTS = ("INTER", "SOURCE_SERIF", "IBM_PLEX_MONO", "NOTO_SANS_CJK")


@dataclass(frozen=True, slots=True)
class FontOption:
    id: str
    name: str
    premium: bool  # needs a plan with premium presentation (premium_themes)


FONT_OPTIONS: tuple[FontOption, ...] = (
    FontOption("INTER", "Inter", False),
    FontOption("SOURCE_SERIF", "Source Serif", False),
    FontOption("NOTO_SANS_CJK", "Noto Sans CJK", False),  # CJK is never paywalled
    FontOption("IBM_PLEX_MONO", "IBM Plex Mono", True),
)
FONTS_BY_ID = {font.id: font for font in FONT_OPTIONS}
DEFAULT_FONT = "INTER"


@dataclass(frozen=True, slots=True)
class ThemeState:
    theme_id: str
    effective_theme_id: str
    accent_color: str
    available: bool  # premium theming on the current plan
    effective_plan: str


def theme_state(profile: Profile, plan_id: str) -> ThemeState:
    available = billing.get_plan(plan_id).allows("premium_themes")
    theme = THEMES_BY_ID.get(profile.theme_id)
    effective = (
        profile.theme_id
        if theme is not None and (available or not theme.premium)
        else DEFAULT_THEME
    )
    return ThemeState(
        theme_id=profile.theme_id,
        effective_theme_id=effective,
        accent_color=profile.accent_color,
        available=available,
        effective_plan=plan_id,
    )


async def update_theme(
    *, actor: Actor, plan_id: str, theme_id: str | None, accent_color: str | None
) -> Profile:
    values: dict[str, Any] = {}
    if theme_id is not None:
        theme = THEMES_BY_ID.get(theme_id)
        if theme is None:
            raise ValidationFailed(
                f"Unknown theme {theme_id[:40]!r}; see theme.catalog",
                field=["themeId"],
            )
        if theme.premium and not billing.get_plan(plan_id).allows("premium_themes"):
            raise PlanRequired(
                f"The {theme.name} theme needs a plan with premium themes "
                f"(starter or above); this organization is on {plan_id}",
                field=["themeId"],
            )
        values["theme_id"] = theme.id
    if accent_color is not None:
        if not COLOR_RE.match(accent_color):
            raise ValidationFailed(
                "accentColor must be a colour in #RRGGBB form", field=["accentColor"]
            )
        values["accent_color"] = accent_color.lower()
    profile = await get_profile(organization_id=actor.organization_id)
    if values:
        profile.update_from_dict(values)
        await profile.save(update_fields=[*values, "updated_at"])
    return profile


def effective_order(profile: Profile) -> list[SectionKind]:
    """The stored section order, completed with any section it does not name."""
    order: list[SectionKind] = [k for k in SECTION_KINDS if k in profile.section_order]
    order.sort(key=profile.section_order.index)
    return order + [k for k in SECTION_KINDS if k not in order]


@dataclass(frozen=True, slots=True)
class LayoutState:
    section_order: list[SectionKind]
    hidden_sections: list[str]
    font: str  # the stored choice
    effective_font: str  # what is rendered after entitlement checks
    available: bool  # premium layout options on the current plan
    effective_plan: str


def layout_state(profile: Profile, plan_id: str) -> LayoutState:
    """The layout as stored and as the plan lets it render: after a downgrade
    a premium font stays stored and the effective one falls back to Inter."""
    available = billing.get_plan(plan_id).allows("premium_themes")
    font = FONTS_BY_ID.get(profile.font)
    effective = (
        profile.font
        if font is not None and (available or not font.premium)
        else DEFAULT_FONT
    )
    return LayoutState(
        section_order=effective_order(profile),
        hidden_sections=list(profile.hidden_sections),
        font=profile.font,
        effective_font=effective,
        available=available,
        effective_plan=plan_id,
    )


async def update_layout(
    *,
    actor: Actor,
    plan_id: str,
    section_order: list[str] | None,
    hidden_sections: list[str] | None,
    font: str | None,
) -> Profile:
    """Order, hidden sections and font; a premium font on a plan without premium
    presentation is PLAN_REQUIRED (nothing is changed)."""
    values: dict[str, Any] = {}
    if section_order is not None:
        if len(set(section_order)) != len(section_order):
            raise ValidationFailed(
                "sectionOrder names a section twice", field=["sectionOrder"]
            )
        values["section_order"] = list(section_order)
    if hidden_sections is not None:
        values["hidden_sections"] = sorted(set(hidden_sections))
    if font is not None:
        option = FONTS_BY_ID.get(font)
        if option is None:
            raise ValidationFailed(f"Unknown font {font[:40]!r}", field=["font"])
        if option.premium and not billing.get_plan(plan_id).allows("premium_themes"):
            raise PlanRequired(
                f"The {option.name} font needs a plan with premium themes (starter "
                f"or above); this organization is on {plan_id}",
                field=["font"],
            )
        values["font"] = font
    profile = await get_profile(organization_id=actor.organization_id)
    if values:
        profile.update_from_dict(values)
        await profile.save(update_fields=[*values, "updated_at"])
    return profile


# -- the public face and its insights --------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicProfile:
    profile: Profile
    plan_id: str
    sections: dict[SectionKind, list[SectionRow]]  # visible sections only, in order


async def public_profile(
    *, username: str, cache: profile_cache.ProfileCache | None = None
) -> PublicProfile | None:
    """What the owner made public; None when no such profile. A pure read: views
    are counted by `record_profile_view`. The visible sections come from `cache`
    when it holds the profile's version."""
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        return None
    profile = await Profile.get_or_none(username=name).select_related("organization")
    if profile is None:
        return None
    hidden = set(profile.hidden_sections)
    visible: list[str] = [k for k in effective_order(profile) if k not in hidden]
    cached = await (cache or profile_cache.ProfileCache(0)).sections(profile, visible)
    sections = cast("dict[SectionKind, list[SectionRow]]", cached)
    plan = await entitlements.for_organization(organization_id=profile.organization_id)
    return PublicProfile(profile=profile, plan_id=plan.plan.id, sections=sections)


async def _count_view(profile: Profile) -> None:
    today = datetime.now(UTC).date()
    updated = await ProfileView.filter(profile_id=profile.id, day=today).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        await ProfileView.create(
            organization_id=profile.organization_id,
            profile_id=profile.id,
            day=today,
            count=1,
        )
    except IntegrityError:  # another request created today's row first
        await ProfileView.filter(profile_id=profile.id, day=today).update(
            count=F("count") + 1
        )


# one counted view per visitor IP and profile in a sliding day: refetches, reloads
# and server-side rendering of the same visit do not inflate the owner's insights
VIEWS_PER_IP_PER_DAY = 1


async def record_profile_view(
    *, username: str, ip: str, limiter: RateLimiter | MemoryRateLimiter
) -> bool:
    """Count a visit of a public profile; False when this IP's visit of the day was
    already counted. Raises NotFound for a username that names no profile."""
    name = username.strip().lower()
    profile = (
        await Profile.get_or_none(username=name) if USERNAME_RE.match(name) else None
    )
    if profile is None:
        raise NotFound("No public profile with this username", field=["username"])
    verdict = await limiter.hit(
        f"profile-view:{profile.id}:{ip}", per_minute=VIEWS_PER_IP_PER_DAY, window=DAY
    )
    if not verdict.allowed:
        return False
    await _count_view(profile)
    return True


async def insights(
    *, organization_id: int, start: date, end: date
) -> list[tuple[date, int]]:
    """Public views per day from `start` to `end` inclusive, zero-filled."""
    if end < start:
        raise ValidationFailed("`to` must not be before `from`", field=["to"])
    if (end - start).days + 1 > MAX_INSIGHT_DAYS:
        raise ValidationFailed(
            f"A range covers at most {MAX_INSIGHT_DAYS} days", field=["from"]
        )
    rows = await ProfileView.filter(
        organization_id=organization_id, day__gte=start, day__lte=end
    ).values_list("day", "count")
    counts: dict[date, int] = {}
    for day, count in rows:
        counts[day] = counts.get(day, 0) + int(count)
    days = (end - start).days + 1
    return [
        (start + timedelta(days=i), counts.get(start + timedelta(days=i), 0))
        for i in range(days)
    ]


# -- reset -----------------------------------------------------------------------------


async def reset_resume_content(
    *, actor: Actor, config: AuthConfig, meta: RequestMeta
) -> dict[str, int]:
    """Delete every section row of the profile in one transaction; the account,
    profile fields, theme and layout stay. Returns the rows deleted per section."""
    deleted: dict[str, int] = {}
    async with in_transaction():
        for kind, model in SECTION_MODELS.items():
            deleted[kind] = await model.filter(
                organization_id=actor.organization_id
            ).delete()
        await profile_cache.changed(organization_id=actor.organization_id)
    await indexing.clear(organization_id=actor.organization_id)  # chunks, vectors
    await indexing.changed(organization_id=actor.organization_id)  # what is left
    await record_security_event(
        config=config,
        kind=SecurityEventKind.RESUME_CONTENT_RESET,
        organization_id=actor.organization_id,
        user_id=actor.user_id,
        meta=meta,
        detail={"deleted": deleted},
    )
    return deleted
