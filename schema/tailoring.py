"""GraphQL types of the tailoring domain: job keywords, the match of a resume to
a job description, tailoring's inputs and refinement report, cover letters and
outreach messages, and the organization's model settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry.types.unset import UNSET

from schema.base import UserError, values_described
from schema.letters import Violation
from schema.processing import MAY_GAIN, Engine

if TYPE_CHECKING:
    from models.tailoring import LlmConfig as LlmConfigRow
    from schema.resumes import ResumeNode
    from services.tailoring.keywords import JobKeywords as KeywordsRow
    from services.tailoring.match import Match


@values_described(
    INTERN="Intern or trainee.",
    JUNIOR="Junior, entry level or graduate.",
    MID="Mid level.",
    SENIOR="Senior.",
    STAFF="Staff.",
    PRINCIPAL="Principal.",
    LEAD="Tech or team lead.",
    DIRECTOR="Director, head of or VP.",
    MANAGER="Engineering, team or people manager.",
)
@strawberry.enum(description="The seniority a job description asks for." + MAY_GAIN)
class SeniorityLevel(Enum):
    INTERN = "Intern"
    JUNIOR = "Junior"
    MID = "Mid"
    SENIOR = "Senior"
    STAFF = "Staff"
    PRINCIPAL = "Principal"
    LEAD = "Lead"
    DIRECTOR = "Director"
    MANAGER = "Manager"


def _seniority(raw: str | None) -> SeniorityLevel | None:
    try:
        return SeniorityLevel(raw) if raw else None
    except ValueError:  # stored before the set was closed
        return None


@strawberry.type
class JobKeywords:
    required_skills: list[str]
    preferred_skills: list[str]
    keywords: list[str]
    key_responsibilities: list[str]
    experience_years: int | None
    seniority_level: SeniorityLevel | None = strawberry.field(
        description="From the title or the role sentence; null when none is named."
    )

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            required_skills=list(row.get("required_skills") or []),
            preferred_skills=list(row.get("preferred_skills") or []),
            keywords=list(row.get("keywords") or []),
            key_responsibilities=list(row.get("key_responsibilities") or []),
            experience_years=row.get("experience_years"),
            seniority_level=_seniority(row.get("seniority_level")),
        )

    @classmethod
    def from_row(cls, row: KeywordsRow) -> Self:
        return cls(
            required_skills=list(row.required_skills),
            preferred_skills=list(row.preferred_skills),
            keywords=list(row.keywords),
            key_responsibilities=list(row.key_responsibilities),
            experience_years=row.experience_years,
            seniority_level=_seniority(row.seniority_level),
        )


@strawberry.enum(description="Reasoning effort of reasoning models (OpenAI's scale).")
class ReasoningEffort(Enum):
    MINIMAL = strawberry.enum_value("minimal", description="As little as possible.")
    LOW = strawberry.enum_value("low", description="Low effort: faster, cheaper.")
    MEDIUM = strawberry.enum_value("medium", description="The usual balance.")
    HIGH = strawberry.enum_value("high", description="Most effort: slower.")


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


@strawberry.enum(description="How far tailoring may rewrite a resume.")
class TailorStrategy(Enum):
    NUDGE = "NUDGE"
    KEYWORDS = "KEYWORDS"
    FULL = "FULL"


@strawberry.enum(description="Which model engine runs LLM tasks.")
class LlmProvider(Enum):
    OFFLINE = strawberry.enum_value(
        "offline", description="The deterministic offline engine (no network)."
    )
    OPENAI = strawberry.enum_value("openai", description="An OpenAI-compatible server.")


@strawberry.type(name="LlmConfig", description="The organization's model settings.")
class LlmConfigType:
    provider: LlmProvider
    model: str
    api_key: str | None = strawberry.field(
        description="Masked: only the last four characters are ever shown."
    )
    api_base: str | None
    reasoning_effort: ReasoningEffort | None = strawberry.field(
        description="The reasoning effort asked of reasoning models; null: the "
        "model's default."
    )
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
            reasoning_effort=ReasoningEffort(row.reasoning_effort)
            if row.reasoning_effort
            else None,
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
    reasoning_effort: ReasoningEffort | None = strawberry.field(
        default=UNSET, description="null clears it (the model's default)."
    )
    enable_cover_letter: bool | None = UNSET
    enable_outreach: bool | None = UNSET
    content_language: str | None = UNSET
    default_strategy: TailorStrategy | None = UNSET


@strawberry.type
class UpdateLlmConfigPayload:
    llm_config: LlmConfigType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(
    description="What tailoring's passes did, with the match before and after."
)
class RefinementStats:
    passes_completed: int
    keywords_injected: int = strawberry.field(
        description="Job terms the master supports that pass 1 added."
    )
    injected_keywords: list[str]
    ai_phrases_removed: list[str] = strawberry.field(
        description="Stock phrases pass 2 replaced (ones the job uses are kept)."
    )
    alignment_violations_fixed: int = strawberry.field(
        description="Invented facts removed by the safety nets and pass 3."
    )
    violations: list[Violation]
    initial_match_percentage: float
    final_match_percentage: float
    before: ResumeMatch | None
    after: ResumeMatch | None
    engine: Engine | None = strawberry.field(description="What tailored the resume.")

    @classmethod
    def from_dict(cls, row: Mapping[str, Any], keywords: JobKeywords) -> Self:
        def match(value: Any) -> ResumeMatch | None:
            if not isinstance(value, Mapping):
                return None
            return ResumeMatch(
                percentage=value["percentage"],
                required_coverage=value["required_coverage"],
                preferred_coverage=value["preferred_coverage"],
                keyword_coverage=value["keyword_coverage"],
                matched=list(value["matched"]),
                missing=list(value["missing"]),
                unsupportable=list(value["unsupportable"]),
                keywords=keywords,
            )

        return cls(
            passes_completed=row.get("passesCompleted", 0),
            keywords_injected=row.get("keywordsInjected", 0),
            injected_keywords=list(row.get("injectedKeywords") or []),
            ai_phrases_removed=list(row.get("aiPhrasesRemoved") or []),
            alignment_violations_fixed=row.get("alignmentViolationsFixed", 0),
            violations=[Violation.from_dict(v) for v in row.get("violations") or []],
            initial_match_percentage=row.get("initialMatchPercentage", 0.0),
            final_match_percentage=row.get("finalMatchPercentage", 0.0),
            before=match(row.get("before")),
            after=match(row.get("after")),
            engine=Engine.parse(row.get("engine")),
        )


@strawberry.input
class TailorResumeInput:
    job_description: str = strawberry.field(description="100 to 8,000 words.")
    resume_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the master resume."
    )
    strategy: TailorStrategy | None = strawberry.field(
        default=None,
        description="NUDGE: reorder toward the job; KEYWORDS: also reorder and "
        "reword bullets; FULL: also rewrite the summary. Default: the "
        "organization's defaultStrategy.",
    )
    output_language: str | None = strawberry.field(
        default=None,
        description="BCP 47 tag. Default: the organization's contentLanguage. "
        "Another language than the resume's needs the Pro plan.",
    )
    generate_pdf: bool = strawberry.field(
        default=False, description="Render and cache the PDF when done."
    )
    wait: bool = strawberry.field(
        default=False,
        description="Answer when the run ends (READY, or FAILED with its code in "
        "userErrors) instead of at once; after TAILOR_TIMEOUT (240 s) the answer "
        "is TIMEOUT with the resume still PROCESSING (the run goes on).",
    )


@strawberry.input
class RenderResumePdfInput:
    resume_id: strawberry.ID
    theme: str | None = strawberry.field(
        default=None,
        description="classic, modern, noto (CJK), terminal or executive (the last "
        "two need Starter). Default: the profile's theme.",
    )


@strawberry.type(description="A rendered PDF behind an expiring signed link.")
class ResumePdf:
    url: str = strawberry.field(description="GET it before expiresAt; no auth needed.")
    expires_at: dt.datetime
    theme: str
    content_hash: str = strawberry.field(
        description="Same content and theme, same hash: rendered once, then cached."
    )
    cached: bool
    pages: int
    size: int


@strawberry.type(description="The result of renderResumePdf.")
class RenderResumePdfPayload:
    pdf: ResumePdf | None = strawberry.field(
        default=None, description="The PDF; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures; empty on success."
    )
    resume: Annotated[ResumeNode, strawberry.lazy("schema.resumes")] | None = (
        strawberry.field(
            default=None,
            description="The resume asked about, with every answer, refusals "
            "(PLAN_REQUIRED for a theme) included; null when there is none.",
        )
    )


# moved to schema.letters; re-exported for the modules that import them from here
from schema.letters import CoverLetter as CoverLetter  # noqa: E402
from schema.letters import CoverLetterPayload as CoverLetterPayload  # noqa: E402
from schema.letters import DeleteLetterPayload as DeleteLetterPayload  # noqa: E402
from schema.letters import OutreachMessage as OutreachMessage  # noqa: E402
from schema.letters import OutreachMessagePayload as OutreachMessagePayload  # noqa: E402
