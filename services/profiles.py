"""Owner profiles: the profile of an organization, its ordered sections, theme and
layout, the public face, view insights, and resetting imported content.

Every query is scoped by the caller's organization; a row of another organization
is NOT_FOUND, exactly like a row that does not exist. Writes validate everything
first and then write in one transaction, so a rejected input changes nothing.

The field rules, section tables and `get_profile` are in `profile_fields`, themes,
fonts and layout in `profile_design`; both are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.profiles import Profile, ProfileView, SectionRow
from services import entitlements, indexing, profile_cache
from services.accounts import Actor, AuthConfig, RequestMeta, SecurityEventKind
from services.accounts import record_event as record_security_event
from services.errors import Conflict, NotFound, ValidationFailed
from services.profile_design import (
    DEFAULT_FONT,
    DEFAULT_THEME,
    FONT_OPTIONS,
    FONTS,
    FONTS_BY_ID,
    THEMES,
    THEMES_BY_ID,
    FontOption,
    LayoutState,
    ThemeOption,
    ThemeState,
    effective_order,
    layout_state,
    theme_state,
    update_layout,
    update_theme,
)
from services.profile_fields import (
    COLOR_RE,
    DATE_RE,
    EMAIL_RE,
    MAX_BULLET_LENGTH,
    MAX_BULLETS,
    MAX_INSIGHT_DAYS,
    MAX_ROWS_PER_SECTION,
    PHONE_RE,
    PROFILE_RULES,
    RESERVED_USERNAMES,
    SECTION_KINDS,
    SECTION_MODELS,
    SECTION_RULES,
    SINGULAR,
    USERNAME_RE,
    Rule,
    SectionKind,
    check_dates,
    clean,
    get_profile,
    normalize_username,
)
from services.ratelimit import DAY, MemoryRateLimiter, RateLimiter

# the names of profile_fields and profile_design are re-exported: callers use
# `profiles.<name>` for all of a profile
__all__ = [
    "COLOR_RE",
    "DATE_RE",
    "DEFAULT_FONT",
    "DEFAULT_THEME",
    "EMAIL_RE",
    "FONTS",
    "FONTS_BY_ID",
    "FONT_OPTIONS",
    "MAX_BULLETS",
    "MAX_BULLET_LENGTH",
    "MAX_INSIGHT_DAYS",
    "MAX_ROWS_PER_SECTION",
    "PHONE_RE",
    "PROFILE_RULES",
    "RESERVED_USERNAMES",
    "SECTION_KINDS",
    "SECTION_MODELS",
    "SECTION_RULES",
    "SINGULAR",
    "THEMES",
    "THEMES_BY_ID",
    "USERNAME_RE",
    "VIEWS_PER_IP_PER_DAY",
    "FontOption",
    "LayoutState",
    "PublicProfile",
    "Rule",
    "SectionKind",
    "ThemeOption",
    "ThemeState",
    "check_dates",
    "clean",
    "create_section_row",
    "delete_section_row",
    "effective_order",
    "get_profile",
    "get_section_rows",
    "insights",
    "layout_state",
    "list_section",
    "normalize_username",
    "public_profile",
    "record_profile_view",
    "reorder_section",
    "reset_resume_content",
    "theme_state",
    "update_layout",
    "update_profile",
    "update_section_row",
    "update_theme",
]


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
