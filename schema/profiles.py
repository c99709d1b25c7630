"""GraphQL types of the profiles domain: the owner profile and its sections, theme,
layout, public face, insights, exports, and the profile mutations' inputs and
payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

from schema.base import Node, UserError
from schema.base import int_ids as _int_ids
from schema.chat import Engagement
from schema.context import Info
from schema.indexing import IndexingStatus

if TYPE_CHECKING:
    from models.profiles import Certification as CertificationRow
    from models.profiles import Education as EducationRow
    from models.profiles import Experience as ExperienceRow
    from models.profiles import Profile as ProfileRow
    from models.profiles import Project as ProjectRow
    from models.profiles import Skill as SkillRow
    from services.profiles import FontOption as FontOptionRow
    from services.profiles import LayoutState, ThemeState
    from services.profiles import ThemeOption as ThemeOptionRow


@strawberry.enum(description="A section of the profile.")
class SectionKind(Enum):
    SKILLS = "skills"
    EXPERIENCE = "experience"
    EDUCATION = "education"
    PROJECTS = "projects"
    CERTIFICATIONS = "certifications"


@strawberry.enum(description="A font of rendered profiles and PDFs.")
class Font(Enum):
    INTER = "INTER"
    SOURCE_SERIF = "SOURCE_SERIF"
    IBM_PLEX_MONO = "IBM_PLEX_MONO"
    NOTO_SANS_CJK = "NOTO_SANS_CJK"


@strawberry.enum(description="Format of a profile export.")
class ExportFormat(Enum):
    JSON = "JSON"
    JSON_RESUME = "JSON_RESUME"
    CSV = "CSV"


@strawberry.enum(description="Format of a profile import.")
class ImportFormat(Enum):
    JSON = "JSON"
    JSON_RESUME = "JSON_RESUME"


# -- section entries -------------------------------------------------------------------


@strawberry.type(name="Skill")
class SkillNode(Node):
    id: relay.NodeID[int]
    name: str
    category: str | None
    level: str | None
    years: float | None
    position: int

    @classmethod
    def from_row(cls, row: SkillRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            category=row.category,
            level=row.level,
            years=row.years,
            position=row.position,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("skills")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(name="Experience")
class ExperienceNode(Node):
    id: relay.NodeID[int]
    title: str
    company: str
    location: str | None
    start_date: str | None = strawberry.field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    end_date: str | None
    current: bool
    description: list[str] = strawberry.field(description="Bullets, in order.")
    position: int

    @classmethod
    def from_row(cls, row: ExperienceRow) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            company=row.company,
            location=row.location,
            start_date=row.start_date,
            end_date=row.end_date,
            current=row.current,
            description=list(row.description),
            position=row.position,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("experience")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(name="Education")
class EducationNode(Node):
    id: relay.NodeID[int]
    institution: str
    degree: str | None
    field: str | None
    start_date: str | None
    end_date: str | None
    description: list[str]
    courses: list[str]
    position: int

    @classmethod
    def from_row(cls, row: EducationRow) -> Self:
        return cls(
            id=row.id,
            institution=row.institution,
            degree=row.degree,
            field=row.field,
            start_date=row.start_date,
            end_date=row.end_date,
            description=list(row.description),
            courses=list(row.courses),
            position=row.position,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("education")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(name="Project")
class ProjectNode(Node):
    id: relay.NodeID[int]
    name: str
    role: str | None
    start_date: str | None
    end_date: str | None
    urls: list[str]
    description: list[str]
    position: int

    @classmethod
    def from_row(cls, row: ProjectRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            role=row.role,
            start_date=row.start_date,
            end_date=row.end_date,
            urls=list(row.urls),
            description=list(row.description),
            position=row.position,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("projects")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(name="Certification")
class CertificationNode(Node):
    id: relay.NodeID[int]
    name: str
    issuer: str | None
    issued: str | None
    expires: str | None
    credential_url: str | None
    position: int

    @classmethod
    def from_row(cls, row: CertificationRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            issuer=row.issuer,
            issued=row.issued,
            expires=row.expires,
            credential_url=row.credential_url,
            position=row.position,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("certifications")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


# -- the profile -----------------------------------------------------------------------


@strawberry.type(name="Profile", description="The organization's owner profile.")
class ProfileNode(Node):
    id: relay.NodeID[int]
    username: str | None
    full_name: str | None
    headline: str | None
    bio: str | None
    location: str | None
    email: str | None = strawberry.field(description="Contact email on the profile.")
    phone: str | None
    website: str | None
    github_url: str | None
    linkedin_url: str | None
    open_to_work: bool = strawberry.field(
        description="Set only by the owner; never inferred."
    )
    show_email: bool = strawberry.field(description="Email visible on the public face.")
    show_phone: bool = strawberry.field(description="Phone visible on the public face.")
    updated_at: dt.datetime
    organization_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ProfileRow) -> Self:
        return cls(
            id=row.id,
            username=row.username,
            full_name=row.full_name,
            headline=row.headline,
            bio=row.bio,
            location=row.location,
            email=row.email,
            phone=row.phone,
            website=row.website,
            github_url=row.github_url,
            linkedin_url=row.linkedin_url,
            open_to_work=row.open_to_work,
            show_email=row.show_email,
            show_phone=row.show_phone,
            updated_at=row.updated_at,
            organization_id=row.organization_id,
        )

    @strawberry.field(description="Skills in their order (at most 200).")
    async def skills(self, info: Info) -> list[SkillNode]:
        rows = await info.context.loaders.profiles.section("skills")
        return [SkillNode.from_row(r) for r in rows]

    @strawberry.field(description="Work experience in its order (at most 200).")
    async def experience(self, info: Info) -> list[ExperienceNode]:
        rows = await info.context.loaders.profiles.section("experience")
        return [ExperienceNode.from_row(r) for r in rows]

    @strawberry.field(description="Education in its order (at most 200).")
    async def education(self, info: Info) -> list[EducationNode]:
        rows = await info.context.loaders.profiles.section("education")
        return [EducationNode.from_row(r) for r in rows]

    @strawberry.field(description="Projects in their order (at most 200).")
    async def projects(self, info: Info) -> list[ProjectNode]:
        rows = await info.context.loaders.profiles.section("projects")
        return [ProjectNode.from_row(r) for r in rows]

    @strawberry.field(description="Certifications in their order (at most 200).")
    async def certifications(self, info: Info) -> list[CertificationNode]:
        rows = await info.context.loaders.profiles.section("certifications")
        return [CertificationNode.from_row(r) for r in rows]

    @strawberry.field(
        description="How complete the profile's search index (visitor chat) is."
    )
    async def indexing_status(self, info: Info) -> IndexingStatus:
        return IndexingStatus.from_status(await info.context.loaders.indexing.status())

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        profile = await info.context.loaders.profiles.profile_or_none()
        return [
            cls.from_row(profile) if profile and key == profile.id else None
            for key in _int_ids(node_ids)
        ]


# -- presentation ----------------------------------------------------------------------


@strawberry.enum(
    description="Key of a theme. May gain values: do not switch on it exhaustively."
)
class ThemeKey(Enum):
    CLASSIC = strawberry.enum_value(
        "classic", description="Serif headings, one column."
    )
    MODERN = strawberry.enum_value(
        "modern", description="Sans-serif, accent-coloured rules."
    )
    NOTO = strawberry.enum_value("noto", description="Noto Sans with CJK coverage.")
    TERMINAL = strawberry.enum_value(
        "terminal", description="Monospace, dark header band (premium)."
    )
    EXECUTIVE = strawberry.enum_value(
        "executive", description="Two-column with sidebar (premium)."
    )


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
        options = {option.id: option for option in catalog}
        return [
            cls.from_option(options[key], premium_available=state.available)
            if key in options
            else None
            for key in node_ids
        ]


@strawberry.type
class Theme:
    theme_id: str = strawberry.field(description="The stored selection.")
    effective_theme_id: str = strawberry.field(
        description="The theme actually rendered after entitlement checks."
    )
    accent_color: str
    available: bool = strawberry.field(
        description="Whether premium theming is available on the current plan."
    )
    effective_plan: str
    catalog: list[ThemeOption]

    @classmethod
    def from_state(cls, state: ThemeState, catalog: Iterable[ThemeOptionRow]) -> Self:
        return cls(
            theme_id=state.theme_id,
            effective_theme_id=state.effective_theme_id,
            accent_color=state.accent_color,
            available=state.available,
            effective_plan=state.effective_plan,
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
        options = {option.id: option for option in fonts}
        return [
            cls.from_option(options[key], premium_available=state.available)
            if key in options
            else None
            for key in node_ids
        ]


@strawberry.type
class Layout:
    section_order: list[SectionKind] = strawberry.field(
        description="Every section, in display order."
    )
    hidden_sections: list[SectionKind]
    font: Font = strawberry.field(description="The stored selection.")
    effective_font: Font = strawberry.field(
        description="The font actually rendered after entitlement checks."
    )
    available: bool = strawberry.field(
        description="Whether premium layout options (fonts) are available on the "
        "current plan."
    )
    effective_plan: str
    fonts: list[FontOption]

    @classmethod
    def from_state(cls, state: LayoutState, fonts: Iterable[FontOptionRow]) -> Self:
        return cls(
            section_order=[SectionKind(k) for k in state.section_order],
            hidden_sections=[SectionKind(k) for k in state.hidden_sections],
            font=Font(state.font),
            effective_font=Font(state.effective_font),
            available=state.available,
            effective_plan=state.effective_plan,
            fonts=[
                FontOption.from_option(f, premium_available=state.available)
                for f in fonts
            ],
        )


@strawberry.type
class DailyViews:
    day: dt.date
    views: int


@strawberry.type(description="Public profile views, per UTC day.")
class Insights:
    total_views: int
    days: list[DailyViews]
    start: strawberry.Private[dt.date | None] = None
    end: strawberry.Private[dt.date | None] = None

    @strawberry.field(
        description="Visitor chat per UTC day: conversations, questions, answered "
        "and unanswered; top questions and most cited sections."
    )
    async def engagement(self, info: Info) -> Engagement:
        assert self.start is not None
        assert self.end is not None
        row = await info.context.loaders.indexing.engagement(
            start=self.start, end=self.end
        )
        return Engagement.from_row(row)


@strawberry.type(description="What a profile's owner made public.")
class PublicProfile:
    username: str
    full_name: str | None
    headline: str | None
    bio: str | None
    location: str | None
    website: str | None
    github_url: str | None
    linkedin_url: str | None
    open_to_work: bool
    email: str | None = strawberry.field(description="Null unless the owner shows it.")
    phone: str | None = strawberry.field(description="Null unless the owner shows it.")
    theme_id: str = strawberry.field(description="The effective theme.")
    accent_color: str
    font: Font
    sections: list[SectionKind] = strawberry.field(
        description="The visible sections, in display order."
    )
    skills: list[SkillNode] | None = strawberry.field(description="Null when hidden.")
    experience: list[ExperienceNode] | None
    education: list[EducationNode] | None
    projects: list[ProjectNode] | None
    certifications: list[CertificationNode] | None


# -- inputs ----------------------------------------------------------------------------


@strawberry.input(description="Fields left out keep their values; null clears one.")
class UpdateProfileInput:
    username: str | None = UNSET
    full_name: str | None = UNSET
    headline: str | None = UNSET
    bio: str | None = UNSET
    location: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    website: str | None = UNSET
    github_url: str | None = UNSET
    linkedin_url: str | None = UNSET
    open_to_work: bool | None = UNSET
    show_email: bool | None = UNSET
    show_phone: bool | None = UNSET


@strawberry.input
class CreateSkillInput:
    name: str
    category: str | None = None
    level: str | None = None
    years: float | None = None


@strawberry.input
class UpdateSkillInput:
    id: strawberry.ID
    name: str | None = UNSET
    category: str | None = UNSET
    level: str | None = UNSET
    years: float | None = UNSET


@strawberry.input
class CreateExperienceInput:
    title: str
    company: str
    location: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    current: bool = False
    description: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateExperienceInput:
    id: strawberry.ID
    title: str | None = UNSET
    company: str | None = UNSET
    location: str | None = UNSET
    start_date: str | None = UNSET
    end_date: str | None = UNSET
    current: bool | None = UNSET
    description: list[str] | None = UNSET


@strawberry.input
class CreateEducationInput:
    institution: str
    degree: str | None = None
    field: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    description: list[str] = strawberry.field(default_factory=list)
    courses: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateEducationInput:
    id: strawberry.ID
    institution: str | None = UNSET
    degree: str | None = UNSET
    field: str | None = UNSET
    start_date: str | None = UNSET
    end_date: str | None = UNSET
    description: list[str] | None = UNSET
    courses: list[str] | None = UNSET


@strawberry.input
class CreateProjectInput:
    name: str
    role: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    urls: list[str] = strawberry.field(default_factory=list)
    description: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateProjectInput:
    id: strawberry.ID
    name: str | None = UNSET
    role: str | None = UNSET
    start_date: str | None = UNSET
    end_date: str | None = UNSET
    urls: list[str] | None = UNSET
    description: list[str] | None = UNSET


@strawberry.input
class CreateCertificationInput:
    name: str
    issuer: str | None = None
    issued: str | None = None
    expires: str | None = None
    credential_url: str | None = None


@strawberry.input
class UpdateCertificationInput:
    id: strawberry.ID
    name: str | None = UNSET
    issuer: str | None = UNSET
    issued: str | None = UNSET
    expires: str | None = UNSET
    credential_url: str | None = UNSET


@strawberry.input
class DeleteSectionEntryInput:
    id: strawberry.ID


@strawberry.input
class ReorderSectionInput:
    section: SectionKind
    ids: list[strawberry.ID] = strawberry.field(
        description="Every entry of the section, in the new order."
    )


@strawberry.input
class UpdateThemeInput:
    theme_id: str | None = None
    accent_color: str | None = strawberry.field(default=None, description="#RRGGBB")


@strawberry.input
class UpdateLayoutInput:
    section_order: list[SectionKind] | None = None
    hidden_sections: list[SectionKind] | None = None
    font: Font | None = None


@strawberry.input
class ExportProfileInput:
    format: ExportFormat


@strawberry.input
class ImportProfileInput:
    format: ImportFormat
    data: JSON = strawberry.field(
        description="A document as exportProfile returns it (JSON or JSON Resume)."
    )
    replace: bool = strawberry.field(
        default=True,
        description="Replace the sections (true) or append to them (false).",
    )


# -- payloads --------------------------------------------------------------------------


@strawberry.type
class UpdateProfilePayload:
    profile: ProfileNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A section mutation's result, with the profile it joins.")
class SectionEntryPayload:
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )

    @strawberry.field(
        description="The profile after the change, with the section lists the "
        "entry joined or left, so that normalized caches update them; null on a "
        "user error."
    )
    async def profile(self, info: Info) -> ProfileNode | None:
        if self.user_errors:
            return None
        return ProfileNode.from_row(await info.context.loaders.profiles.profile())


@strawberry.type
class SkillPayload(SectionEntryPayload):
    skill: SkillNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type
class ExperiencePayload(SectionEntryPayload):
    experience: ExperienceNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type
class EducationPayload(SectionEntryPayload):
    education: EducationNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type
class ProjectPayload(SectionEntryPayload):
    project: ProjectNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type
class CertificationPayload(SectionEntryPayload):
    certification: CertificationNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type
class DeleteSectionEntryPayload(SectionEntryPayload):
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the deleted entry."
    )


@strawberry.type
class ReorderSectionPayload:
    profile: ProfileNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateThemePayload:
    theme: Theme | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateLayoutPayload:
    layout: Layout | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ExportProfilePayload:
    format: ExportFormat | None = None
    url: str | None = strawberry.field(
        default=None, description="Expiring signed download link."
    )
    expires_at: dt.datetime | None = None
    filename: str | None = None
    content_type: str | None = None
    data: JSON | None = strawberry.field(
        default=None, description="The document itself (JSON formats)."
    )
    content: str | None = strawberry.field(
        default=None, description="The file's text, as the link serves it."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ImportProfilePayload:
    profile: ProfileNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SectionCounts:
    skills: int
    experience: int
    education: int
    projects: int
    certifications: int


@strawberry.type
class ResetResumeContentPayload:
    deleted: SectionCounts | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="The public profile a visitor opened.")
class RecordProfileViewInput:
    username: str = strawberry.field(
        description="The profile's username (case-insensitive)."
    )


@strawberry.type(description="The result of recordProfileView.")
class RecordProfileViewPayload:
    counted: bool | None = strawberry.field(
        default=None,
        description="True when the visit was counted; false when this visitor's "
        "(IP's) visit of the profile was already counted in the last 24 hours; "
        "null on a user error.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="NOT_FOUND for a username that names no profile.",
    )
