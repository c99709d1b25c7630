"""Tests of the offline job-keyword extractor and resume matching."""

from __future__ import annotations

from typing import Any

from services.tailoring.keywords import extract_keywords, tokenize
from services.tailoring.match import match_resume, resume_terms, supports

JD = """Senior Backend Engineer

Requirements:
- 5+ years with C++, C#, .NET and Node.js
- Services in Python, Go and R
- CI/CD pipelines and A/B testing experience
- Must know k8s and postgres

Nice to have:
- Experience with golang tooling and js frameworks
- Kafka is a plus

Responsibilities:
- Build payments microservices for our SaaS API
- Improve scalability of the platform
"""


def _skills(text: str) -> list[str]:
    k = extract_keywords(job_description=text)
    return k.required_skills + k.preferred_skills


def test_special_tokens_kept_intact() -> None:
    skills = _skills(JD)
    for term in ("C++", "C#", ".NET", "Node.js", "Go", "R", "CI/CD", "A/B testing"):
        assert term in skills
    assert "JavaScript" in skills  # "js" alias
    tokens = tokenize("Use C++, C#, .NET, Node.js, Go, R, CI/CD and A/B testing.")
    assert tokens[1:] == [
        "C++", "C#", ".NET", "Node.js", "Go", "R", "CI/CD", "and", "A/B testing",
    ]  # fmt: skip


def test_go_and_r_need_a_skills_context() -> None:
    text = (
        "You will own our go to market plan. Go to the office twice a week. "
        "Partner with R&D on the Go-to-market launch."
    )
    skills = _skills(text)
    assert "Go" not in skills
    assert "R" not in skills
    assert "Go" in _skills("Strong skills in Python, Go, and R.")
    assert "Go-to-market" in _skills("Own the go-to-market strategy.")


def test_aliases() -> None:
    skills = _skills("Requirements: k8s, postgres, nodejs, golang, js, ts.")
    assert skills == [
        "Kubernetes", "PostgreSQL", "Node.js", "Go", "JavaScript", "TypeScript",
    ]  # fmt: skip


def test_required_vs_preferred() -> None:
    k = extract_keywords(job_description=JD)
    assert "Kubernetes" in k.required_skills
    assert "PostgreSQL" in k.required_skills
    assert k.preferred_skills == ["JavaScript", "Kafka"]  # golang already required
    inline = extract_keywords(
        job_description="You must know Django. Docker is nice to have. Rust is a bonus."
    )
    assert inline.required_skills == ["Django"]
    assert inline.preferred_skills == ["Docker", "Rust"]


def test_keywords_and_responsibilities() -> None:
    k = extract_keywords(job_description=JD)
    assert k.keywords[:3] == ["payments", "SaaS", "API"]
    assert "scalability" in k.keywords
    assert k.key_responsibilities == [
        "Build payments microservices for our SaaS API",
        "Improve scalability of the platform",
    ]
    assert len(k.keywords) <= 25
    assert len(k.key_responsibilities) <= 10


def test_years_and_seniority() -> None:
    k = extract_keywords(job_description=JD)
    assert (k.experience_years, k.seniority_level) == (5, "Senior")
    k = extract_keywords(job_description="Junior developer. 3-5 years of Python.")
    assert (k.experience_years, k.seniority_level) == (3, "Junior")
    k = extract_keywords(job_description="Staff Engineer with five years of Go.")
    assert (k.experience_years, k.seniority_level) == (5, "Staff")
    k = extract_keywords(job_description="Build things with Python.")
    assert (k.experience_years, k.seniority_level) == (None, None)


def _resume(skills: list[str], bullets: list[str]) -> dict[str, Any]:
    return {
        "personalInfo": {"name": "A", "title": "Engineer", "email": "", "phone": ""},
        "summary": "Engineer building payments systems.",
        "workExperience": [
            {
                "id": 1,
                "title": "Engineer",
                "company": "X",
                "years": "2020",
                "description": bullets,
            },
        ],
        "education": [],
        "personalProjects": [],
        "additional": {
            "technicalSkills": skills,
            "languages": [],
            "certificationsTraining": [],
            "awards": [],
        },
        "customSections": {},
    }


MATCH_JD = """Requirements: Python, PostgreSQL, Docker and Kubernetes.
Nice to have: Kafka.
We build payments APIs for SaaS customers."""


def test_match_coverage() -> None:
    k = extract_keywords(job_description=MATCH_JD)
    assert k.required_skills == ["Python", "PostgreSQL", "Docker", "Kubernetes"]
    assert k.preferred_skills == ["Kafka"]
    assert k.keywords == ["payments", "API", "SaaS"]
    resume = _resume(["Python", "Postgres"], ["Shipped REST APIs in Go."])
    assert supports(resume, "PostgreSQL")
    assert supports(resume, "postgres")
    assert "Go" in resume_terms(resume)
    m = match_resume(resume=resume, master=None, keywords=k)
    assert m.required_coverage == 50.0
    assert m.preferred_coverage == 0.0
    assert m.keyword_coverage == 66.7  # payments, API (via REST APIs)
    assert m.percentage == round(0.6 * 50.0 + 0.2 * 0.0 + 0.2 * 66.7, 1)
    assert m.matched == ["Python", "PostgreSQL", "payments", "API"]
    assert m.missing == ["Docker", "Kubernetes", "Kafka", "SaaS"]
    assert m.unsupportable == m.missing


def test_empty_categories_count_full_and_renormalise() -> None:
    k = extract_keywords(job_description="Requirements: Python.")
    m = match_resume(resume=_resume(["Python"], []), master=None, keywords=k)
    assert (m.preferred_coverage, m.keyword_coverage, m.percentage) == (
        100.0,
        100.0,
        100.0,
    )


def test_unsupportable_uses_master() -> None:
    k = extract_keywords(job_description=MATCH_JD)
    resume = _resume(["Python"], [])
    master = _resume(["Python", "Docker", "k8s"], ["Built a SaaS product."])
    m = match_resume(resume=resume, master=master, keywords=k)
    assert "Docker" in m.missing
    assert "Kubernetes" in m.missing
    assert m.unsupportable == ["PostgreSQL", "Kafka", "API"]


def test_seniority_does_not_change_percentage() -> None:
    resume = _resume(["Python"], [])
    a = extract_keywords(job_description="Junior. 1 year. Requirements: Python.")
    b = extract_keywords(
        job_description="Principal Engineer. 15 years. Requirements: Python."
    )
    pa = match_resume(resume=resume, master=None, keywords=a).percentage
    pb = match_resume(resume=resume, master=None, keywords=b).percentage
    assert pa == pb == 100.0


def test_deterministic() -> None:
    first = extract_keywords(job_description=JD)
    second = extract_keywords(job_description=JD)
    assert first == second
    resume = _resume(["Python", "Go"], ["Kafka pipelines"])
    assert match_resume(resume=resume, master=None, keywords=first) == match_resume(
        resume=resume, master=None, keywords=second
    )
