"""GraphQL types of letters: cover letters and outreach messages written for a
resume and a job, their inputs and payloads, and the facts removed from drafts
(`Violation`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from schema.base import Connection, Node, UserError, enum_or
from schema.base import int_ids as _int_ids
from schema.context import Info
from schema.docs import describe_values
from schema.processing import MAY_GAIN, Engine

if TYPE_CHECKING:
    from models.tailoring import Letter as LetterRow
    from schema.resumes import ResumeNode


@describe_values(
    SKILL="A skill none of the resumes has.",
    EMPLOYER="An employer (work experience) the master resume does not have.",
    SCHOOL="A school (education) the master resume does not have.",
    PROJECT="A project the master resume does not have.",
    CERTIFICATION="A certification the resumes do not back.",
    LANGUAGE="A language the resumes do not back.",
    AWARD="An award the resumes do not back.",
    TITLE="A changed job title or degree of a kept entry (restored).",
    DATE="Changed years of a kept entry (restored).",
    NUMBER="A number (figure, percentage, amount) the resumes do not state.",
    TERM="A technical term the resumes do not support.",
    NAME="A capitalized name (product, company, place) the resumes lack.",
    RESTORED="A change to personal info or custom sections, which tailoring may "
    "not touch (the original was restored).",
)
@strawberry.enum(description="What kind of fact was removed." + MAY_GAIN)
class ViolationKind(Enum):
    SKILL = "skill"
    EMPLOYER = "employer"
    SCHOOL = "school"
    PROJECT = "project"
    CERTIFICATION = "certification"
    LANGUAGE = "language"
    AWARD = "award"
    TITLE = "title"
    DATE = "date"
    NUMBER = "number"
    TERM = "term"
    NAME = "name"
    RESTORED = "restored"


@strawberry.type(
    description="A fact a draft stated that the user's resumes do not "
    "have; it was removed."
)
class Violation:
    kind: ViolationKind = strawberry.field(description="What kind of fact it was.")
    value: str = strawberry.field(description="The removed text.")
    location: str = strawberry.field(
        description="Where it was: a ResumeData path, e.g. summary or "
        "workExperience.title."
    )

    @classmethod
    def of(cls, kind: str, value: str, location: str) -> Self:
        """From a stored kind (a kind outside the enum reads as TERM)."""
        return cls(
            kind=enum_or(ViolationKind, kind, ViolationKind.TERM),
            value=value,
            location=location,
        )

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Self:
        return cls.of(row["kind"], row["value"], row["location"])


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
        "engine": enum_or(Engine, row.engine, Engine.OFFLINE),
        "removed": [Violation.from_dict(v) for v in row.removed],
        "warnings": list(row.warnings),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


async def _load_letters(
    info: Info, node_ids: Iterable[str], kind: str
) -> list[LetterRow | None]:
    rows = await info.context.loaders.tailoring.letter_by_id.load_many(
        _int_ids(node_ids)
    )
    return [row if row is not None and row.kind == kind else None for row in rows]


@strawberry.interface(
    description="A text written for a resume and a job: a CoverLetter or an "
    "OutreachMessage. Facts the resumes do not back are removed (`removed`)."
)
class Letter(Node):
    id: relay.NodeID[int]
    resume_id: strawberry.ID = strawberry.field(
        description="Global id of the resume it was written from."
    )
    subject: str = strawberry.field(description="Subject line (for an email).")
    content: str = strawberry.field(
        description="The text; paragraphs end with a newline."
    )
    company: str | None = strawberry.field(description="From the job description.")
    job_title: str | None = strawberry.field(
        description="The role, from the job description."
    )
    job_description: str = strawberry.field(description="The job it answers.")
    language: str = strawberry.field(description="BCP 47 tag of the text.")
    engine: Engine = strawberry.field(description="What wrote it.")
    removed: list[Violation] = strawberry.field(
        description="Statements dropped because the resumes do not back them."
    )
    warnings: list[str] = strawberry.field(
        description="Notes for the user, e.g. how many statements were removed."
    )
    created_at: dt.datetime = strawberry.field(description="When it was written.")
    updated_at: dt.datetime = strawberry.field(
        description="When it was last regenerated."
    )

    @classmethod
    def from_row(cls, row: LetterRow) -> Self:
        return cls(**_letter_values(row))


@strawberry.type(description="A cover letter written for a resume and a job.")
class CoverLetter(Letter):
    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        rows = await _load_letters(info, node_ids, "COVER_LETTER")
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="A short message to a recruiter or hiring manager.")
class OutreachMessage(Letter):
    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        rows = await _load_letters(info, node_ids, "OUTREACH")
        return [cls.from_row(r) if r else None for r in rows]


CoverLetterConnection = Connection[CoverLetter]
OutreachMessageConnection = Connection[OutreachMessage]


@strawberry.input(description="What to write a letter from.")
class GenerateLetterInput:
    resume_id: strawberry.ID = strawberry.field(
        description="A READY resume of the organization."
    )
    job_description: str | None = strawberry.field(
        default=None, description="Default: the resume's own (a tailored resume's)."
    )
    language: str | None = strawberry.field(
        default=None, description="BCP 47 tag. Default: the resume's language."
    )


@strawberry.input(description="The letter to write again (same id).")
class RegenerateLetterInput:
    id: strawberry.ID = strawberry.field(description="Global id of the letter.")
    job_description: str | None = strawberry.field(
        default=None, description="Replaces the stored job description."
    )


@strawberry.input(description="The letter to delete.")
class DeleteLetterInput:
    id: strawberry.ID = strawberry.field(description="Global id of the letter.")


ASKED_LETTER = (
    "The letter: the new or rewritten one; when refused (PLAN_REQUIRED, ...), "
    "the one regenerate was asked about as it stands; null when there is none."
)
ASKED_RESUME = (
    "The resume the letter is (or was asked to be) written from, with every "
    "answer, refusals included; null when there is none."
)
LazyResume = Annotated["ResumeNode", strawberry.lazy("schema.resumes")]


@strawberry.type(description="The result of a cover letter mutation.")
class CoverLetterPayload:
    cover_letter: CoverLetter | None = strawberry.field(
        default=None, description=ASKED_LETTER
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )
    resume: LazyResume | None = strawberry.field(default=None, description=ASKED_RESUME)


@strawberry.type(description="The result of an outreach message mutation.")
class OutreachMessagePayload:
    outreach_message: OutreachMessage | None = strawberry.field(
        default=None, description=ASKED_LETTER
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )
    resume: LazyResume | None = strawberry.field(default=None, description=ASKED_RESUME)


@strawberry.type(description="The result of deleting a letter.")
class DeleteLetterPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the deleted letter."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )
