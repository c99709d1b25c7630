"""GraphQL types of the profiles domain: the owner profile, its public face and
insights, export and import formats. Section entries live in
`schema.profile_sections`, presentation in `schema.presentation`, the mutations'
inputs and payloads in `schema.profile_inputs`; their names are re-exported here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry import relay

from schema.base import Node
from schema.base import int_ids as _int_ids
from schema.chat import Engagement
from schema.context import Info
from schema.docs import describe_values
from schema.indexing import IndexingStatus
from schema.presentation import Font, FontOption, Layout, Theme, ThemeKey, ThemeOption
from schema.profile_sections import (
    CertificationNode,
    EducationNode,
    ExperienceNode,
    ProjectNode,
    SectionKind,
    SkillNode,
)
from schema.scalars import URL

if TYPE_CHECKING:
    from models.profiles import Profile as ProfileRow

__all__ = [
    "CertificationNode",
    "DailyViews",
    "EducationNode",
    "ExperienceNode",
    "ExportFormat",
    "Font",
    "FontOption",
    "ImportFormat",
    "Insights",
    "Layout",
    "ProfileNode",
    "ProjectNode",
    "PublicProfile",
    "SectionKind",
    "SkillNode",
    "Theme",
    "ThemeKey",
    "ThemeOption",
]


@describe_values(
    JSON=(
        "The profile as Careergraph's own JSON document (importProfile reads it back)."
    ),
    JSON_RESUME=(
        "The profile as a JSON Resume document (jsonresume.org schema 1.0.0)."
    ),
    CSV="One row per section entry, for spreadsheets.",
)
@strawberry.enum(description="Format of a profile export.")
class ExportFormat(Enum):
    JSON = "JSON"
    JSON_RESUME = "JSON_RESUME"
    CSV = "CSV"


@describe_values(
    JSON="A document as exportProfile(format: JSON) writes it.",
    JSON_RESUME="A JSON Resume document (jsonresume.org schema 1.0.0).",
)
@strawberry.enum(description="Format of a profile import.")
class ImportFormat(Enum):
    JSON = "JSON"
    JSON_RESUME = "JSON_RESUME"


@strawberry.type(name="Profile", description="The organization's owner profile.")
class ProfileNode(Node):
    id: relay.NodeID[int]
    username: str | None = strawberry.field(
        description=(
            "The public handle (publicProfile(username:)), "
            "case-insensitive and unique; null until the owner picks one."
        )
    )
    full_name: str | None = strawberry.field(
        description="The owner's name as shown; null when not set."
    )
    headline: str | None = strawberry.field(
        description=(
            'One line under the name (e.g. "Backend engineer"); null when not set.'
        )
    )
    bio: str | None = strawberry.field(
        description=(
            "A paragraph about the owner, at most 5,000 characters; null when not set."
        )
    )
    location: str | None = strawberry.field(
        description="City, region or country; null when not set."
    )
    email: str | None = strawberry.field(description="Contact email on the profile.")
    phone: str | None = strawberry.field(
        description="Contact phone number as written; null when not set."
    )
    website: str | None = strawberry.field(
        description="Personal website; null when not set.", graphql_type=URL | None
    )
    github_url: str | None = strawberry.field(
        description="GitHub profile link; null when not set.", graphql_type=URL | None
    )
    linkedin_url: str | None = strawberry.field(
        description="LinkedIn profile link; null when not set.", graphql_type=URL | None
    )
    open_to_work: bool = strawberry.field(
        description="Set only by the owner; never inferred."
    )
    show_email: bool = strawberry.field(description="Email visible on the public face.")
    show_phone: bool = strawberry.field(description="Phone visible on the public face.")
    updated_at: dt.datetime = strawberry.field(
        description=(
            "When a profile field last changed (section entries have their own lists)."
        )
    )
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


@strawberry.type(description="Counted public profile views of one UTC day.")
class DailyViews:
    day: dt.date = strawberry.field(description="The UTC day.")
    views: int = strawberry.field(
        description=("Visits counted that day (one per IP and profile in 24 hours).")
    )


@strawberry.type(description="Public profile views, per UTC day.")
class Insights:
    total_views: int = strawberry.field(
        description="Counted visits over the whole range."
    )
    days: list[DailyViews] = strawberry.field(
        description=(
            "Every day of the range, oldest first, days without views included (0)."
        )
    )
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
    username: str = strawberry.field(description="The profile's public handle.")
    full_name: str | None = strawberry.field(
        description="The owner's name; null when not set."
    )
    headline: str | None = strawberry.field(
        description="One line under the name; null when not set."
    )
    bio: str | None = strawberry.field(
        description="A paragraph about the owner; null when not set."
    )
    location: str | None = strawberry.field(
        description="City, region or country; null when not set."
    )
    website: str | None = strawberry.field(
        description="Personal website; null when not set.", graphql_type=URL | None
    )
    github_url: str | None = strawberry.field(
        description="GitHub profile link; null when not set.", graphql_type=URL | None
    )
    linkedin_url: str | None = strawberry.field(
        description="LinkedIn profile link; null when not set.", graphql_type=URL | None
    )
    open_to_work: bool = strawberry.field(
        description="Set by the owner: open to job offers."
    )
    email: str | None = strawberry.field(description="Null unless the owner shows it.")
    phone: str | None = strawberry.field(description="Null unless the owner shows it.")
    theme_id: ThemeKey = strawberry.field(description="The effective theme.")
    accent_color: str = strawberry.field(description='Accent colour, "#rrggbb".')
    font: Font = strawberry.field(
        description=(
            "The effective font (a premium font falls back to INTER below Starter)."
        )
    )
    sections: list[SectionKind] = strawberry.field(
        description="The visible sections, in display order."
    )
    skills: list[SkillNode] | None = strawberry.field(description="Null when hidden.")
    experience: list[ExperienceNode] | None = strawberry.field(
        description="Work experience in its order; null when hidden."
    )
    education: list[EducationNode] | None = strawberry.field(
        description="Education in its order; null when hidden."
    )
    projects: list[ProjectNode] | None = strawberry.field(
        description="Projects in their order; null when hidden."
    )
    certifications: list[CertificationNode] | None = strawberry.field(
        description="Certifications in their order; null when hidden."
    )
