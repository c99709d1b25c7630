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
    values: JSON = strawberry.field(description="The fields that would change.")
    current: JSON = strawberry.field(description="The entry's current values.")

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
    add: list[JSON] = strawberry.field(description="New entries.")
    change: list[SectionChange] = strawberry.field(
        description="Duplicates of existing entries that bring new values."
    )
    keep: list[JSON] = strawberry.field(description="Duplicates with nothing new.")


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
