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

from schema.base import UserError
from schema.docs import describe_values
from schema.letters import Violation
from schema.presentation import ThemeKey
from schema.processing import MAY_GAIN, Engine

if TYPE_CHECKING:
    from models.tailoring import LlmConfig as LlmConfigRow
    from schema.resumes import ResumeNode
    from services.tailoring.keywords import JobKeywords as KeywordsRow
    from services.tailoring.match import Match


@describe_values(
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


@strawberry.type(description="The terms of a job description, as tailoring reads them.")
class JobKeywords:
    required_skills: list[str] = strawberry.field(
        description="Skills the job requires."
    )
    preferred_skills: list[str] = strawberry.field(
        description="Skills the job prefers (nice to have)."
    )
    keywords: list[str] = strawberry.field(
        description="Other terms of the job (tools, domains, methods)."
    )
    key_responsibilities: list[str] = strawberry.field(
        description="What the job does, in short phrases."
    )
    experience_years: int | None = strawberry.field(
        description="Years of experience asked for; null when none."
    )
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
    required_coverage: float = strawberry.field(
        description="Share of the required skills the resume has, 0-1."
    )
    preferred_coverage: float = strawberry.field(
        description="Share of the preferred skills it has, 0-1."
    )
    keyword_coverage: float = strawberry.field(
        description="Share of the other terms it has, 0-1."
    )
    matched: list[str] = strawberry.field(description="Job terms the resume has.")
    missing: list[str] = strawberry.field(description="Job terms the resume lacks.")
    unsupportable: list[str] = strawberry.field(
        description="Missing terms the master resume lacks too: tailoring will "
        "never add them."
    )
    keywords: JobKeywords = strawberry.field(description="The job description's terms.")

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


@describe_values(
    NUDGE="Reorder toward the job; the wording stays.",
    KEYWORDS="Also reorder and reword bullets with the job's terms.",
    FULL="Also rewrite the summary.",
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
    provider: LlmProvider = strawberry.field(description="Which engine runs LLM tasks.")
    model: str = strawberry.field(description="The model name at the provider.")
    api_key: str | None = strawberry.field(
        description="Masked: only the last four characters are ever shown."
    )
    api_base: str | None = strawberry.field(
        description="OpenAI-compatible base URL; null: the default."
    )
    reasoning_effort: ReasoningEffort | None = strawberry.field(
        description="The reasoning effort asked of reasoning models; null: the "
        "model's default."
    )
    enable_cover_letter: bool = strawberry.field(
        description="Tailoring writes a cover letter too."
    )
    enable_outreach: bool = strawberry.field(
        description="Tailoring writes an outreach message too."
    )
    content_language: str = strawberry.field(
        description="BCP 47 tag tailoring writes in by default."
    )
    default_strategy: TailorStrategy = strawberry.field(
        description="The strategy when tailorResume names none."
    )

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
    provider: LlmProvider | None = strawberry.field(
        default=UNSET, description="Which engine runs LLM tasks."
    )
    model: str | None = strawberry.field(
        default=UNSET, description="The model name, at most 100 characters."
    )
    api_key: str | None = strawberry.field(
        default=UNSET, description='Stored encrypted; null (or "") clears it.'
    )
    api_base: str | None = strawberry.field(
        default=UNSET,
        description="OpenAI-compatible base URL; public addresses only unless the "
        'instance allows private ones. null (or "") clears it.',
    )
    reasoning_effort: ReasoningEffort | None = strawberry.field(
        default=UNSET, description="null clears it (the model's default)."
    )
    enable_cover_letter: bool | None = strawberry.field(
        default=UNSET, description="Tailoring writes a cover letter too."
    )
    enable_outreach: bool | None = strawberry.field(
        default=UNSET, description="Tailoring writes an outreach message too."
    )
    content_language: str | None = strawberry.field(
        default=UNSET, description="BCP 47 tag tailoring writes in by default."
    )
    default_strategy: TailorStrategy | None = strawberry.field(
        default=UNSET, description="The strategy when tailorResume names none."
    )


@strawberry.type(description="The result of updateLlmConfig.")
class UpdateLlmConfigPayload:
    llm_config: LlmConfigType | None = strawberry.field(
        default=None, description="The settings after the change; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )


@strawberry.type(
    description="What tailoring's passes did, with the match before and after."
)
class RefinementStats:
    passes_completed: int = strawberry.field(
        description="How many of the three passes ran."
    )
    keywords_injected: int = strawberry.field(
        description="Job terms the master supports that pass 1 added."
    )
    injected_keywords: list[str] = strawberry.field(
        description="The job terms pass 1 added."
    )
    ai_phrases_removed: list[str] = strawberry.field(
        description="Stock phrases pass 2 replaced (ones the job uses are kept)."
    )
    alignment_violations_fixed: int = strawberry.field(
        description="Invented facts removed by the safety nets and pass 3."
    )
    violations: list[Violation] = strawberry.field(
        description="Every invented fact removed."
    )
    initial_match_percentage: float = strawberry.field(
        description="The match of the source resume."
    )
    final_match_percentage: float = strawberry.field(
        description="The match of the tailored resume."
    )
    before: ResumeMatch | None = strawberry.field(
        description="The source resume's match in detail."
    )
    after: ResumeMatch | None = strawberry.field(
        description="The tailored resume's match in detail."
    )
    engine: Engine | None = strawberry.field(description="What tailored the resume.")

    @classmethod
    def from_dict(cls, row: Mapping[str, Any], keywords: JobKeywords) -> Self:
        """From a stored report (`services.tailoring.report`)."""
        from services.tailoring.report import RefinementReport

        report = RefinementReport.from_stored(row)

        def match(value: Match | None) -> ResumeMatch | None:
            if value is None:
                return None
            return ResumeMatch(
                percentage=value.percentage,
                required_coverage=value.required_coverage,
                preferred_coverage=value.preferred_coverage,
                keyword_coverage=value.keyword_coverage,
                matched=list(value.matched),
                missing=list(value.missing),
                unsupportable=list(value.unsupportable),
                keywords=keywords,
            )

        return cls(
            passes_completed=report.passes_completed,
            keywords_injected=report.keywords_injected,
            injected_keywords=report.injected_keywords,
            ai_phrases_removed=report.ai_phrases_removed,
            alignment_violations_fixed=report.alignment_violations_fixed,
            violations=[
                Violation.of(v.kind, v.value, v.location) for v in report.violations
            ],
            initial_match_percentage=report.initial_match_percentage,
            final_match_percentage=report.final_match_percentage,
            before=match(report.before),
            after=match(report.after),
            engine=Engine.parse(report.engine),
        )


@strawberry.input(description="What to tailor, for which job.")
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


@strawberry.input(description="The resume to render, and how.")
class RenderResumePdfInput:
    resume_id: strawberry.ID = strawberry.field(
        description="A READY resume of the organization."
    )
    theme: ThemeKey | None = strawberry.field(
        default=None,
        description="The theme; TERMINAL and EXECUTIVE need Starter. Default: the "
        "profile's theme.",
    )


@strawberry.type(description="A rendered PDF behind an expiring signed link.")
class ResumePdf:
    url: str = strawberry.field(description="GET it before expiresAt; no auth needed.")
    expires_at: dt.datetime = strawberry.field(
        description="When the link stops working."
    )
    theme: ThemeKey = strawberry.field(description="The theme it was rendered with.")
    content_hash: str = strawberry.field(
        description="Same content and theme, same hash: rendered once, then cached."
    )
    cached: bool = strawberry.field(
        description="Served from the cache, not rendered now."
    )
    pages: int = strawberry.field(description="How many pages it has.")
    size: int = strawberry.field(description="Its size in bytes.")


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
