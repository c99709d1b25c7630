"""How well a resume covers a job description's terms.

This module owns the resume side of matching: the text of a ResumeData document
(`resume_text`), the vocabulary terms it supports (`resume_terms`, `supports`),
and `match_resume`, which scores a resume against `JobKeywords`. The score is
explainable: coverage of the job's required skills, preferred skills and domain
keywords, weighted 0.6 / 0.2 / 0.2 over the categories that have terms. Within
the required skills, the role the posting's title names (`role_terms`) counts
for a third (`ROLE_SHARE`): full credit when the resume has held that role (its
headline or a job title names it), half when it only shows it (a bullet, a
skill, or a title implying it: a full-stack developer for a front-end role). A
group of alternatives ("Vitest or Jest") counts once and is met by any member.
The job's seniority and years of experience do not enter the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.tailoring.keywords import JobKeywords, find_terms, term_canonical

__all__ = ["Match", "match_resume", "resume_terms", "resume_text", "supports"]

WEIGHTS = {"required": 0.6, "preferred": 0.2, "keywords": 0.2}
ROLE_SHARE = 1 / 3
HELD, SHOWN = 1.0, 0.5  # role credit: named in a title / shown elsewhere

_DATABASES = (
    "SQL",
    "NoSQL",
    "PostgreSQL",
    "MySQL",
    "SQLite",
    "SQL Server",
    "Oracle",
    "MongoDB",
    "Redis",
    "Cassandra",
    "DynamoDB",
    "Elasticsearch",
    "Firestore",
    "Firebase",
    "Supabase",
    "Neo4j",
    "BigQuery",
    "Snowflake",
)

# A resume showing the key also shows the values: the specific implies the
# general (PostgreSQL is SQL, Next.js is React), never the other way round.
IMPLIES: dict[str, tuple[str, ...]] = {
    "PostgreSQL": ("SQL",),
    "MySQL": ("SQL",),
    "SQLite": ("SQL",),
    "SQL Server": ("SQL", "databases"),
    "PL/SQL": ("SQL",),
    "T-SQL": ("SQL",),
    "REST APIs": ("API",),
    "GraphQL": ("API",),
    "gRPC": ("API",),
    "Next.js": ("React",),
    "React Native": ("React",),
    "Redux": ("React", "State management"),
    "Nuxt.js": ("Vue.js",),
    "Express.js": ("Node.js",),
    "NestJS": ("Node.js",),
    "TypeScript": ("JavaScript",),
    "React": ("JavaScript",),
    "Vue.js": ("JavaScript",),
    "Angular": ("JavaScript",),
    "Svelte": ("JavaScript",),
    "jQuery": ("JavaScript",),
    "Node.js": ("JavaScript",),
    "D3.js": ("JavaScript",),
    "HTML/CSS": ("HTML", "CSS"),
    "Sass": ("CSS",),
    "Less": ("CSS",),
    "Tailwind CSS": ("CSS",),
    "Bootstrap": ("CSS",),
    "CSS-in-JS": ("CSS",),
    "MobX": ("State management",),
    "Zustand": ("State management", "React"),
    "Vuex": ("State management", "Vue.js"),
    "Pinia": ("State management", "Vue.js"),
    "NgRx": ("State management", "Angular"),
    "Spring Boot": ("Spring", "Java"),
    "Spring MVC": ("Spring", "Java"),
    "J2EE": ("Java",),
    "Full stack": ("Front-end", "Back-end"),
    "UI/UX": ("UI design", "UX design"),
    "Test-Driven Development": ("Unit testing",),
    "Jest": ("Unit testing",),
    "Vitest": ("Unit testing",),
    "JUnit": ("Unit testing",),
    "pytest": ("Unit testing",),
    "Mocha": ("Unit testing",),
    "Playwright": ("End-to-end testing",),
    "Cypress": ("End-to-end testing",),
    "A/B testing": ("Experimentation",),
    "Scrum": ("Agile",),
    "Kanban": ("Agile",),
    "Sprint planning": ("Agile",),
    "Mixpanel": ("Analytics",),
    "Amplitude": ("Analytics",),
    "Google Analytics": ("Analytics",),
    "Funnel analysis": ("Analytics",),
    "Competitive analysis": ("Market research",),
    "Deep Learning": ("Machine Learning",),
    "PyTorch": ("Deep Learning", "Machine Learning"),
    "TensorFlow": ("Deep Learning", "Machine Learning"),
    "Keras": ("Deep Learning", "Machine Learning"),
    "scikit-learn": ("Machine Learning",),
    "Data Analysis": ("Analytics",),
    "EKS": ("Kubernetes",),
    "GitHub Actions": ("CI/CD",),
    "CircleCI": ("CI/CD",),
    "Jenkins": ("CI/CD",),
    "GitLab CI": ("CI/CD",),
    "Power BI": ("dashboards",),
    "Tableau": ("dashboards",),
    "Looker": ("dashboards",),
    **{db: ("databases",) for db in _DATABASES if db != "SQL Server"},
}
# A resume showing all the values also shows the key.
JOINT: dict[str, tuple[str, ...]] = {"HTML/CSS": ("HTML", "CSS")}


@dataclass(frozen=True)
class Match:
    percentage: float
    required_coverage: float
    preferred_coverage: float
    keyword_coverage: float
    matched: list[str]
    missing: list[str]
    unsupportable: list[str]
    # How far the resume fits the posting's role (`JobKeywords.role_terms`):
    # 100 held, 50 shown, 0 absent; None when the title names no skill.
    role_fit: float | None = None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        if value.strip():
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _fields(entry: Any, keys: tuple[str, ...]) -> Iterable[str]:
    if isinstance(entry, Mapping):
        for key in keys:
            yield from _strings(entry.get(key))


def resume_text(data: Mapping[str, Any]) -> str:
    """The searchable text of a ResumeData dict: title, summary, work titles,
    companies and bullets, education degrees and notes, projects, the skill and
    other `additional` lists and custom sections. One piece a line; list items
    joined with ", " so a lone "Go" or "R" skill reads as a list entry. Dates,
    contact details and links are left out."""
    lines: list[str] = []
    lines.extend(_fields(data.get("personalInfo"), ("title",)))
    lines.extend(_strings(data.get("summary")))
    for job in data.get("workExperience") or []:
        lines.extend(_fields(job, ("title", "company", "description")))
    for school in data.get("education") or []:
        lines.extend(_fields(school, ("degree", "description")))
    for project in data.get("personalProjects") or []:
        lines.extend(_fields(project, ("name", "role", "description")))
    additional = data.get("additional")
    if isinstance(additional, Mapping):
        for key in ("technicalSkills", "languages", "certificationsTraining", "awards"):
            items = list(_strings(additional.get(key)))
            if items:
                lines.append(", ".join(items))
    sections = data.get("customSections")
    if isinstance(sections, Mapping):
        for section in sections.values():
            lines.extend(_fields(section, ("title",)))
            if isinstance(section, Mapping):
                items = list(_strings(section.get("items")))
                if items:
                    lines.append(", ".join(items))
    return "\n".join(lines)


def _with_implied(found: set[str]) -> set[str]:
    found = set(found)
    pending = list(found)
    while pending:
        while pending:
            for implied in IMPLIES.get(pending.pop(), ()):
                if implied not in found:
                    found.add(implied)
                    pending.append(implied)
        for key, parts in JOINT.items():
            if key not in found and all(part in found for part in parts):
                found.add(key)
                pending.append(key)
    return found


def resume_terms(data: Mapping[str, Any]) -> set[str]:
    """Canonical vocabulary terms (skills and keywords) present in `data`,
    with the general terms they imply (`IMPLIES`, `JOINT`)."""
    return _with_implied(set(find_terms(resume_text(data))))


def _title_terms(data: Mapping[str, Any]) -> set[str]:
    """The terms of the roles `data` has held: its headline and job titles."""
    titles = list(_fields(data.get("personalInfo"), ("title",)))
    for job in data.get("workExperience") or []:
        titles.extend(_fields(job, ("title",)))
    return set(find_terms("\n".join(titles)))


def supports(
    data: Mapping[str, Any], term: str, *, terms: set[str] | None = None
) -> bool:
    """Whether `data` shows `term` (or an alias of it). A term outside the
    vocabulary is looked for literally, with word boundaries, case-insensitively.
    `terms` may pass a precomputed `resume_terms(data)`."""
    canonical = term_canonical(term)
    known = resume_terms(data) if terms is None else terms
    if canonical in known:
        return True
    if find_terms(canonical):
        return False  # a vocabulary term: only its aliases count
    pattern = rf"(?<![\w+#]){re.escape(term.strip())}(?![\w+#])"
    return re.search(pattern, resume_text(data), re.IGNORECASE) is not None


def _slots(terms: list[str], alternatives: list[list[str]]) -> list[list[str]]:
    """`terms` as requirements: a group of alternatives is one, the others one
    each."""
    slots: list[list[str]] = []
    seen: set[str] = set()
    for term in terms:
        if term in seen:
            continue
        group = next((g for g in alternatives if term in g), [term])
        slot = [t for t in group if t in terms and t not in seen]
        seen.update(slot)
        slots.append(slot)
    return slots


def _coverage(slots: list[list[str]], present: set[str]) -> float:
    if not slots:
        return 100.0
    met = sum(any(term in present for term in slot) for slot in slots)
    return round(100.0 * met / len(slots), 1)


def _role_fit(
    role: list[str], data: Mapping[str, Any], present: set[str]
) -> float | None:
    if not role:
        return None
    held = _title_terms(data)
    credit = [HELD if t in held else SHOWN if t in present else 0.0 for t in role]
    return round(100.0 * sum(credit) / len(credit), 1)


def match_resume(
    *,
    resume: dict[str, Any],
    master: dict[str, Any] | None,
    keywords: JobKeywords,
) -> Match:
    """Coverage of the job's terms by `resume`. `missing` terms are absent from
    `resume` (an alternative is not missing when another of its group is
    there); `unsupportable` ones are absent from `master` too (the full profile
    the resume was cut from; `resume` itself when None), so tailoring cannot
    honestly add them."""
    master = resume if master is None else master
    resume_known = resume_terms(resume)
    master_known = resume_terms(master)
    role = [t for t in keywords.role_terms if t in keywords.required_skills]
    categories = {
        "required": keywords.required_skills,
        "preferred": keywords.preferred_skills,
        "keywords": keywords.keywords,
    }
    ordered: list[str] = []
    for terms in categories.values():
        ordered.extend(term for term in terms if term not in ordered)
    present = {t for t in ordered if supports(resume, t, terms=resume_known)}
    covered = {
        t
        for group in keywords.alternatives
        if any(member in present for member in group)
        for t in group
    }
    matched = [term for term in ordered if term in present]
    missing = [term for term in ordered if term not in present | covered]
    unsupportable = [
        term for term in missing if not supports(master, term, terms=master_known)
    ]
    coverage = {
        name: _coverage(
            _slots([t for t in terms if t not in role], keywords.alternatives),
            present,
        )
        for name, terms in categories.items()
    }
    role_fit = _role_fit(role, resume, present)
    if role_fit is not None:
        rest = [t for t in keywords.required_skills if t not in role]
        share = ROLE_SHARE if rest else 1.0
        coverage["required"] = round(
            share * role_fit + (1 - share) * coverage["required"], 1
        )
    weight = sum(WEIGHTS[name] for name, terms in categories.items() if terms)
    if weight:
        score = sum(
            WEIGHTS[name] * coverage[name]
            for name, terms in categories.items()
            if terms
        )
        percentage = round(score / weight, 1)
    else:
        percentage = 100.0
    return Match(
        percentage=percentage,
        required_coverage=coverage["required"],
        preferred_coverage=coverage["preferred"],
        keyword_coverage=coverage["keywords"],
        matched=matched,
        missing=missing,
        unsupportable=unsupportable,
        role_fit=role_fit,
    )
