"""GraphQL types of the tailoring domain: job keywords and the match of a resume
to a job description."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

import strawberry

if TYPE_CHECKING:
    from services.tailoring.keywords import JobKeywords as KeywordsRow
    from services.tailoring.match import Match


@strawberry.type
class JobKeywords:
    required_skills: list[str]
    preferred_skills: list[str]
    keywords: list[str]
    key_responsibilities: list[str]
    experience_years: int | None
    seniority_level: str | None

    @classmethod
    def from_row(cls, row: KeywordsRow) -> Self:
        return cls(
            required_skills=list(row.required_skills),
            preferred_skills=list(row.preferred_skills),
            keywords=list(row.keywords),
            key_responsibilities=list(row.key_responsibilities),
            experience_years=row.experience_years,
            seniority_level=row.seniority_level,
        )


@strawberry.type(description="How well a resume covers a job description.")
class ResumeMatch:
    percentage: float = strawberry.field(
        description="Weighted: required 60 %, preferred 20 %, keywords 20 %."
    )
    required_coverage: float
    preferred_coverage: float
    keyword_coverage: float
    matched: list[str] = strawberry.field(description="Job terms the resume has.")
    missing: list[str] = strawberry.field(description="Job terms the resume lacks.")
    unsupportable: list[str] = strawberry.field(
        description="Missing terms the master resume lacks too: tailoring will "
        "never add them."
    )
    keywords: JobKeywords

    @classmethod
    def from_match(cls, match: Match, keywords: KeywordsRow) -> Self:
        return cls(
            percentage=match.percentage,
            required_coverage=match.required_coverage,
            preferred_coverage=match.preferred_coverage,
            keyword_coverage=match.keyword_coverage,
            matched=list(match.matched),
            missing=list(match.missing),
            unsupportable=list(match.unsupportable),
            keywords=JobKeywords.from_row(keywords),
        )
