"""GraphQL types of resumes as flat rows (for spreadsheets and BI): the display row,
its connection and CSV export, and the filter and order of resume lists."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry import relay

from schema.base import Connection, UserError
from schema.docs import describe_values
from schema.processing import ResumeStatus

if TYPE_CHECKING:
    from services.resumes import ResumeRow as DisplayRow


@strawberry.type(description="One resume as a flat row, for spreadsheets and BI.")
class ResumeDisplayRow:
    resume_id: strawberry.ID = strawberry.field(description="Global id of the resume.")
    title: str = strawberry.field(description="The resume's title.")
    status: ResumeStatus = strawberry.field(
        description="Where the resume is in its processing."
    )
    name: str = strawberry.field(description="The person's name.")
    email: str = strawberry.field(description="The person's email.")
    job_title: str = strawberry.field(
        description="The headline, else the latest job's title."
    )
    current_company: str = strawberry.field(description="The latest job's company.")
    skills: list[str] = strawberry.field(description="The technical skills.")
    years_of_experience: float | None = strawberry.field(
        description="Years of work, from the dates; null when unknown."
    )
    tags: list[str] = strawberry.field(description="The resume's tags.")
    is_master: bool = strawberry.field(description="The organization's master resume.")
    updated_at: dt.datetime = strawberry.field(
        description="When the resume last changed."
    )

    @classmethod
    def from_row(cls, row: DisplayRow) -> Self:
        return cls(
            resume_id=strawberry.ID(relay.to_base64("Resume", row.resume_id)),
            title=row.title,
            status=ResumeStatus(row.status),
            name=row.name,
            email=row.email,
            job_title=row.job_title,
            current_company=row.current_company,
            skills=row.skills,
            years_of_experience=row.years_of_experience,
            tags=row.tags,
            is_master=row.is_master,
            updated_at=row.updated_at,
        )


ResumeRowConnection = Connection[ResumeDisplayRow]


@strawberry.input(description="Which resumes to list; fields left out do not filter.")
class ResumeFilter:
    status: ResumeStatus | None = strawberry.field(
        default=None, description="Only resumes in this status."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Resumes with any of these tags."
    )
    is_master: bool | None = strawberry.field(
        default=None, description="Only the master (true) or only the others (false)."
    )
    updated_since: dt.datetime | None = strawberry.field(
        default=None, description="Only resumes changed at or after this time."
    )
    include_master: bool | None = strawberry.field(
        default=None,
        description="List the master resume too. Left out: `resumes` leaves it "
        "out (as Refleum lists them), `resumeRows` and `exportResumeRows` keep it "
        "(one row per resume). `isMaster: true` always lists it.",
    )


@describe_values(
    UPDATED_AT="The last change.",
    CREATED_AT="The upload or tailoring.",
)
@strawberry.enum(description="What resumes are sorted by.")
class ResumeOrderField(Enum):
    UPDATED_AT = "UPDATED_AT"
    CREATED_AT = "CREATED_AT"


@describe_values(
    ASC="Oldest (smallest) first.",
    DESC="Newest (largest) first.",
)
@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="Default: newest update first.")
class ResumeOrder:
    field: ResumeOrderField = strawberry.field(
        default=ResumeOrderField.UPDATED_AT, description="What to sort by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Which way."
    )


@strawberry.input(description="Which resumes to export.")
class ExportResumeRowsInput:
    filter: ResumeFilter | None = strawberry.field(
        default=None, description="Which resumes; all when left out."
    )


@strawberry.type(
    description="The result of exportResumeRows: a CSV behind a signed link."
)
class ExportResumeRowsPayload:
    url: str | None = strawberry.field(
        default=None, description="GET it before expiresAt; no auth needed."
    )
    expires_at: dt.datetime | None = strawberry.field(
        default=None, description="When the link stops working."
    )
    rows: int | None = strawberry.field(
        default=None, description="How many resumes the file holds."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )
