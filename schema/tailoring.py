"""GraphQL types of the tailoring domain: job keywords and the match of a resume
to a job description."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry.types.unset import UNSET

from schema.base import UserError

if TYPE_CHECKING:
    from models.tailoring import LlmConfig as LlmConfigRow
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


@strawberry.enum
class TailorStrategy(Enum):
    NUDGE = "NUDGE"
    KEYWORDS = "KEYWORDS"
    FULL = "FULL"


@strawberry.enum
class LlmProvider(Enum):
    OFFLINE = "offline"
    OPENAI = "openai"


@strawberry.type(name="LlmConfig", description="The organization's model settings.")
class LlmConfigType:
    provider: LlmProvider
    model: str
    api_key: str | None = strawberry.field(
        description="Masked: only the last four characters are ever shown."
    )
    api_base: str | None
    reasoning_effort: str | None
    enable_cover_letter: bool
    enable_outreach: bool
    content_language: str
    default_strategy: TailorStrategy

    @classmethod
    def from_row(cls, row: LlmConfigRow, masked_key: str | None) -> Self:
        return cls(
            provider=LlmProvider(row.provider),
            model=row.model,
            api_key=masked_key,
            api_base=row.api_base or None,
            reasoning_effort=row.reasoning_effort or None,
            enable_cover_letter=row.enable_cover_letter,
            enable_outreach=row.enable_outreach,
            content_language=row.content_language,
            default_strategy=TailorStrategy(row.default_strategy),
        )


@strawberry.input(description="Fields left out keep their values.")
class UpdateLlmConfigInput:
    provider: LlmProvider | None = UNSET
    model: str | None = UNSET
    api_key: str | None = strawberry.field(
        default=UNSET, description="Stored encrypted; empty string clears it."
    )
    api_base: str | None = strawberry.field(
        default=UNSET,
        description="OpenAI-compatible base URL; public addresses only unless the "
        "instance allows private ones. Empty string clears it.",
    )
    reasoning_effort: str | None = UNSET
    enable_cover_letter: bool | None = UNSET
    enable_outreach: bool | None = UNSET
    content_language: str | None = UNSET
    default_strategy: TailorStrategy | None = UNSET


@strawberry.type
class UpdateLlmConfigPayload:
    llm_config: LlmConfigType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
