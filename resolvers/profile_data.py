"""Resolvers of the profile as a whole document: export (JSON Resume or the
profile's own shape), import, and resetting the resume-derived sections."""

from __future__ import annotations

import json

from strawberry.types.unset import UNSET

from resolvers.errors import user_errors
from schema.context import Info
from schema.profile_inputs import ExportProfileInput, ImportProfileInput
from schema.profile_payloads import (
    ExportProfilePayload,
    ImportProfilePayload,
    ResetResumeContentPayload,
    SectionCounts,
)
from schema.profiles import ProfileNode
from services import exports, profiles
from services.errors import ServiceError, ValidationFailed


async def export_profile(info: Info, input: ExportProfileInput) -> ExportProfilePayload:
    actor = info.context.require_actor()
    runtime = info.context.runtime
    try:
        result = await exports.export_profile(
            actor=actor,
            format=input.format.value,
            signer=runtime.files,
            base_url=info.context.meta.base_url,
        )
    except ServiceError as exc:
        return ExportProfilePayload(user_errors=user_errors(exc))
    return ExportProfilePayload(
        format=input.format,
        url=result.url,
        expires_at=result.expires_at,
        filename=result.filename,
        content_type=result.content_type,
        data=result.data,
        content=result.content,
    )


def _document(input: ImportProfileInput) -> object:
    """The document of an import: `content` (JSON text) or the deprecated `data`,
    exactly one of them."""
    has_content = input.content is not UNSET and input.content is not None
    has_data = input.data is not UNSET and input.data is not None
    if has_content == has_data:
        raise ValidationFailed(
            "Give the document as content (or the deprecated data), once",
            field=["content"],
        )
    if not has_content:
        return input.data
    assert input.content is not None
    try:
        return json.loads(input.content)
    except ValueError:
        raise ValidationFailed("content is not JSON", field=["content"]) from None


async def import_profile(info: Info, input: ImportProfileInput) -> ImportProfilePayload:
    try:
        row = await exports.import_profile(
            actor=info.context.require_actor(),
            format=input.format.value,
            data=_document(input),
            replace=input.replace,
        )
    except ServiceError as exc:
        return ImportProfilePayload(user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    return ImportProfilePayload(profile=ProfileNode.from_row(row))


async def reset_resume_content(info: Info) -> ResetResumeContentPayload:
    deleted = await profiles.reset_resume_content(
        actor=info.context.require_actor(),
        config=info.context.runtime.auth,
        meta=info.context.meta,
    )
    info.context.loaders.profiles.forget()
    return ResetResumeContentPayload(deleted=SectionCounts(**deleted))
