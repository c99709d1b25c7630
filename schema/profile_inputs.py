"""Inputs and payloads of the profile mutations: profile fields, section entries,
ordering, theme, layout, export, import, reset and profile views."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

from schema.base import UserError
from schema.context import Info
from schema.presentation import Font, Layout, Theme
from schema.profile_sections import (
    CertificationNode,
    EducationNode,
    ExperienceNode,
    ProjectNode,
    SectionKind,
    SkillNode,
)
from schema.profiles import ExportFormat, ImportFormat, ProfileNode


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
