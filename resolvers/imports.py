"""Resolvers of importing a parsed resume into the profile (services.imports): a
preview of what would be added, changed or kept per section, then its commit."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from strawberry import relay

from models.resumes import ImportPreview
from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id, decode_resume_id
from schema.context import Info
from schema.imports import DRAFTS, SectionDraft
from schema.profiles import ProfileNode, SectionKind
from schema.resumes import (
    CommitImportInput,
    CommitImportPayload,
    FieldChangeAction,
    ImportPreviewType,
    PreviewImportInput,
    PreviewImportPayload,
    ProfileFieldChange,
    SectionChange,
    SectionImport,
)
from services import import_sources, imports, profiles, resumes
from services.errors import ServiceError, ValidationFailed

__all__ = ["commit_import", "preview_import"]


def _api(values: dict[str, Any]) -> Any:
    """Column names as the API spells them (start_date -> startDate)."""
    out = {}
    for key, value in values.items():
        out[_camel(key)] = value
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _draft(
    kind: SectionKind, values: dict[str, Any], *, whole: bool = True
) -> SectionDraft:
    """A plan's entry values (by column) as the section's draft type. A whole
    entry (added or kept) gets its missing list columns empty, as commitImport
    writes them; a change's values leave every column they lack null."""
    cls = DRAFTS[kind]
    lists = {r.column for r in profiles.SECTION_RULES[kind.value] if r.kind == "list"}
    fields: dict[str, Any] = {}
    for name in (f.name for f in dataclasses.fields(cls)):
        value = values.get(name)
        fields[name] = [] if value is None and whole and name in lists else value
    draft: SectionDraft = cls(**fields)
    return draft


def _preview_type(row: ImportPreview) -> ImportPreviewType:
    plan = row.plan
    return ImportPreviewType(
        id=row.id,
        expires_at=row.expires_at,
        profile=[
            ProfileFieldChange(
                field=_camel(item["field"]),
                current=item["from"],
                proposed=item["to"],
                action=FieldChangeAction(item["action"]),
            )
            for item in plan["profile"]
        ],
        sections=[
            SectionImport(
                section=SectionKind(kind),
                add=[_api(v) for v in section["add"]],
                change=[
                    SectionChange(
                        entry_id=strawberry.ID(
                            relay.to_base64(profiles.SINGULAR[kind], c["id"])
                        ),
                        values=_api(c["values"]),
                        current=_api(c["current"]),
                        proposed=_draft(SectionKind(kind), c["values"], whole=False),
                        current_values=_draft(SectionKind(kind), c["current"]),
                    )
                    for c in section["change"]
                ],
                keep=[_api(k["values"]) for k in section["keep"]],
                adds=[_draft(SectionKind(kind), v) for v in section["add"]],
                keeps=[_draft(SectionKind(kind), k["values"]) for k in section["keep"]],
            )
            for kind, section in plan["sections"].items()
        ],
    )


async def preview_import(info: Info, input: PreviewImportInput) -> PreviewImportPayload:
    actor = info.context.require_actor()
    settings = info.context.runtime.settings
    upload = input.file
    try:
        if upload is not None and not isinstance(upload, resumes.UploadedFile):
            raise ValidationFailed("Send the file as a multipart request")
        preview = await import_sources.preview(
            actor=actor,
            resume_id=None
            if input.resume_id is None
            else decode_resume_id(input.resume_id, "resumeId"),
            file=upload,
            limits=import_sources.SandboxLimits(
                timeout=settings.parse_timeout, memory_mb=settings.parse_memory_mb
            ),
        )
    except ServiceError as exc:
        return PreviewImportPayload(user_errors=user_errors(exc))
    return PreviewImportPayload(preview=_preview_type(preview))


async def commit_import(info: Info, input: CommitImportInput) -> CommitImportPayload:
    try:
        preview_id = decode_node_id(
            input.preview_id, "ImportPreview", field="previewId", label="Import preview"
        )
        profile = await imports.commit(
            actor=info.context.require_actor(),
            preview_id=preview_id,
            sections=[s.value for s in input.sections]
            if input.sections is not None
            else None,
            include_profile=input.include_profile,
        )
    except ServiceError as exc:
        return CommitImportPayload(user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    return CommitImportPayload(profile=ProfileNode.from_row(profile))
