"""GraphQL types of the resumes domain: the Resume node, its live events, flat
display rows, and the resume mutations' inputs and payloads."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, Self, TypeVar

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

from schema.base import (
    After,
    Before,
    Connection,
    Edge,
    First,
    Last,
    Node,
    UserError,
    Window,
    encode_cursor,
    window,
)
from schema.base import decode_cursor as _decode_cursor
from schema.base import int_ids as _int_ids
from schema.context import Info
from schema.letters import (
    CoverLetter,
    CoverLetterConnection,
    OutreachMessage,
    OutreachMessageConnection,
)
from schema.processing import Engine, ProcessingErrorCode, ResumeStage, ResumeStatus
from schema.resumedata import ResumeData, ResumeDataInput
from schema.tailoring import JobKeywords, RefinementStats, TailorStrategy

if TYPE_CHECKING:
    from models.resumes import Resume as ResumeRow


@strawberry.enum(
    description="What a resume was made from. May gain values: do not switch on it "
    "exhaustively."
)
class FileType(Enum):
    PDF = strawberry.enum_value("pdf", description="A PDF (text layer or scanned).")
    DOCX = strawberry.enum_value("docx", description="A Word document (.docx).")
    JSON = strawberry.enum_value(
        "json", description="A JSON document (ResumeData or JSON Resume)."
    )
    PNG = strawberry.enum_value("png", description="A PNG image, read by OCR.")
    JPEG = strawberry.enum_value(
        "jpeg", description="A JPEG photo or scan, read by OCR."
    )
    TAILORED = strawberry.enum_value(
        "tailored", description="Made by tailorResume from the master; no file."
    )


@strawberry.type(
    name="Resume",
    description="A resume: an uploaded file parsed into ResumeData, or one "
    "tailored from another.",
)
class ResumeNode(Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The resume's name in lists.")
    filename: str = strawberry.field(description="The uploaded file's name.")
    file_type: FileType = strawberry.field(
        description="What the uploaded file is, by its content (not its name)."
    )
    size: int = strawberry.field(description="The uploaded file's size in bytes.")
    status: ResumeStatus = strawberry.field(
        description="Where the resume is in its processing."
    )
    stage: ResumeStage = strawberry.field(description="The current step.")
    progress: int = strawberry.field(description="Percent, 0 to 100.")
    is_master: bool = strawberry.field(
        description="The organization's master resume (one at most)."
    )
    tags: list[str] = strawberry.field(description="The user's tags.")
    locale: str = strawberry.field(description="BCP 47 tag of the resume's language.")
    error_code: ProcessingErrorCode | None = strawberry.field(
        description="Why it failed (FAILED only)."
    )
    error_message: str | None = strawberry.field(
        description="What failed, for people (FAILED only)."
    )
    engine: Engine | None = strawberry.field(
        description="What structured (or tailored) it; null until then."
    )
    warnings: list[str] = strawberry.field(
        description="What parsing was unsure of, for people."
    )
    structured_data: JSON | None = strawberry.field(
        description="ResumeData as untyped JSON: personalInfo, summary, "
        "workExperience, education, personalProjects, additional, customSections.",
        deprecation_reason="Use `content`, the same document typed.",
    )
    text: str = strawberry.field(description="The text extracted from the file.")

    @strawberry.field(
        description="The structured content (typed ResumeData); null until parsed."
    )
    def content(self) -> ResumeData | None:
        data = self.structured_data
        return ResumeData.from_dict(data) if isinstance(data, dict) else None

    created_at: dt.datetime = strawberry.field(
        description="When it was uploaded or tailored."
    )
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    parent_id: strawberry.Private[int | None]
    job_description: str | None = strawberry.field(
        description="The job a tailored resume was written for."
    )
    strategy: TailorStrategy | None = strawberry.field(
        description="How it was tailored (tailored resumes)."
    )
    output_language: str | None = strawberry.field(
        description="BCP 47 tag it was tailored into."
    )
    pdf_ready: bool = strawberry.field(
        description="A PDF of this resume is rendered and cached (renderResumePdf "
        "returns it at once)."
    )
    job_keywords_data: strawberry.Private[dict[str, Any] | None]
    refinement_data: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(description="The resume this one was tailored from.")
    def parent(self) -> strawberry.ID | None:
        if self.parent_id is None:
            return None
        return strawberry.ID(relay.to_base64("Resume", self.parent_id))

    @strawberry.field(description="The job description's terms (tailored resumes).")
    def job_keywords(self) -> JobKeywords | None:
        if self.job_keywords_data is None:
            return None
        return JobKeywords.from_dict(self.job_keywords_data)

    @strawberry.field(description="What tailoring did (tailored resumes, when READY).")
    def refinement_stats(self) -> RefinementStats | None:
        if self.refinement_data is None:
            return None
        return RefinementStats.from_dict(
            self.refinement_data, JobKeywords.from_dict(self.job_keywords_data or {})
        )

    @strawberry.field(description="Cover letters of this resume, newest first.")
    async def cover_letters(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> CoverLetterConnection:
        win = window(first, after, last, before)
        return await _letter_page(info, self.id, "COVER_LETTER", CoverLetter, win)

    @strawberry.field(description="Outreach messages of this resume, newest first.")
    async def outreach_messages(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> OutreachMessageConnection:
        win = window(first, after, last, before)
        return await _letter_page(info, self.id, "OUTREACH", OutreachMessage, win)

    @classmethod
    def from_row(cls, row: ResumeRow) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            filename=row.filename,
            file_type=FileType(row.kind),
            size=row.size,
            status=ResumeStatus(row.status),
            stage=ResumeStage.parse(row.stage),
            progress=row.progress,
            is_master=row.is_master,
            tags=list(row.tags),
            locale=row.locale,
            error_code=ProcessingErrorCode.parse(row.error_code),
            error_message=row.error_message,
            engine=Engine.parse(row.engine),
            warnings=list(row.warnings),
            structured_data=JSON(row.structured_data),
            text=row.text,
            created_at=row.created_at,
            updated_at=row.updated_at,
            parent_id=row.parent_id,
            job_description=row.job_description,
            strategy=TailorStrategy(row.strategy) if row.strategy else None,
            output_language=row.output_language,
            pdf_ready=row.pdf_hash is not None,
            job_keywords_data=row.job_keywords,
            refinement_data=row.refinement,
        )

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        rows = await info.context.loaders.resume_by_id.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


ResumeConnection = Connection[ResumeNode]


_Letter = TypeVar("_Letter", CoverLetter, OutreachMessage)


async def _letter_page(
    info: Info, resume_id: int, kind: str, node: type[_Letter], win: Window
) -> Connection[_Letter]:
    """A page of a resume's letters of `kind` (one query per page shape for all
    resumes of the request), counted by one grouped query when asked."""
    loaders = info.context.loaders.tailoring
    info.context.require_actor()
    loader = loaders.letters(
        kind=kind,
        after=_decode_cursor(kind, win.cursor),
        limit=win.size + 1,
        backward=win.backward,
    )
    rows = await loader.load(resume_id)
    edges = [
        Edge(cursor=encode_cursor(row.kind, row.id), node=node.from_row(row))
        for row in win.rows(rows)
    ]

    async def count() -> int:
        return await loaders.letter_counts(kind).load(resume_id)

    return Connection(edges=edges, page_info=win.page_info(edges, rows), counter=count)


@strawberry.type(description="The result of tailorResume.")
class TailorResumePayload:
    resume: ResumeNode | None = strawberry.field(
        default=None,
        description="The new tailored resume, PROCESSING: follow it with "
        "tailoringEvents.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )
    source_resume: ResumeNode | None = strawberry.field(
        default=None,
        description="The resume asked about (resumeId, or the master), with every "
        "answer, refusals (PLAN_REQUIRED, ...) included; null when there is none.",
    )


@strawberry.type(description="A step of a resume's parsing.")
class ResumeEvent:
    resume_id: strawberry.ID = strawberry.field(
        description="Global id of the resume (also in `resume`)."
    )
    status: ResumeStatus = strawberry.field(description="The status at this step.")
    stage: ResumeStage = strawberry.field(description="The step reached.")
    progress: int = strawberry.field(description="Percent done, 0 to 100.")
    error_code: ProcessingErrorCode | None = strawberry.field(
        description="Why it failed (FAILED only)."
    )
    error_message: str | None = strawberry.field(
        description="What failed, for people (FAILED only)."
    )

    @strawberry.field(
        description="The resume as it is now, so a normalized cache updates its "
        "record (status, stage, progress, content) without a hand-written "
        "updater; null once deleted."
    )
    async def resume(self, info: Info) -> ResumeNode | None:
        loader = info.context.loaders.resume_by_id
        key = _int_ids([relay.GlobalID.from_id(self.resume_id).node_id])[0]
        # a socket's loaders outlive one event: read it fresh (strawberry's clear()
        # raises KeyError for a key it never cached)
        with contextlib.suppress(KeyError):
            loader.clear(key)
        row = await loader.load(key)
        return ResumeNode.from_row(row) if row else None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Self:
        return cls(
            resume_id=strawberry.ID(relay.to_base64("Resume", message["resume_id"])),
            status=ResumeStatus(message["status"]),
            stage=ResumeStage.parse(message["stage"]),
            progress=message["progress"],
            error_code=ProcessingErrorCode.parse(message["error_code"]),
            error_message=message["error_message"],
        )


# -- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="A resume file to parse.")
class UploadResumeInput:
    file: Upload = strawberry.field(
        description="PDF, DOCX or JSON (ResumeData or JSON Resume), at most 10 MiB."
    )
    set_as_master: bool = strawberry.field(
        default=False, description="Make it the master resume once parsed."
    )
    tags: list[str] = strawberry.field(
        description="Tags, at most 20 of 40 characters.", default_factory=list
    )
    locale: str | None = strawberry.field(
        default=None, description="BCP 47 tag; default: detected from the text."
    )
    title: str | None = strawberry.field(
        default=None, description="Default: the file's name."
    )


@strawberry.type(description="The result of uploadResume.")
class UploadResumePayload:
    resume: ResumeNode | None = strawberry.field(
        default=None,
        description="The new resume (PROCESSING); for DUPLICATE_UPLOAD, the existing "
        "one.",
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )


@strawberry.input(description="The resume to act on.")
class ResumeIdInput:
    id: strawberry.ID = strawberry.field(description="Global id of the resume.")


@strawberry.input(description="Fields left out keep their values.")
class UpdateResumeInput:
    id: strawberry.ID = strawberry.field(description="Global id of the resume.")
    title: str | None = strawberry.field(
        default=UNSET, description="A new title; left out keeps, null is refused."
    )
    tags: list[str] | None = strawberry.field(
        default=UNSET,
        description="The new tags (replace the old ones); left out keeps, null clears.",
    )
    structured_data: JSON | None = strawberry.field(
        default=None,
        description="A JSON merge patch (RFC 7396) of the stored ResumeData: given "
        "keys replace (objects merge, arrays are replaced), null removes a key; the "
        "merged document is validated and a bad one changes nothing.",
        deprecation_reason="Use `content`, the same partial update typed.",
    )
    content: ResumeDataInput | None = strawberry.field(
        default=UNSET,
        description="A partial update of the content: a left-out field keeps, null "
        "clears; not together with structuredData.",
    )


@strawberry.type(description="The result of a mutation on one resume.")
class ResumePayload:
    resume: ResumeNode | None = strawberry.field(
        default=None, description="The resume; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )
    changed_resumes: list[ResumeNode] = strawberry.field(
        default_factory=list,
        description="Every resume whose master flag changed, so that a normalized "
        "cache stays right: after setMasterResume the new master (isMaster true) "
        "and the former one (isMaster false).",
    )


@strawberry.type(description="The result of deleteResume.")
class DeleteResumePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the deleted resume."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )
    changed_resumes: list[ResumeNode] = strawberry.field(
        default_factory=list,
        description="Resumes whose master flag changed: the successor master when "
        "the deleted resume was the master.",
    )


# moved to schema.processing, schema.resumerows and schema.imports; re-exported for
# the modules that import them from here
from schema.imports import CommitImportInput as CommitImportInput  # noqa: E402
from schema.imports import CommitImportPayload as CommitImportPayload  # noqa: E402
from schema.imports import FieldChangeAction as FieldChangeAction  # noqa: E402
from schema.imports import ImportPreviewType as ImportPreviewType  # noqa: E402
from schema.imports import PreviewImportInput as PreviewImportInput  # noqa: E402
from schema.imports import PreviewImportPayload as PreviewImportPayload  # noqa: E402
from schema.imports import ProfileFieldChange as ProfileFieldChange  # noqa: E402
from schema.imports import SectionChange as SectionChange  # noqa: E402
from schema.imports import SectionImport as SectionImport  # noqa: E402
from schema.resumerows import ExportResumeRowsInput as ExportResumeRowsInput  # noqa: E402
from schema.resumerows import (  # noqa: E402
    ExportResumeRowsPayload as ExportResumeRowsPayload,
)
from schema.resumerows import OrderDirection as OrderDirection  # noqa: E402
from schema.resumerows import ResumeDisplayRow as ResumeDisplayRow  # noqa: E402
from schema.resumerows import ResumeFilter as ResumeFilter  # noqa: E402
from schema.resumerows import ResumeOrder as ResumeOrder  # noqa: E402
from schema.resumerows import ResumeOrderField as ResumeOrderField  # noqa: E402
from schema.resumerows import ResumeRowConnection as ResumeRowConnection  # noqa: E402
