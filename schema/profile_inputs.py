"""Inputs of the profile mutations: profile fields, section entries, ordering,
theme, layout, export, import and profile views (payloads: `profile_payloads`)."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

from schema.presentation import Font, ThemeKey
from schema.profile_sections import (
    SectionKind,
)
from schema.profiles import ExportFormat, ImportFormat
from schema.scalars import URL, PartialDate


@strawberry.input(description="Fields left out keep their values; null clears one.")
class UpdateProfileInput:
    username: str | None = strawberry.field(
        default=UNSET,
        description=(
            "The public handle: 3 to 40 lowercase letters, digits and "
            "hyphens (input is lowercased), unique (CONFLICT when taken), "
            "not reserved. Left out: kept; null clears it (the public "
            "face goes away)."
        ),
    )
    full_name: str | None = strawberry.field(
        default=UNSET,
        description=(
            "The owner's name, at most 200 characters. Left out: kept; null clears it."
        ),
    )
    headline: str | None = strawberry.field(
        default=UNSET,
        description=(
            "One line under the name, at most 200 characters. Left out: "
            "kept; null clears it."
        ),
    )
    bio: str | None = strawberry.field(
        default=UNSET,
        description=(
            "A paragraph, at most 5,000 characters. Left out: kept; null clears it."
        ),
    )
    location: str | None = strawberry.field(
        default=UNSET,
        description=(
            "City, region or country, at most 200 characters. Left out: "
            "kept; null clears it."
        ),
    )
    email: str | None = strawberry.field(
        default=UNSET,
        description=(
            "Contact email, at most 254 characters. Left out: kept; null clears it."
        ),
    )
    phone: str | None = strawberry.field(
        default=UNSET,
        description=(
            "Contact phone number, at most 40 characters. Left out: kept;"
            " null clears it."
        ),
    )
    website: str | None = strawberry.field(
        default=UNSET,
        description="Personal website. Left out: kept; null clears it.",
        graphql_type=URL | None,
    )
    github_url: str | None = strawberry.field(
        default=UNSET,
        description="GitHub profile link. Left out: kept; null clears it.",
        graphql_type=URL | None,
    )
    linkedin_url: str | None = strawberry.field(
        default=UNSET,
        description="LinkedIn profile link. Left out: kept; null clears it.",
        graphql_type=URL | None,
    )
    open_to_work: bool | None = strawberry.field(
        default=UNSET,
        description=("Open to job offers. Left out: kept; null is a VALIDATION_ERROR."),
    )
    show_email: bool | None = strawberry.field(
        default=UNSET,
        description=(
            "Show the email on the public face. Left out: kept; null is a"
            " VALIDATION_ERROR."
        ),
    )
    show_phone: bool | None = strawberry.field(
        default=UNSET,
        description=(
            "Show the phone on the public face. Left out: kept; null is a"
            " VALIDATION_ERROR."
        ),
    )


@strawberry.input(description="A new skill, added at the end of the section.")
class CreateSkillInput:
    name: str = strawberry.field(description="The skill, 1 to 100 characters.")
    category: str | None = strawberry.field(
        default=None, description="A grouping, at most 100 characters."
    )
    level: str | None = strawberry.field(
        default=None, description="Proficiency in your words, at most 50 characters."
    )
    years: float | None = strawberry.field(
        default=None, description="Years of practice, 0 to 80."
    )


@strawberry.input(description="Changes to a skill: left out keeps, null clears.")
class UpdateSkillInput:
    id: strawberry.ID = strawberry.field(description="Global id of the skill.")
    name: str | None = strawberry.field(
        default=UNSET,
        description=(
            "The skill, 1 to 100 characters. Left out: kept; null is a "
            "VALIDATION_ERROR (it cannot be empty)."
        ),
    )
    category: str | None = strawberry.field(
        default=UNSET, description="A grouping. Left out: kept; null clears it."
    )
    level: str | None = strawberry.field(
        default=UNSET, description="Proficiency. Left out: kept; null clears it."
    )
    years: float | None = strawberry.field(
        default=UNSET,
        description="Years of practice, 0 to 80. Left out: kept; null clears it.",
    )


@strawberry.input(
    description=("A new work experience entry, added at the end of the section.")
)
class CreateExperienceInput:
    title: str = strawberry.field(description="Job title, 1 to 200 characters.")
    company: str = strawberry.field(description="Employer, 1 to 200 characters.")
    location: str | None = strawberry.field(
        default=None, description="Where, at most 200 characters."
    )
    start_date: str | None = strawberry.field(
        default=None, description="When it started.", graphql_type=PartialDate | None
    )
    end_date: str | None = strawberry.field(
        default=None,
        description="When it ended; not before startDate, and null while current.",
        graphql_type=PartialDate | None,
    )
    current: bool = strawberry.field(
        default=False,
        description="True for a job held now (endDate must then be empty).",
    )
    description: list[str] = strawberry.field(
        default_factory=list,
        description=(
            "Bullets, at most 50, each at most 1,000 characters; blank "
            "ones are dropped."
        ),
    )


@strawberry.input(
    description=("Changes to a work experience entry: left out keeps, null clears.")
)
class UpdateExperienceInput:
    id: strawberry.ID = strawberry.field(description="Global id of the entry.")
    title: str | None = strawberry.field(
        default=UNSET,
        description=(
            "Job title. Left out: kept; null is a VALIDATION_ERROR (it "
            "cannot be empty)."
        ),
    )
    company: str | None = strawberry.field(
        default=UNSET,
        description=(
            "Employer. Left out: kept; null is a VALIDATION_ERROR (it cannot be empty)."
        ),
    )
    location: str | None = strawberry.field(
        default=UNSET, description="Where. Left out: kept; null clears it."
    )
    start_date: str | None = strawberry.field(
        default=UNSET,
        description="When it started. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        default=UNSET,
        description=(
            "When it ended; not before startDate. Left out: kept; null clears it."
        ),
        graphql_type=PartialDate | None,
    )
    current: bool | None = strawberry.field(
        default=UNSET,
        description="A job held now. Left out: kept; null is a VALIDATION_ERROR.",
    )
    description: list[str] | None = strawberry.field(
        default=UNSET,
        description="Bullets (replaces the list). Left out: kept; null clears it.",
    )


@strawberry.input(description="A new education entry, added at the end of the section.")
class CreateEducationInput:
    institution: str = strawberry.field(
        description="School or university, 1 to 200 characters."
    )
    degree: str | None = strawberry.field(
        default=None, description="Degree or programme."
    )
    field: str | None = strawberry.field(default=None, description="Field of study.")
    start_date: str | None = strawberry.field(
        default=None,
        description="When studies started.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        default=None,
        description="When they ended; not before startDate.",
        graphql_type=PartialDate | None,
    )
    description: list[str] = strawberry.field(
        default_factory=list, description="Details, at most 50 items."
    )
    courses: list[str] = strawberry.field(
        default_factory=list, description="Courses, at most 50."
    )


@strawberry.input(
    description="Changes to an education entry: left out keeps, null clears."
)
class UpdateEducationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the entry.")
    institution: str | None = strawberry.field(
        default=UNSET,
        description=(
            "School or university. Left out: kept; null is a "
            "VALIDATION_ERROR (it cannot be empty)."
        ),
    )
    degree: str | None = strawberry.field(
        default=UNSET,
        description="Degree or programme. Left out: kept; null clears it.",
    )
    field: str | None = strawberry.field(
        default=UNSET, description="Field of study. Left out: kept; null clears it."
    )
    start_date: str | None = strawberry.field(
        default=UNSET,
        description="When studies started. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        default=UNSET,
        description="When they ended. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    description: list[str] | None = strawberry.field(
        default=UNSET,
        description="Details (replaces the list). Left out: kept; null clears it.",
    )
    courses: list[str] | None = strawberry.field(
        default=UNSET,
        description="Courses (replaces the list). Left out: kept; null clears it.",
    )


@strawberry.input(description="A new project, added at the end of the section.")
class CreateProjectInput:
    name: str = strawberry.field(description="Project name, 1 to 200 characters.")
    role: str | None = strawberry.field(default=None, description="Your role in it.")
    start_date: str | None = strawberry.field(
        default=None, description="When it started.", graphql_type=PartialDate | None
    )
    end_date: str | None = strawberry.field(
        default=None,
        description="When it ended; not before startDate.",
        graphql_type=PartialDate | None,
    )
    urls: list[str] = strawberry.field(
        default_factory=list,
        description="Links to it, at most 50.",
        graphql_type=list[URL],
    )
    description: list[str] = strawberry.field(
        default_factory=list, description="Bullets, at most 50."
    )


@strawberry.input(description="Changes to a project: left out keeps, null clears.")
class UpdateProjectInput:
    id: strawberry.ID = strawberry.field(description="Global id of the project.")
    name: str | None = strawberry.field(
        default=UNSET,
        description=(
            "Project name. Left out: kept; null is a VALIDATION_ERROR (it"
            " cannot be empty)."
        ),
    )
    role: str | None = strawberry.field(
        default=UNSET, description="Your role. Left out: kept; null clears it."
    )
    start_date: str | None = strawberry.field(
        default=UNSET,
        description="When it started. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        default=UNSET,
        description="When it ended. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    urls: list[str] | None = strawberry.field(
        default=UNSET,
        description="Links (replaces the list). Left out: kept; null clears it.",
        graphql_type=list[URL] | None,
    )
    description: list[str] | None = strawberry.field(
        default=UNSET,
        description="Bullets (replaces the list). Left out: kept; null clears it.",
    )


@strawberry.input(description="A new certification, added at the end of the section.")
class CreateCertificationInput:
    name: str = strawberry.field(description="Certification name, 1 to 200 characters.")
    issuer: str | None = strawberry.field(default=None, description="Who issued it.")
    issued: str | None = strawberry.field(
        default=None, description="When it was issued.", graphql_type=PartialDate | None
    )
    expires: str | None = strawberry.field(
        default=None,
        description="When it expires; not before issued.",
        graphql_type=PartialDate | None,
    )
    credential_url: str | None = strawberry.field(
        default=None, description="Where it can be verified.", graphql_type=URL | None
    )


@strawberry.input(
    description="Changes to a certification: left out keeps, null clears."
)
class UpdateCertificationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the certification.")
    name: str | None = strawberry.field(
        default=UNSET,
        description=(
            "Certification name. Left out: kept; null is a "
            "VALIDATION_ERROR (it cannot be empty)."
        ),
    )
    issuer: str | None = strawberry.field(
        default=UNSET, description="Who issued it. Left out: kept; null clears it."
    )
    issued: str | None = strawberry.field(
        default=UNSET,
        description="When it was issued. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    expires: str | None = strawberry.field(
        default=UNSET,
        description="When it expires. Left out: kept; null clears it.",
        graphql_type=PartialDate | None,
    )
    credential_url: str | None = strawberry.field(
        default=UNSET,
        description="Where it can be verified. Left out: kept; null clears it.",
        graphql_type=URL | None,
    )


@strawberry.input(description="The entry to delete.")
class DeleteSectionEntryInput:
    id: strawberry.ID = strawberry.field(
        description=(
            "Global id of the entry (of the mutation's section: a Skill's"
            " id for deleteSkill)."
        )
    )


@strawberry.input(description="A section's entries in their new order.")
class ReorderSectionInput:
    section: SectionKind = strawberry.field(description="The section to reorder.")
    ids: list[strawberry.ID] = strawberry.field(
        description="Every entry of the section, in the new order."
    )


@strawberry.input(
    description=(
        "Changes to the theme: a field left out keeps its value, null"
        " puts back the default."
    )
)
class UpdateThemeInput:
    theme_id: ThemeKey | None = strawberry.field(
        default=UNSET,
        description=(
            "The theme (e.g. MODERN); premium themes need Starter "
            "(PLAN_REQUIRED). Left out: kept; null: CLASSIC."
        ),
    )
    accent_color: str | None = strawberry.field(default=UNSET, description="#RRGGBB")


@strawberry.input(
    description=(
        "Changes to the layout: a field left out keeps its value, "
        "null puts back the default."
    )
)
class UpdateLayoutInput:
    section_order: list[SectionKind] | None = strawberry.field(
        default=UNSET,
        description=(
            "Sections in display order, each at most once; sections left "
            "out follow in the default order. Left out: kept; null: the "
            "default order."
        ),
    )
    hidden_sections: list[SectionKind] | None = strawberry.field(
        default=UNSET,
        description=(
            "Sections to hide from the public face. Left out: kept; null: none hidden."
        ),
    )
    font: Font | None = strawberry.field(
        default=UNSET,
        description=(
            "The font; IBM_PLEX_MONO needs Starter (PLAN_REQUIRED). Left "
            "out: kept; null: INTER."
        ),
    )


@strawberry.input(description="What to export.")
class ExportProfileInput:
    format: ExportFormat = strawberry.field(description="The document's format.")


@strawberry.input(description="A document to load into the profile.")
class ImportProfileInput:
    format: ImportFormat = strawberry.field(description="The document's format.")
    data: JSON | None = strawberry.field(
        default=UNSET,
        description="The document as a JSON value.",
        deprecation_reason="Use `content`, the same document as JSON text.",
    )
    content: str | None = strawberry.field(
        default=UNSET,
        description="The document as JSON text (JSON or JSON Resume), as "
        "exportProfile's `content` returns it. Give it or the deprecated `data`: "
        "neither or both is a VALIDATION_ERROR, and so is text that is not JSON.",
    )
    replace: bool = strawberry.field(
        default=True,
        description="Replace the sections (true) or append to them (false).",
    )


@strawberry.input(description="The public profile a visitor opened.")
class RecordProfileViewInput:
    username: str = strawberry.field(
        description="The profile's username (case-insensitive)."
    )
