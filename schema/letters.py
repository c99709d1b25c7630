"""GraphQL types of letters: cover letters and outreach messages written for a
resume and a job, their inputs and payloads, and the facts removed from drafts
(`Violation`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry import relay

from schema.base import Connection, UserError
from schema.base import int_ids as _int_ids
from schema.context import Info

if TYPE_CHECKING:
    from models.tailoring import Letter as LetterRow


@strawberry.type(
    description="A fact a draft stated that the user's resumes do not "
    "have; it was removed."
)
class Violation:
    kind: str = strawberry.field(
        description="skill, employer, school, project, certification, language, "
        "award, title, date, number, term or name."
    )
    value: str
    location: str = strawberry.field(description="Where it was, e.g. summary.")

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Self:
        return cls(kind=row["kind"], value=row["value"], location=row["location"])


def _letter_values(row: LetterRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "resume_id": strawberry.ID(relay.to_base64("Resume", row.resume_id)),
        "subject": row.subject,
        "content": row.content,
        "company": row.company or None,
        "job_title": row.job_title or None,
        "job_description": row.job_description,
        "language": row.language,
        "engine": row.engine,
        "removed": [Violation.from_dict(v) for v in row.removed],
        "warnings": list(row.warnings),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


async def _load_letters(info: Info, node_ids: Iterable[str], kind: str) -> list[Any]:
    from services.tailoring import letters

    actor = info.context.actor
    if actor is None:
        return [None for _ in node_ids]
    keys = _int_ids(node_ids)
    rows = await letters.get_letters(organization_id=actor.organization_id, ids=keys)
    by_id = {row.id: row for row in rows if row.kind == kind}
    return [by_id.get(key) for key in keys]


@strawberry.type(description="A cover letter written for a resume and a job.")
class CoverLetter(relay.Node):
    id: relay.NodeID[int]
    resume_id: strawberry.ID
    subject: str
    content: str
    company: str | None = strawberry.field(description="From the job description.")
    job_title: str | None
    job_description: str
    language: str
    engine: str
    removed: list[Violation] = strawberry.field(
        description="Statements dropped because the resumes do not back them."
    )
    warnings: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: LetterRow) -> Self:
        return cls(**_letter_values(row))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await _load_letters(info, node_ids, "COVER_LETTER")
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="A short message to a recruiter or hiring manager.")
class OutreachMessage(relay.Node):
    id: relay.NodeID[int]
    resume_id: strawberry.ID
    subject: str
    content: str
    company: str | None = strawberry.field(description="From the job description.")
    job_title: str | None
    job_description: str
    language: str
    engine: str
    removed: list[Violation] = strawberry.field(
        description="Statements dropped because the resumes do not back them."
    )
    warnings: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: LetterRow) -> Self:
        return cls(**_letter_values(row))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await _load_letters(info, node_ids, "OUTREACH")
        return [cls.from_row(r) if r else None for r in rows]


CoverLetterConnection = Connection[CoverLetter]
OutreachMessageConnection = Connection[OutreachMessage]


@strawberry.input
class GenerateLetterInput:
    resume_id: strawberry.ID
    job_description: str | None = strawberry.field(
        default=None, description="Default: the resume's own (a tailored resume's)."
    )
    language: str | None = strawberry.field(
        default=None, description="BCP 47 tag. Default: the resume's language."
    )


@strawberry.input
class RegenerateLetterInput:
    id: strawberry.ID
    job_description: str | None = strawberry.field(
        default=None, description="Replaces the stored job description."
    )


@strawberry.input
class DeleteLetterInput:
    id: strawberry.ID


@strawberry.type
class CoverLetterPayload:
    cover_letter: CoverLetter | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OutreachMessagePayload:
    outreach_message: OutreachMessage | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteLetterPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
