"""What drafts a tailored resume and writes letters: the deterministic offline
engine (no key, no network) or an OpenAI-compatible model.

Either engine only drafts. Whatever it returns goes through the safety nets and
the three passes (`services.tailoring.refine`), so a model that invents a skill,
an employer or a number has it removed and counted. A model that is down, slow
or answers with something that is not the asked-for JSON raises
`LlmUnavailable` (after one more try), never a broken document.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from services.documents.resumedata import RESUME_DATA_SCHEMA, validate_resume_data
from services.errors import ServiceError, ValidationFailed
from services.llm import config as llm_config
from services.llm.openai_engine import ModelUnavailable, OpenAIEngine
from services.tailoring.jobinfo import JobInfo
from services.tailoring.keywords import JobKeywords, find_terms
from settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "LlmUnavailable",
    "ModelTailor",
    "OfflineTailor",
    "TailorEngine",
    "engine_for",
    "model_for",
]


class LlmUnavailable(ServiceError):
    code = "LLM_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    content: str


class TailorEngine(Protocol):
    name: str

    async def rewrite(
        self,
        *,
        source: Mapping[str, Any],
        keywords: JobKeywords,
        strategy: str,
        language: str,
        job_description: str,
    ) -> dict[str, Any]: ...

    async def letter(
        self,
        *,
        kind: str,
        resume: Mapping[str, Any],
        job: JobInfo,
        keywords: JobKeywords,
        language: str,
        job_description: str,
    ) -> Letter: ...


# -- offline ---------------------------------------------------------------------------


def _weights(keywords: JobKeywords) -> dict[str, int]:
    weights: dict[str, int] = {}
    for terms, weight in (
        (keywords.keywords, 1),
        (keywords.preferred_skills, 2),
        (keywords.required_skills, 3),
    ):
        for term in terms:
            weights[term] = max(weights.get(term, 0), weight)
    return weights


def _relevance(text: str, weights: dict[str, int]) -> int:
    return sum(weights.get(term, 0) for term in find_terms(text))


def _by_relevance(items: list[Any], weights: dict[str, int]) -> list[Any]:
    """Most relevant first; ties keep their order (stable)."""

    def score(item: Any) -> int:
        if isinstance(item, str):
            return _relevance(item, weights)
        if isinstance(item, Mapping):
            return _relevance(json.dumps(item, ensure_ascii=False), weights)
        return 0

    return sorted(items, key=score, reverse=True)


def _matched_skills(data: Mapping[str, Any], weights: dict[str, int]) -> list[str]:
    skills = (data.get("additional") or {}).get("technicalSkills") or []
    return [s for s in _by_relevance(list(skills), weights) if _relevance(s, weights)]


def _series(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


class OfflineTailor:
    """Deterministic: reorders and selects what the resume says, by the job's
    terms, and writes letters from templates filled with the resume's own facts.
    It does not translate."""

    name = "offline"

    async def rewrite(
        self,
        *,
        source: Mapping[str, Any],
        keywords: JobKeywords,
        strategy: str,
        language: str,
        job_description: str,
    ) -> dict[str, Any]:
        data: dict[str, Any] = copy.deepcopy(dict(source))
        weights = _weights(keywords)
        additional = data.setdefault("additional", {})
        additional["technicalSkills"] = _by_relevance(
            list(additional.get("technicalSkills") or []), weights
        )
        if strategy in ("KEYWORDS", "FULL"):
            for section in ("workExperience", "personalProjects"):
                for entry in data.get(section) or []:
                    if isinstance(entry, dict) and entry.get("description"):
                        entry["description"] = _by_relevance(
                            list(entry["description"]), weights
                        )
        if strategy == "FULL":
            data["personalProjects"] = _by_relevance(
                list(data.get("personalProjects") or []), weights
            )
            data["summary"] = self._summary(data, weights)
        return data

    @staticmethod
    def _summary(data: Mapping[str, Any], weights: dict[str, int]) -> str:
        info = data.get("personalInfo") or {}
        jobs = data.get("workExperience") or []
        title = str(info.get("title") or (jobs[0].get("title") if jobs else "") or "")
        skills = _matched_skills(data, weights)[:6]
        sentences = []
        if title and skills:
            sentences.append(
                f"{title.strip().rstrip('.')} working with {_series(skills)}."
            )
        original = re.split(r"(?<=[.!?])\s+", str(data.get("summary") or "").strip())
        sentences.extend(_by_relevance([s for s in original if s], weights))
        return " ".join(sentences)

    async def letter(
        self,
        *,
        kind: str,
        resume: Mapping[str, Any],
        job: JobInfo,
        keywords: JobKeywords,
        language: str,
        job_description: str,
    ) -> Letter:
        weights = _weights(keywords)
        info = resume.get("personalInfo") or {}
        name = str(info.get("name") or "").strip()
        skills = _matched_skills(resume, weights)[:5]
        role = f"the {job.title} role" if job.title else "this role"
        team = f"{job.company} team" if job.company else "hiring team"
        if kind == "OUTREACH":
            own = str(info.get("title") or "").strip()
            intro = f"I'm {name}" + (f", {own}" if own else "")
            line = f"Hi {team}, {intro}."
            if skills:
                line += f" I work with {_series(skills)}."
            line += f" I'm interested in {role} and would welcome a short conversation."
            contact = str(info.get("email") or "").strip()
            content = line + (f" You can reach me at {contact}." if contact else "")
            return Letter(subject=f"About {role}", content=content)
        paragraphs = [f"Dear {team},"]
        opening = f"I am writing to apply for {role}"
        opening += f" at {job.company}." if job.company else "."
        summary = re.split(r"(?<=[.!?])\s+", str(resume.get("summary") or "").strip())
        if summary and summary[0]:
            opening += " " + summary[0]
        paragraphs.append(opening)
        for job_entry in (resume.get("workExperience") or [])[:2]:
            bullets = _by_relevance(list(job_entry.get("description") or []), weights)
            title = str(job_entry.get("title") or "").strip()
            company = str(job_entry.get("company") or "").strip()
            if not (bullets and title and company):
                continue
            sentence = f"As {title} at {company}, I {_lower_first(bullets[0])}."
            if len(bullets) > 1:
                sentence += f" I also {_lower_first(bullets[1])}."
            paragraphs.append(sentence)
        if skills:
            paragraphs.append(
                f"My experience with {_series(skills)} matches what the role asks for."
            )
        closing = "I would welcome the chance to discuss how I can contribute"
        paragraphs.append(closing + (f" to {job.company}." if job.company else "."))
        paragraphs.append(f"Sincerely,\n{name}" if name else "Sincerely,")
        return Letter(subject=f"Application: {role}", content="\n\n".join(paragraphs))


# -- a model ---------------------------------------------------------------------------

REWRITE_PROMPT = (
    "You tailor a resume to a job description. Return the whole resume as JSON "
    "in the given schema. Strategy NUDGE: minimal edits; KEYWORDS: reword bullets "
    "toward the job's terms; FULL: rewrite summary and bullets. Use only facts in "
    "the resume: never add a skill, employer, school, certification, date or "
    "number that it does not state. Write in the language {language}."
)
LETTER_PROMPT = (
    "Write a {kind} from the candidate to the employer for the job below, as JSON "
    '{{"subject": ..., "content": ...}}. Use only facts in the resume: never claim '
    "a skill, employer, school, certification or number it does not state. "
    "Write in the language {language}. {length}"
)
LETTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "subject": {"type": "string", "maxLength": 200},
        "content": {"type": "string", "maxLength": 8000},
    },
    "required": ["subject", "content"],
    "additionalProperties": False,
}


@dataclass(slots=True)
class ModelTailor:
    model: OpenAIEngine
    tries: int = 2
    name: str = "openai"

    async def _ask(
        self, *, system: str, user: str, schema_name: str, schema: dict[str, Any]
    ) -> dict[str, Any]:
        problem = ""
        for _ in range(self.tries):
            try:
                answer = await self.model.complete_json(
                    system=system, user=user, schema_name=schema_name, schema=schema
                )
            except ModelUnavailable as exc:
                problem = str(exc)
                continue
            if not isinstance(answer, dict):
                problem = "the model's JSON is not an object"
                continue
            if schema_name == "ResumeData":
                errors = validate_resume_data(answer)
            else:
                errors = [
                    f"{key} is missing"
                    for key in ("subject", "content")
                    if not isinstance(answer.get(key), str)
                ]
            if not errors:
                return answer
            problem = "the model's JSON does not fit the schema: " + errors[0]
        log.warning("model %s unavailable: %s", self.model.model, problem)
        raise LlmUnavailable(f"The language model is unavailable ({problem})")

    async def rewrite(
        self,
        *,
        source: Mapping[str, Any],
        keywords: JobKeywords,
        strategy: str,
        language: str,
        job_description: str,
    ) -> dict[str, Any]:
        user = json.dumps(
            {"strategy": strategy, "jobDescription": job_description, "resume": source},
            ensure_ascii=False,
        )
        return await self._ask(
            system=REWRITE_PROMPT.format(language=language),
            user=user,
            schema_name="ResumeData",
            schema=RESUME_DATA_SCHEMA,
        )

    async def letter(
        self,
        *,
        kind: str,
        resume: Mapping[str, Any],
        job: JobInfo,
        keywords: JobKeywords,
        language: str,
        job_description: str,
    ) -> Letter:
        what = "cover letter" if kind == "COVER_LETTER" else "short outreach message"
        length = "At most 400 words." if kind == "COVER_LETTER" else "At most 80 words."
        user = json.dumps(
            {
                "company": job.company,
                "jobDescription": job_description,
                "resume": resume,
            },
            ensure_ascii=False,
        )
        answer = await self._ask(
            system=LETTER_PROMPT.format(kind=what, language=language, length=length),
            user=user,
            schema_name="Letter",
            schema=LETTER_SCHEMA,
        )
        return Letter(subject=answer["subject"], content=answer["content"])


async def model_for(*, organization_id: int, settings: Settings) -> OpenAIEngine | None:
    """The organization's own model when it configured one, else the instance's
    (`LLM_PROVIDER=openai`), else None (offline). An organization's apiBase is
    checked again here: its name may resolve elsewhere than when it was saved."""
    config = await llm_config.get_config(
        organization_id=organization_id, default_provider=settings.llm_provider
    )
    if config.provider != "openai":
        return None
    if not (config.api_key_encrypted or config.api_base):  # the instance's model
        return OpenAIEngine(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=config.model or settings.llm_model or "gpt-4o-mini",
            timeout=settings.llm_timeout,
        )
    if config.api_base:
        try:
            await llm_config.check_api_base(
                config.api_base, allow_private=settings.allow_private_llm_hosts
            )
        except ValidationFailed as exc:
            raise LlmUnavailable(exc.message) from None
    key = llm_config.decrypt_key(settings.secret_key, config.api_key_encrypted)
    return OpenAIEngine(
        base_url=config.api_base,
        api_key=key or "",
        model=config.model or settings.llm_model or "gpt-4o-mini",
        timeout=settings.llm_timeout,
    )


async def engine_for(*, organization_id: int, settings: Settings) -> TailorEngine:
    """A model (`model_for`) as a tailoring engine, or the offline engine."""
    model = await model_for(organization_id=organization_id, settings=settings)
    return ModelTailor(model) if model is not None else OfflineTailor()
