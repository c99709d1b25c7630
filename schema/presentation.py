"""GraphQL types of a profile's presentation: themes, fonts, the layout, and their
catalogs with what the plan allows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Protocol, Self, TypeVar

import strawberry
from strawberry import relay

from schema.accounts import PlanKey
from schema.base import Node, enum_or
from schema.context import Info
from schema.docs import describe_values
from schema.profile_sections import SectionKind

if TYPE_CHECKING:
    from services.profiles import FontOption as FontOptionRow
    from services.profiles import LayoutState, ThemeState
    from services.profiles import ThemeOption as ThemeOptionRow


class _Option(Protocol):
    @property
    def id(self) -> str: ...


_O = TypeVar("_O", bound=_Option)
_N = TypeVar("_N")


def _pick(
    options: Iterable[_O], keys: Iterable[str], make: Callable[[_O], _N]
) -> list[_N | None]:
    """The node of each key of a catalog, in order; None for an unknown key."""
    by_key = {option.id: option for option in options}
    return [make(by_key[key]) if key in by_key else None for key in keys]


@describe_values(
    INTER="Inter, sans-serif (the default).",
    SOURCE_SERIF="Source Serif, a serif.",
    IBM_PLEX_MONO="IBM Plex Mono, monospace (premium: Starter and above).",
    NOTO_SANS_CJK=(
        "Noto Sans CJK, for Chinese, Japanese and Korean text (never paywalled)."
    ),
)
@strawberry.enum(description="A font of rendered profiles and PDFs.")
class Font(Enum):
    INTER = "INTER"
    SOURCE_SERIF = "SOURCE_SERIF"
    IBM_PLEX_MONO = "IBM_PLEX_MONO"
    NOTO_SANS_CJK = "NOTO_SANS_CJK"


@describe_values(
    CLASSIC="Serif headings, one column.",
    MODERN="Sans-serif, accent-coloured rules.",
    NOTO="Noto Sans with CJK coverage.",
    TERMINAL="Monospace, dark header band (premium).",
    EXECUTIVE="Two-column with sidebar (premium).",
)
@strawberry.enum(
    description="Key of a theme. May gain values: do not switch on it exhaustively."
)
class ThemeKey(Enum):
    CLASSIC = "classic"
    MODERN = "modern"
    NOTO = "noto"
    TERMINAL = "terminal"
    EXECUTIVE = "executive"


@strawberry.type(description="A theme of the catalog and whether the plan allows it.")
class ThemeOption(Node):
    id: relay.NodeID[str] = strawberry.field(
        description="Global id of the option (type ThemeOption); its name is `key`."
    )
    key: ThemeKey = strawberry.field(
        description="The theme's key, as updateTheme's themeId takes it."
    )
    name: str = strawberry.field(description="Display name.")
    premium: bool = strawberry.field(description="Needs a plan with premium themes.")
    description: str = strawberry.field(description="What the theme looks like.")
    available: bool = strawberry.field(description="Usable on the current plan.")

    @classmethod
    def from_option(cls, option: ThemeOptionRow, *, premium_available: bool) -> Self:
        return cls(
            id=option.id,
            key=ThemeKey(option.id),
            name=option.name,
            premium=option.premium,
            description=option.description,
            available=premium_available or not option.premium,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        if info.context.loaders.actor() is None:
            return [None for _ in node_ids]
        state, catalog = await info.context.loaders.profiles.theme()
        return _pick(
            catalog,
            node_ids,
            partial(cls.from_option, premium_available=state.available),
        )


@strawberry.type(
    description=(
        "The profile's theme: the stored choice, what renders on the "
        "current plan, the accent colour and the catalog."
    )
)
class Theme:
    theme_id: ThemeKey = strawberry.field(description="The stored selection.")
    effective_theme_id: ThemeKey = strawberry.field(
        description="The theme actually rendered after entitlement checks."
    )
    accent_color: str = strawberry.field(
        description='Accent colour, "#rrggbb" in lower case (default "#2563eb").'
    )
    available: bool = strawberry.field(
        description="Whether premium theming is available on the current plan."
    )
    effective_plan: PlanKey = strawberry.field(
        description="The plan the effective theme was decided on (e.g. FREE)."
    )
    catalog: list[ThemeOption] = strawberry.field(
        description="Every theme, with whether the current plan allows it."
    )

    @classmethod
    def from_state(cls, state: ThemeState, catalog: Iterable[ThemeOptionRow]) -> Self:
        return cls(
            theme_id=enum_or(ThemeKey, state.theme_id, ThemeKey.CLASSIC),
            effective_theme_id=enum_or(
                ThemeKey, state.effective_theme_id, ThemeKey.CLASSIC
            ),
            accent_color=state.accent_color,
            available=state.available,
            effective_plan=enum_or(PlanKey, state.effective_plan, PlanKey.FREE),
            catalog=[
                ThemeOption.from_option(t, premium_available=state.available)
                for t in catalog
            ],
        )


@strawberry.type(description="A font of the catalog and whether the plan allows it.")
class FontOption(Node):
    id: relay.NodeID[str] = strawberry.field(
        description="Global id of the option (type FontOption); its name is `key`."
    )
    key: Font = strawberry.field(
        description="The font, as updateLayout's font takes it."
    )
    name: str = strawberry.field(description="Display name.")
    premium: bool = strawberry.field(
        description="Needs a plan with premium presentation."
    )
    available: bool = strawberry.field(description="Usable on the current plan.")

    @classmethod
    def from_option(cls, option: FontOptionRow, *, premium_available: bool) -> Self:
        return cls(
            id=option.id,
            key=Font(option.id),
            name=option.name,
            premium=option.premium,
            available=premium_available or not option.premium,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        if info.context.loaders.actor() is None:
            return [None for _ in node_ids]
        state, fonts = await info.context.loaders.profiles.layout()
        return _pick(
            fonts, node_ids, partial(cls.from_option, premium_available=state.available)
        )


@strawberry.type(
    description=(
        "The profile's layout: section order, hidden sections and "
        "font, stored and effective."
    )
)
class Layout:
    section_order: list[SectionKind] = strawberry.field(
        description="Every section, in display order."
    )
    hidden_sections: list[SectionKind] = strawberry.field(
        description=(
            "Sections left out of the public face and exports, in no "
            "particular order; empty when all show."
        )
    )
    font: Font = strawberry.field(description="The stored selection.")
    effective_font: Font = strawberry.field(
        description="The font actually rendered after entitlement checks."
    )
    available: bool = strawberry.field(
        description="Whether premium layout options (fonts) are available on the "
        "current plan."
    )
    effective_plan: PlanKey = strawberry.field(
        description="The plan the effective font was decided on (e.g. FREE)."
    )
    fonts: list[FontOption] = strawberry.field(
        description="Every font, with whether the current plan allows it."
    )

    @classmethod
    def from_state(cls, state: LayoutState, fonts: Iterable[FontOptionRow]) -> Self:
        return cls(
            section_order=[SectionKind(k) for k in state.section_order],
            hidden_sections=[SectionKind(k) for k in state.hidden_sections],
            font=Font(state.font),
            effective_font=Font(state.effective_font),
            available=state.available,
            effective_plan=enum_or(PlanKey, state.effective_plan, PlanKey.FREE),
            fonts=[
                FontOption.from_option(f, premium_available=state.available)
                for f in fonts
            ],
        )
