"""GraphQL types of importing a resume into the profile: the preview of what an
import would change (profile fields and section entries) and the commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Self

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from schema.base import Node, UserError
from schema.context import Info
from schema.profiles import (
    CertificationNode,
    EducationNode,
    ExperienceNode,
    ProfileNode,
    ProjectNode,
    SectionKind,
    SkillNode,
)
from schema.scalars import URL, PartialDate

UNCHANGED = " In SectionChange.proposed: null when the import does not change it."


@strawberry.enum(description="What an import would do to a profile field.")
class FieldChangeAction(Enum):
    ADD = strawberry.enum_value("add", description="The field is empty: it is set.")
    CHANGE = strawberry.enum_value(
        "change", description="The field has another value: it is replaced."
    )
    KEEP = strawberry.enum_value("keep", description="Same value: nothing changes.")


@strawberry.type(description="What an import would do to one profile field.")
class ProfileFieldChange:
    field: str = strawberry.field(description="The profile field, e.g. fullName.")
    current: str | None = strawberry.field(description="Its value now, if any.")
    proposed: str = strawberry.field(description="The value the import brings.")
    action: FieldChangeAction = strawberry.field(
        description="add, change or keep (commitImport applies add and change)."
    )


@strawberry.type(
    description="A skill as an import would write it: Skill's fields without id "
    "and position."
)
class SkillDraft:
    name: str | None = strawberry.field(
        description="The skill, 1 to 100 characters." + UNCHANGED
    )
    category: str | None = strawberry.field(
        description='A grouping (e.g. "Databases"); null when none.' + UNCHANGED
    )
    level: str | None = strawberry.field(
        description="Proficiency in words; null when none." + UNCHANGED
    )
    years: float | None = strawberry.field(
        description="Years of practice; null when not stated." + UNCHANGED
    )


@strawberry.type(
    description="A work experience entry as an import would write it: "
    "Experience's fields without id and position."
)
class ExperienceDraft:
    title: str | None = strawberry.field(
        description="Job title, 1 to 200 characters." + UNCHANGED
    )
    company: str | None = strawberry.field(
        description="Employer, 1 to 200 characters." + UNCHANGED
    )
    location: str | None = strawberry.field(
        description="Where the job was; null when not stated." + UNCHANGED
    )
    start_date: str | None = strawberry.field(
        description="When the job started; null when unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        description="When the job ended; null while current or unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    current: bool | None = strawberry.field(
        description="True for a job held now." + UNCHANGED
    )
    description: list[str] | None = strawberry.field(
        description="Bullets, in order." + UNCHANGED
    )


@strawberry.type(
    description="An education entry as an import would write it: Education's "
    "fields without id and position."
)
class EducationDraft:
    institution: str | None = strawberry.field(
        description="School or university, 1 to 200 characters." + UNCHANGED
    )
    degree: str | None = strawberry.field(
        description="Degree or programme; null when none." + UNCHANGED
    )
    field: str | None = strawberry.field(
        description="Field of study; null when none." + UNCHANGED
    )
    start_date: str | None = strawberry.field(
        description="When studies started; null when unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        description="When studies ended; null when unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    description: list[str] | None = strawberry.field(
        description="Details, in order." + UNCHANGED
    )
    courses: list[str] | None = strawberry.field(
        description="Courses taken, in order." + UNCHANGED
    )


@strawberry.type(
    description="A project as an import would write it: Project's fields without "
    "id and position."
)
class ProjectDraft:
    name: str | None = strawberry.field(
        description="Project name, 1 to 200 characters." + UNCHANGED
    )
    role: str | None = strawberry.field(
        description="The owner's role in it; null when none." + UNCHANGED
    )
    start_date: str | None = strawberry.field(
        description="When the project started; null when unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        description="When it ended; null while ongoing or unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    urls: list[str] | None = strawberry.field(
        description="Links to the project, in order." + UNCHANGED,
        graphql_type=list[URL] | None,
    )
    description: list[str] | None = strawberry.field(
        description="Bullets, in order." + UNCHANGED
    )


@strawberry.type(
    description="A certification as an import would write it: Certification's "
    "fields without id and position."
)
class CertificationDraft:
    name: str | None = strawberry.field(
        description="Certification name, 1 to 200 characters." + UNCHANGED
    )
    issuer: str | None = strawberry.field(
        description="Who issued it; null when not stated." + UNCHANGED
    )
    issued: str | None = strawberry.field(
        description="When it was issued; null when unknown." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    expires: str | None = strawberry.field(
        description="When it expires; null when it does not." + UNCHANGED,
        graphql_type=PartialDate | None,
    )
    credential_url: str | None = strawberry.field(
        description="Where the credential can be verified; null when none." + UNCHANGED,
        graphql_type=URL | None,
    )


SectionDraft = Annotated[
    SkillDraft | ExperienceDraft | EducationDraft | ProjectDraft | CertificationDraft,
    strawberry.union(
        "SectionDraft",
        description="Values of a section entry as an import would write them, typed "
        "by section: SkillDraft, ExperienceDraft, EducationDraft, ProjectDraft or "
        "CertificationDraft.",
    ),
]
DraftType = (
    type[SkillDraft]
    | type[ExperienceDraft]
    | type[EducationDraft]
    | type[ProjectDraft]
    | type[CertificationDraft]
)
DRAFTS: dict[SectionKind, DraftType] = {
    SectionKind.SKILLS: SkillDraft,
    SectionKind.EXPERIENCE: ExperienceDraft,
    SectionKind.EDUCATION: EducationDraft,
    SectionKind.PROJECTS: ProjectDraft,
    SectionKind.CERTIFICATIONS: CertificationDraft,
}


SectionEntry = Annotated[
    SkillNode | ExperienceNode | EducationNode | ProjectNode | CertificationNode,
    strawberry.union("SectionEntry", description="An entry of a profile section."),
]


@strawberry.type(description="An existing entry that an import would change.")
class SectionChange:
    entry_id: strawberry.ID = strawberry.field(
        description="Global id of the existing entry (a Skill, Experience, "
        "Education, Project or Certification)."
    )
    values: JSON = strawberry.field(
        description="The fields that would change (untyped, by API name).",
        deprecation_reason="Use proposed: the same values, typed by section.",
    )
    current: JSON = strawberry.field(
        description="The entry's current values (untyped, by API name).",
        deprecation_reason="Use currentValues: the same values, typed by section.",
    )
    proposed: SectionDraft = strawberry.field(
        description="Only the fields the import would change, typed by section; "
        "every other field is null (null never means clearing a field here)."
    )
    current_values: SectionDraft = strawberry.field(
        description="All of the entry's current values, typed by section."
    )

    @strawberry.field(
        description="The existing entry itself; null when it was deleted since."
    )
    async def entry(self, info: Info) -> SectionEntry | None:
        node = await relay.GlobalID.from_id(self.entry_id).resolve_node(
            info, required=False
        )
        entries = (
            SkillNode,
            ExperienceNode,
            EducationNode,
            ProjectNode,
            CertificationNode,
        )
        return node if isinstance(node, entries) else None


@strawberry.type(description="What importing would do to one section.")
class SectionImport:
    section: SectionKind = strawberry.field(description="The profile section.")
    add: list[JSON] = strawberry.field(
        description="New entries (untyped, by API name).",
        deprecation_reason="Use adds: the same entries, typed by section.",
    )
    change: list[SectionChange] = strawberry.field(
        description="Duplicates of existing entries that bring new values."
    )
    keep: list[JSON] = strawberry.field(
        description="Duplicates with nothing new (untyped, by API name).",
        deprecation_reason="Use keeps: the same entries, typed by section.",
    )
    adds: list[SectionDraft] = strawberry.field(
        description="New entries, typed by section, in the order commitImport "
        "appends them."
    )
    keeps: list[SectionDraft] = strawberry.field(
        description="Duplicates with nothing new: the existing entries' values, "
        "typed by section."
    )


@strawberry.type(
    name="ImportPreview",
    description="What committing an import would change; kept until expiresAt.",
)
class ImportPreviewType(Node):
    id: relay.NodeID[int] = strawberry.field(
        description="Global id of the preview, as commitImport's previewId takes it."
    )
    expires_at: dt.datetime = strawberry.field(
        description="When the preview expires (UTC); commit before."
    )
    profile: list[ProfileFieldChange] = strawberry.field(
        description="Changes to the profile's own fields."
    )
    sections: list[SectionImport] = strawberry.field(
        description="What happens to each section."
    )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        """Previews are one-shot answers of previewImport: not refetchable."""
        return [None for _ in node_ids]


@strawberry.input(description="Exactly one of resumeId and file.")
class PreviewImportInput:
    resume_id: strawberry.ID | None = strawberry.field(
        default=None, description="A READY resume of the organization."
    )
    file: Upload | None = strawberry.field(
        default=None, description="A resume file, parsed on the spot."
    )


@strawberry.type(description="The result of previewImport.")
class PreviewImportPayload:
    preview: ImportPreviewType | None = strawberry.field(
        default=None, description="What the import would change; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )


@strawberry.input(description="The preview to apply, and how much of it.")
class CommitImportInput:
    preview_id: strawberry.ID = strawberry.field(
        description="Global id of the preview (from previewImport)."
    )
    sections: list[SectionKind] | None = strawberry.field(
        default=None, description="Sections to apply; all when left out."
    )
    include_profile: bool = strawberry.field(
        default=True, description="Apply the profile field changes too."
    )


@strawberry.type(description="The result of commitImport.")
class CommitImportPayload:
    profile: ProfileNode | None = strawberry.field(
        default=None, description="The profile after the import; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )
