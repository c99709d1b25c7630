"""Resolvers of the resumes domain: upload, parsing state and its live stream,
listing, editing, the master resume, and flat display rows. Importing a resume
into the profile is in `resolvers.imports` (`preview_import` and
`commit_import` are re-exported here for the schema's root)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.types.unset import UNSET

from resolvers.errors import user_errors
from resolvers.imports import commit_import as commit_import  # re-exported
from resolvers.imports import preview_import as preview_import  # re-exported
from resolvers.inputs import decode_resume_id, queue_limits
from resolvers.resumedata import content_patch
from schema.base import (
    After,
    Before,
    Counter,
    Edge,
    ErrorCode,
    First,
    InvalidArgument,
    Last,
    UserError,
    Window,
    window,
)
from schema.context import Info
from schema.resumes import (
    DeleteResumePayload,
    ExportResumeRowsInput,
    ExportResumeRowsPayload,
    ResumeConnection,
    ResumeDisplayRow,
    ResumeEvent,
    ResumeFilter,
    ResumeIdInput,
    ResumeNode,
    ResumeOrder,
    ResumePayload,
    ResumeRowConnection,
    UpdateResumeInput,
    UploadResumeInput,
    UploadResumePayload,
)
from services import pubsub, resume_exports, resumes
from services.errors import NotFound, ServiceError


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
            limits=queue_limits(info),
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
            actor=info.context.require_actor(), resume_id=decode_resume_id(input.id)
        )
    except ServiceError as exc:
        return ResumePayload(user_errors=user_errors(exc))
    await info.context.runtime.jobs.enqueue_parse(row.id)
    return ResumePayload(resume=ResumeNode.from_row(row))


async def update_resume(info: Info, input: UpdateResumeInput) -> ResumePayload:
    patch: Any = input.structured_data
    field = "structuredData"
    if input.content is None:  # null cannot clear the content (the clearing rule)
        return ResumePayload(
            user_errors=[
                UserError(
                    field=["input", "content"],
                    message="content cannot be null: leave it out to keep it",
                    code=ErrorCode.VALIDATION_ERROR,
                )
            ]
        )
    if input.content:
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
            resume_id=decode_resume_id(input.id),
            # left out (UNSET) keeps; null: a title cannot be empty, tags clear
            title=None if input.title is UNSET else (input.title or ""),
            tags=None if input.tags is UNSET else (input.tags or []),
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
            resume_id=decode_resume_id(input.id),
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
            actor=info.context.require_actor(), resume_id=decode_resume_id(input.id)
        )
    except ServiceError as exc:
        return ResumePayload(user_errors=user_errors(exc))
    nodes = [ResumeNode.from_row(row) for row in changed]
    return ResumePayload(resume=nodes[0], changed_resumes=nodes)


async def resume(info: Info, id: strawberry.ID) -> ResumeNode | None:
    info.context.require_actor()
    try:
        key = decode_resume_id(id)
    except NotFound:
        return None
    row = await info.context.loaders.resume_by_id.load(key)
    return ResumeNode.from_row(row) if row else None


async def _page(
    info: Info,
    win: Window,
    filter: ResumeFilter | None,
    order_by: ResumeOrder | None,
    *,
    include_master: bool,
) -> tuple[list[Any], resumes.ResumeOrder, Counter]:
    """Up to `win.size + 1` rows in the walking direction (backward: the order
    reversed from the cursor), the order, and the connection's counter."""
    actor = info.context.require_actor()
    order = _order(order_by)
    walk = (
        resumes.ResumeOrder(field=order.field, descending=not order.descending)
        if win.backward
        else order
    )
    wanted = _filter(filter, include_master=include_master)
    rows = await resumes.list_resumes(
        organization_id=actor.organization_id,
        filter=wanted,
        first=win.size,
        after=_position(win.cursor, order),
        order=walk,
    )

    async def count() -> int:
        org = actor.organization_id
        return await resumes.count_resumes(organization_id=org, filter=wanted)

    return rows, order, count


_N = TypeVar("_N")
_C = TypeVar("_C")


async def _connection(
    info: Info,
    win: Window,
    filter: ResumeFilter | None,
    order_by: ResumeOrder | None,
    *,
    include_master: bool,
    node: Callable[[Any], _N],
    connection: Callable[..., _C],
) -> _C:
    """A page of the organization's resumes as `connection`, each row as `node`."""
    rows, order, count = await _page(
        info, win, filter, order_by, include_master=include_master
    )
    edges = [Edge(cursor=_cursor(r, order), node=node(r)) for r in win.rows(rows)]
    return connection(edges=edges, page_info=win.page_info(edges, rows), counter=count)


async def list_resumes(
    info: Info,
    first: First = None,
    after: After = None,
    filter: ResumeFilter | None = None,
    order_by: ResumeOrder | None = None,
    last: Last = None,
    before: Before = None,
) -> ResumeConnection:
    return await _connection(
        info,
        window(first, after, last, before),
        filter,
        order_by,
        include_master=False,
        node=ResumeNode.from_row,
        connection=ResumeConnection,
    )


async def resume_rows(
    info: Info,
    first: First = None,
    after: After = None,
    filter: ResumeFilter | None = None,
    order_by: ResumeOrder | None = None,
    last: Last = None,
    before: Before = None,
) -> ResumeRowConnection:
    return await _connection(
        info,
        window(first, after, last, before),
        filter,
        order_by,
        include_master=True,
        node=lambda r: ResumeDisplayRow.from_row(resumes.display_row(r)),
        connection=ResumeRowConnection,
    )


async def export_resume_rows(
    info: Info, input: ExportResumeRowsInput
) -> ExportResumeRowsPayload:
    actor = info.context.require_actor()
    export = await resume_exports.export_rows(
        organization_id=actor.organization_id,
        filter=_filter(input.filter, include_master=True),
        signer=info.context.runtime.files,
        base_url=info.context.meta.base_url,
        resume_ref=lambda key: relay.to_base64("Resume", key),
    )
    return ExportResumeRowsPayload(
        url=export.url, expires_at=export.expires_at, rows=export.rows
    )


async def resume_events(
    info: Info, resume_id: strawberry.ID
) -> AsyncGenerator[ResumeEvent, None]:
    """First the current state, then each stage, ending on READY or FAILED."""
    actor = info.context.require_actor()
    key = decode_resume_id(resume_id, "resumeId")
    async with info.context.runtime.pubsub.subscribe(resumes.channel(key)) as stream:
        row = await resumes.get_resume(actor=actor, resume_id=key)
        current = resumes.event(row)
        pubsub.started(resumes.channel(key), current)
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
