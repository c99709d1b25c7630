"""Resolvers of the resumes domain: upload, parsing state and its live stream,
listing, editing, the master resume, and flat display rows."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from strawberry import relay

from models.resumes import ImportPreview
from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id
from resolvers.resumedata import content_patch
from schema.base import (
    After,
    Edge,
    ErrorCode,
    First,
    InvalidArgument,
    UserError,
    page_info,
    page_size,
)
from schema.context import Info
from schema.profiles import ProfileNode, SectionKind
from schema.resumes import (
    CommitImportInput,
    CommitImportPayload,
    DeleteResumePayload,
    ExportResumeRowsInput,
    ExportResumeRowsPayload,
    FieldChangeAction,
    ImportPreviewType,
    PreviewImportInput,
    PreviewImportPayload,
    ProfileFieldChange,
    ResumeConnection,
    ResumeDisplayRow,
    ResumeEvent,
    ResumeFilter,
    ResumeIdInput,
    ResumeNode,
    ResumeOrder,
    ResumePayload,
    ResumeRowConnection,
    SectionChange,
    SectionImport,
    UpdateResumeInput,
    UploadResumeInput,
    UploadResumePayload,
)
from services import files, imports, profiles, resumes
from services.errors import NotFound, ServiceError, ValidationFailed


def _resume_id(global_id: str, field: str = "id") -> int:
    return decode_node_id(global_id, "Resume", field=field)


def _filter(
    given: ResumeFilter | None, *, include_master: bool
) -> resumes.ResumeFilter:
    """`include_master` is the field's default when the filter leaves it out."""
    if given is None:
        return resumes.ResumeFilter(include_master=include_master)
    return resumes.ResumeFilter(
        status=given.status.value if given.status else None,
        tags=tuple(given.tags or ()),
        is_master=given.is_master,
        updated_since=given.updated_since,
        include_master=include_master
        if given.include_master is None
        else given.include_master,
    )


def _order(given: ResumeOrder | None) -> resumes.ResumeOrder:
    if given is None:
        return resumes.ResumeOrder()
    return resumes.ResumeOrder(
        field=given.field.value, descending=given.direction.value == "DESC"
    )


def _cursor(row: Any, order: resumes.ResumeOrder) -> str:
    """A keyset cursor: the ordering it belongs to, the column's value (µs since
    the epoch) and the id."""
    at = resumes.position(row, order)
    micros = round(at.value.timestamp() * 1_000_000)
    direction = "DESC" if order.descending else "ASC"
    raw = f"resume:{order.field}:{direction}:{micros}:{at.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _position(
    cursor: str | None, order: resumes.ResumeOrder
) -> resumes.Position | None:
    """The position in a cursor of this ordering; a cursor of another ordering or
    kind is a VALIDATION_ERROR."""
    if cursor is None:
        return None
    direction = "DESC" if order.descending else "ASC"
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, field, sort, micros, key = raw.split(":")
        if (kind, field, sort) != ("resume", order.field, direction):
            raise ValueError(raw)
        value = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
        row_id = int(key)
        if not 0 < row_id <= 2**31 - 1:
            raise ValueError(key)
    except (ValueError, OverflowError, OSError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(
            f"Invalid cursor {cursor[:40]!r} for this orderBy"
        ) from None
    return resumes.Position(value=value, id=row_id)


def _queue_limits(info: Info) -> resumes.QueueLimits:
    settings = info.context.runtime.settings
    return resumes.QueueLimits(
        max_pending=settings.queue_max_pending,
        retry_after=settings.queue_retry_after,
    )


async def upload_resume(info: Info, input: UploadResumeInput) -> UploadResumePayload:
    upload = input.file
    if not isinstance(upload, resumes.UploadedFile):
        return UploadResumePayload(
            user_errors=[
                UserError(
                    field=["input", "file"],
                    message="Send the file as a multipart request (GraphQL multipart "
                    "request spec)",
                    code=ErrorCode.VALIDATION_ERROR,
                )
            ]
        )
    try:
        row = await resumes.upload_resume(
            actor=info.context.require_actor(),
            file=upload,
            set_as_master=input.set_as_master,
            tags=input.tags,
            locale=input.locale,
            title=input.title,
            limits=_queue_limits(info),
        )
    except resumes.DuplicateUpload as exc:
        return UploadResumePayload(
            resume=ResumeNode.from_row(exc.existing), user_errors=user_errors(exc)
        )
    except ServiceError as exc:
        return UploadResumePayload(user_errors=user_errors(exc))
    await info.context.runtime.jobs.enqueue_parse(row.id)
    return UploadResumePayload(resume=ResumeNode.from_row(row))


async def retry_resume_parse(info: Info, input: ResumeIdInput) -> ResumePayload:
    try:
        row = await resumes.retry_parse(
            actor=info.context.require_actor(), resume_id=_resume_id(input.id)
        )
    except ServiceError as exc:
        return ResumePayload(user_errors=user_errors(exc))
    await info.context.runtime.jobs.enqueue_parse(row.id)
    return ResumePayload(resume=ResumeNode.from_row(row))


async def update_resume(info: Info, input: UpdateResumeInput) -> ResumePayload:
    patch: Any = input.structured_data
    field = "structuredData"
    if input.content is not None:
        if patch is not None:
            return ResumePayload(
                user_errors=[
                    UserError(
                        field=["input", "content"],
                        message="Give content or structuredData, not both",
                        code=ErrorCode.VALIDATION_ERROR,
                    )
                ]
            )
        patch, field = content_patch(input.content), "content"
    try:
        row = await resumes.update_resume(
            actor=info.context.require_actor(),
            resume_id=_resume_id(input.id),
            title=input.title,
            tags=input.tags,
            structured_data=patch,
            # a typed customSections list replaces; the JSON patch still merges
            replace=["customSections"]
            if field == "content" and "customSections" in patch
            else (),
            field=field,
        )
    except ServiceError as exc:
        return ResumePayload(user_errors=user_errors(exc))
    return ResumePayload(resume=ResumeNode.from_row(row))


async def delete_resume(info: Info, input: ResumeIdInput) -> DeleteResumePayload:
    try:
        changed = await resumes.delete_resume(
            actor=info.context.require_actor(),
            resume_id=_resume_id(input.id),
            pubsub=info.context.runtime.pubsub,
        )
    except ServiceError as exc:
        return DeleteResumePayload(user_errors=user_errors(exc))
    return DeleteResumePayload(
        deleted_id=input.id, changed_resumes=[ResumeNode.from_row(r) for r in changed]
    )


async def set_master_resume(info: Info, input: ResumeIdInput) -> ResumePayload:
    try:
        changed = await resumes.set_master(
            actor=info.context.require_actor(), resume_id=_resume_id(input.id)
        )
    except ServiceError as exc:
        return ResumePayload(user_errors=user_errors(exc))
    nodes = [ResumeNode.from_row(row) for row in changed]
    return ResumePayload(resume=nodes[0], changed_resumes=nodes)


async def resume(info: Info, id: strawberry.ID) -> ResumeNode | None:
    info.context.require_actor()
    try:
        key = _resume_id(id)
    except NotFound:
        return None
    row = await info.context.loaders.resume_by_id.load(key)
    return ResumeNode.from_row(row) if row else None


async def _page(
    info: Info,
    first: int | None,
    after: str | None,
    filter: ResumeFilter | None,
    order_by: ResumeOrder | None,
    *,
    include_master: bool,
) -> tuple[list[Any], resumes.ResumeOrder, int]:
    actor = info.context.require_actor()
    size = page_size(first)
    order = _order(order_by)
    rows = await resumes.list_resumes(
        organization_id=actor.organization_id,
        filter=_filter(filter, include_master=include_master),
        first=size,
        after=_position(after, order),
        order=order,
    )
    return rows, order, size


async def list_resumes(
    info: Info,
    first: First = 20,
    after: After = None,
    filter: ResumeFilter | None = None,
    order_by: ResumeOrder | None = None,
) -> ResumeConnection:
    rows, order, size = await _page(
        info, first, after, filter, order_by, include_master=False
    )
    edges = [
        Edge(cursor=_cursor(r, order), node=ResumeNode.from_row(r)) for r in rows[:size]
    ]
    return ResumeConnection(edges=edges, page_info=page_info(edges, rows, size, after))


async def resume_rows(
    info: Info,
    first: First = 20,
    after: After = None,
    filter: ResumeFilter | None = None,
    order_by: ResumeOrder | None = None,
) -> ResumeRowConnection:
    rows, order, size = await _page(
        info, first, after, filter, order_by, include_master=True
    )
    edges = [
        Edge(
            cursor=_cursor(r, order),
            node=ResumeDisplayRow.from_row(resumes.display_row(r)),
        )
        for r in rows[:size]
    ]
    return ResumeRowConnection(
        edges=edges, page_info=page_info(edges, rows, size, after)
    )


ROW_COLUMNS = (
    "resume_id",
    "title",
    "status",
    "name",
    "email",
    "job_title",
    "current_company",
    "skills",
    "years_of_experience",
    "tags",
    "is_master",
    "updated_at",
)
MAX_EXPORT_ROWS = 10_000


async def export_resume_rows(
    info: Info, input: ExportResumeRowsInput
) -> ExportResumeRowsPayload:
    actor = info.context.require_actor()
    rows = await resumes.list_resumes(
        organization_id=actor.organization_id,
        filter=_filter(input.filter, include_master=True),
        first=MAX_EXPORT_ROWS,
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ROW_COLUMNS)
    for row in rows[:MAX_EXPORT_ROWS]:
        d = resumes.display_row(row)
        writer.writerow(
            [
                relay.to_base64("Resume", d.resume_id),
                d.title,
                d.status,
                d.name,
                d.email,
                d.job_title,
                d.current_company,
                " | ".join(d.skills),
                "" if d.years_of_experience is None else f"{d.years_of_experience:g}",
                " | ".join(d.tags),
                "yes" if d.is_master else "no",
                d.updated_at.isoformat(),
            ]
        )
    url, expires_at = await files.publish(
        signer=info.context.runtime.files,
        base_url=info.context.meta.base_url,
        organization_id=actor.organization_id,
        kind="export:resume_rows",
        filename="resumes.csv",
        content_type="text/csv; charset=utf-8",
        data=out.getvalue().encode(),
        keep_for=timedelta(days=1),
    )
    return ExportResumeRowsPayload(
        url=url,
        expires_at=expires_at,
        rows=min(len(rows), MAX_EXPORT_ROWS),
    )


async def resume_events(
    info: Info, resume_id: strawberry.ID
) -> AsyncGenerator[ResumeEvent, None]:
    """First the current state, then each stage, ending on READY or FAILED."""
    actor = info.context.require_actor()
    key = _resume_id(resume_id, "resumeId")
    async with info.context.runtime.pubsub.subscribe(resumes.channel(key)) as stream:
        row = await resumes.get_resume(actor=actor, resume_id=key)
        current = resumes.event(row)
        yield ResumeEvent.from_message(current)
        if row.status in resumes.TERMINAL:
            return
        async for message in stream:
            if message["progress"] < current["progress"] or (
                message["progress"] == current["progress"]
                and message["stage"] == current["stage"]
            ):
                continue  # published before (or as) the state we already sent
            yield ResumeEvent.from_message(message)
            if message["status"] in resumes.TERMINAL:
                return


# -- import into the profile -----------------------------------------------------------


def _api(values: dict[str, Any]) -> Any:
    """Column names as the API spells them (start_date -> startDate)."""
    out = {}
    for key, value in values.items():
        out[_camel(key)] = value
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


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
                    )
                    for c in section["change"]
                ],
                keep=[_api(k["values"]) for k in section["keep"]],
            )
            for kind, section in plan["sections"].items()
        ],
    )


async def preview_import(info: Info, input: PreviewImportInput) -> PreviewImportPayload:
    from services.documents.extract import DocumentError
    from services.documents.sandbox import parse_in_sandbox

    actor = info.context.require_actor()
    try:
        if (input.resume_id is None) == (input.file is None):
            raise ValidationFailed("Give exactly one of resumeId and file")
        resume_id: int | None = None
        if input.resume_id is not None:
            resume_id = _resume_id(input.resume_id, "resumeId")
            row = await resumes.get_resume(actor=actor, resume_id=resume_id)
            data = resumes.require_ready(row, use="previewed")
        else:
            upload = input.file
            if not isinstance(upload, resumes.UploadedFile):
                raise ValidationFailed("Send the file as a multipart request")
            kind = resumes.accept_file(upload)
            settings = info.context.runtime.settings
            try:
                parsed = await parse_in_sandbox(
                    data=upload.data,
                    kind=kind,
                    timeout=settings.parse_timeout,
                    memory_mb=settings.parse_memory_mb,
                )
            except DocumentError as exc:
                raise ValidationFailed(
                    f"{exc.code}: {exc.message}", field=["file"]
                ) from None
            data = dict(parsed.structured)
        preview = await imports.preview(actor=actor, data=data, resume_id=resume_id)
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
