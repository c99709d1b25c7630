"""Payloads of the profile mutations: the changed profile, entry, theme or layout
with the expected failures (`userErrors`)."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from schema.base import UserError
from schema.context import Info
from schema.presentation import Layout, Theme
from schema.profile_sections import (
    CertificationNode,
    EducationNode,
    ExperienceNode,
    ProjectNode,
    SkillNode,
)
from schema.profiles import ExportFormat, ProfileNode


@strawberry.type(description="The result of updateProfile.")
class UpdateProfilePayload:
    profile: ProfileNode | None = strawberry.field(
        default=None, description="The profile after the change; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures (VALIDATION_ERROR naming the field, "
            "NOT_FOUND for an unknown id); empty on success."
        ),
    )


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


@strawberry.type(
    description=("The result of a skill mutation: the skill and the profile it joins.")
)
class SkillPayload(SectionEntryPayload):
    skill: SkillNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type(
    description=(
        "The result of a work experience mutation: the entry and the profile it joins."
    )
)
class ExperiencePayload(SectionEntryPayload):
    experience: ExperienceNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type(
    description=(
        "The result of an education mutation: the entry and the profile it joins."
    )
)
class EducationPayload(SectionEntryPayload):
    education: EducationNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type(
    description=(
        "The result of a project mutation: the project and the profile it joins."
    )
)
class ProjectPayload(SectionEntryPayload):
    project: ProjectNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type(
    description=(
        "The result of a certification mutation: the entry and the profile it joins."
    )
)
class CertificationPayload(SectionEntryPayload):
    certification: CertificationNode | None = strawberry.field(
        default=None, description="The entry; null on a user error."
    )


@strawberry.type(description="The result of a delete mutation of a section entry.")
class DeleteSectionEntryPayload(SectionEntryPayload):
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the deleted entry."
    )


@strawberry.type(description="The result of reorderSection.")
class ReorderSectionPayload:
    profile: ProfileNode | None = strawberry.field(
        default=None,
        description=(
            "The profile with the section in its new order; null on a user error."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "VALIDATION_ERROR when `ids` does not name every entry of the"
            " section exactly once; empty on success."
        ),
    )


@strawberry.type(description="The result of updateTheme.")
class UpdateThemePayload:
    theme: Theme | None = strawberry.field(
        default=None,
        description=(
            "The theme after the change; on a user error (PLAN_REQUIRED, "
            "VALIDATION_ERROR) the current, unchanged theme."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "PLAN_REQUIRED for a premium theme below Starter, "
            "VALIDATION_ERROR for an unknown theme or colour; empty on "
            "success."
        ),
    )


@strawberry.type(description="The result of updateLayout.")
class UpdateLayoutPayload:
    layout: Layout | None = strawberry.field(
        default=None,
        description=(
            "The layout after the change; on a user error the current, "
            "unchanged layout."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "PLAN_REQUIRED for a premium font below Starter, "
            "VALIDATION_ERROR for a section named twice; empty on "
            "success."
        ),
    )


@strawberry.type(
    description=("An export of the profile: a signed link and the content itself.")
)
class ExportProfilePayload:
    format: ExportFormat | None = strawberry.field(
        default=None, description="The format exported; null on a user error."
    )
    url: str | None = strawberry.field(
        default=None, description="Expiring signed download link."
    )
    expires_at: dt.datetime | None = strawberry.field(
        default=None, description="When `url` stops working; null on a user error."
    )
    filename: str | None = strawberry.field(
        default=None,
        description=(
            'A file name for saving it (e.g. "profile.json"); null on a user error.'
        ),
    )
    content_type: str | None = strawberry.field(
        default=None,
        description=(
            'The MIME type of the file (e.g. "application/json"); null on a user error.'
        ),
    )
    data: JSON | None = strawberry.field(
        default=None,
        description="The document itself (JSON formats); null for CSV.",
        deprecation_reason="Use `content` (the same document as text) or `url`.",
    )
    content: str | None = strawberry.field(
        default=None, description="The file's text, as the link serves it."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures (VALIDATION_ERROR naming the field, "
            "NOT_FOUND for an unknown id); empty on success."
        ),
    )


@strawberry.type(description="The result of importProfile.")
class ImportProfilePayload:
    profile: ProfileNode | None = strawberry.field(
        default=None,
        description=(
            "The profile after the import; null on a user error (then nothing changed)."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "VALIDATION_ERROR naming the document's field at fault; empty on success."
        ),
    )


@strawberry.type(description="How many entries each section had.")
class SectionCounts:
    skills: int = strawberry.field(description="Skills.")
    experience: int = strawberry.field(description="Work experience entries.")
    education: int = strawberry.field(description="Education entries.")
    projects: int = strawberry.field(description="Projects.")
    certifications: int = strawberry.field(description="Certifications.")


@strawberry.type(description="The result of resetResumeContent.")
class ResetResumeContentPayload:
    deleted: SectionCounts | None = strawberry.field(
        default=None,
        description=(
            "How many entries were deleted per section; null on a user error."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Expected failures (VALIDATION_ERROR naming the field, "
            "NOT_FOUND for an unknown id); empty on success."
        ),
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
