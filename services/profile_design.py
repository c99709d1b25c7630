"""The presentation of an owner profile: themes and fonts (some need a plan with
premium presentation), the section order and hidden sections, as stored and as
the plan lets them render. `services.profiles` re-exports all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.profiles import Profile
from services import billing
from services.accounts import Actor
from services.errors import PlanRequired, ValidationFailed
from services.profile_fields import COLOR_RE, SECTION_KINDS, SectionKind, get_profile

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


def _premium(plan_id: str) -> bool:
    """Whether the plan has premium presentation (premium themes and fonts)."""
    return billing.get_plan(plan_id).allows("premium_themes")


def _effective(
    stored: str, option: ThemeOption | FontOption | None, default: str, premium: bool
) -> str:
    """The stored choice when it exists and the plan allows it, else `default`
    (after a downgrade a premium choice stays stored and is not rendered)."""
    return stored if option is not None and (premium or not option.premium) else default


def _require_plan(option: ThemeOption | FontOption, what: str, plan_id: str) -> None:
    if option.premium and not _premium(plan_id):
        raise PlanRequired(
            f"The {option.name} {what} needs a plan with premium themes "
            f"(starter or above); this organization is on {plan_id}",
            field=["themeId" if what == "theme" else "font"],
        )


async def _apply(actor: Actor, values: dict[str, Any]) -> Profile:
    """Save the changed `values` of the actor's profile."""
    profile = await get_profile(organization_id=actor.organization_id)
    if values:
        profile.update_from_dict(values)
        await profile.save(update_fields=[*values, "updated_at"])
    return profile


def theme_state(profile: Profile, plan_id: str) -> ThemeState:
    available = _premium(plan_id)
    theme = THEMES_BY_ID.get(profile.theme_id)
    effective = _effective(profile.theme_id, theme, DEFAULT_THEME, available)
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
        _require_plan(theme, "theme", plan_id)
        values["theme_id"] = theme.id
    if accent_color is not None:
        if not COLOR_RE.match(accent_color):
            raise ValidationFailed(
                "accentColor must be a colour in #RRGGBB form", field=["accentColor"]
            )
        values["accent_color"] = accent_color.lower()
    return await _apply(actor, values)


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
    available = _premium(plan_id)
    font = FONTS_BY_ID.get(profile.font)
    effective = _effective(profile.font, font, DEFAULT_FONT, available)
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
        _require_plan(option, "font", plan_id)
        values["font"] = font
    return await _apply(actor, values)
