"""Tests of the offline job-keyword extractor and resume matching."""

from __future__ import annotations

from typing import Any

from services.tailoring.keywords import extract_keywords, find_terms, tokenize
from services.tailoring.match import (
    ROLE_SHARE,
    match_resume,
    resume_terms,
    supports,
)

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


# ------------------------------------------------------------ vocabulary rules

PM_JD = """Product Manager

Requirements:
- Own the product roadmap and align stakeholders on objectives and key results
- Run user testing and usability testing; write product requirement documents
- Track key performance indicators; plan the go-to-market launch
- Work in Scrum and Agile teams; A/B tests to validate ideas
"""


def test_product_management_vocabulary() -> None:
    k = extract_keywords(job_description=PM_JD)
    for term in (
        "Product management",
        "Roadmapping",
        "Stakeholder management",
        "OKRs",
        "User research",
        "PRDs",
        "KPIs",
        "Go-to-market",
        "Scrum",
        "Agile",
        "A/B testing",
    ):
        assert term in k.required_skills, term
    assert find_terms("Defined product strategies and the product vision.") == [
        "Product strategy"
    ]
    assert find_terms("Ran competitor analysis") == ["Competitive analysis"]


def test_front_end_vocabulary() -> None:
    text = (
        "Semantic HTML, ARIA and keyboard navigation for screen readers; "
        "mobile-first layouts; state management; performance budgets; "
        "cross-browser compatibility; a shared component library; SPAs."
    )
    assert find_terms(text) == [
        "HTML",
        "Accessibility",
        "Responsive design",
        "State management",
        "Web performance",
        "Cross-browser compatibility",
        "Design systems",
        "Single-page applications",
    ]
    assert "Single-page applications" not in find_terms("a day at the spa")


def test_implications_of_front_end_and_agile_tools() -> None:
    terms = resume_terms(_resume(["React", "Redux", "Sass", "Scrum", "Mixpanel"], []))
    for term in ("JavaScript", "State management", "CSS", "Agile", "Analytics"):
        assert term in terms, term
    assert "HTML/CSS" in resume_terms(_resume(["HTML5", "CSS3"], []))
    assert "HTML/CSS" not in resume_terms(_resume(["HTML5"], []))
    assert "HTML/CSS" in resume_terms(_resume(["HTML5", "Sass"], []))  # Sass: CSS
    assert {"HTML", "CSS"} <= resume_terms(_resume(["HTML/CSS"], []))


def test_collaborators_are_not_skills() -> None:
    k = extract_keywords(
        job_description="You will work alongside engineering, design, data science, "
        "and go-to-market teams. Requirements: SQL."
    )
    assert k.required_skills == ["SQL"]
    assert find_terms("Collaborated with back-end developers and UX designers") == []
    assert (
        find_terms("Work with a team of engineers, product managers, and UX designers")
        == []
    )
    # the collaboration itself, and a claim followed by other words, stay
    assert find_terms("Collaborate with cross-functional teams") == [
        "Cross-functional collaboration"
    ]
    assert find_terms(
        "Experience with Docker and Kubernetes, working in agile teams"
    ) == [
        "Docker",
        "Kubernetes",
        "Agile",
    ]
    assert find_terms("Experience with Python or Java as a back-end engineer") == [
        "Python",
        "Java",
        "Back-end",
    ]
    resume = _resume([], ["Collaborating with back-end developers on REST APIs."])
    assert not supports(resume, "Back-end")
    assert supports(resume, "REST APIs")


def test_certification_issuer_is_not_the_product() -> None:
    resume = _resume([], [])
    resume["additional"]["certificationsTraining"] = [
        "Oracle Certified Professional, Java SE 8 Programmer"
    ]
    assert supports(resume, "Java")
    assert not supports(resume, "Oracle")
    assert find_terms("Oracle Database administration; Oracle, MySQL") == [
        "Oracle",
        "MySQL",
    ]


# ---------------------------------------------------------------- role and or


def test_role_terms_from_the_title() -> None:
    labelled = extract_keywords(
        job_description="Puesto de trabajo: Front-end\n\nRequisitos:\n- JavaScript"
    )
    assert labelled.role_terms == ["Front-end"]
    assert labelled.required_skills == ["Front-end", "JavaScript"]
    first_lines = extract_keywords(
        job_description="Acme Corp\nSenior Backend Engineer\n\nRequirements:\n- Python"
    )
    assert first_lines.role_terms == ["Back-end"]
    sentence = extract_keywords(
        job_description="We are seeking a Machine Learning Engineer to join our "
        "team. Requirements: PyTorch. Docker is a plus. Frontend work is a bonus."
    )
    assert sentence.role_terms == ["Machine Learning"]
    assert sentence.required_skills == ["Machine Learning", "PyTorch"]
    assert sentence.preferred_skills == ["Docker", "Front-end"]
    none = extract_keywords(job_description="Software Engineer\n\nRequirements: Go.")
    assert none.role_terms == []
    assert extract_keywords(job_description="Requirements: Python.").role_terms == []
    hiring_for = "We are hiring for our Python platform team. Requirements: Go."
    assert extract_keywords(job_description=hiring_for).role_terms == []


def test_alternatives_form_groups() -> None:
    k = extract_keywords(
        job_description="Requirements: Vitest or Jest; analytics tools (Amplitude, "
        "Mixpanel, or Looker); Python, Go and Rust; MySQL o PostgreSQL; "
        "Spark or Ray. Experience with Spark."
    )
    assert k.alternatives == [
        ["Vitest", "Jest"],
        ["Amplitude", "Mixpanel", "Looker"],
        ["MySQL", "PostgreSQL"],
    ]  # Python/Go/Rust are all asked for; Spark is asked for on its own
    assert {"Vitest", "Jest", "Spark", "Ray", "Rust"} <= set(k.required_skills)


def test_alternatives_count_once_in_the_match() -> None:
    k = extract_keywords(job_description="Requirements: Python; Vitest or Jest.")
    m = match_resume(resume=_resume(["Python", "Jest"], []), master=None, keywords=k)
    assert m.required_coverage == 100.0
    assert m.matched == ["Python", "Jest"]
    assert m.missing == []  # Vitest is an alternative to Jest, which is there
    m = match_resume(resume=_resume(["Python"], []), master=None, keywords=k)
    assert m.required_coverage == 50.0
    assert m.missing == ["Vitest", "Jest"]


def _titled(title: str, skills: list[str]) -> dict[str, Any]:
    resume = _resume(skills, [])
    resume["personalInfo"]["title"] = title
    resume["workExperience"][0]["title"] = title
    return resume


def test_role_fit_held_beats_shown_beats_absent() -> None:
    k = extract_keywords(
        job_description="Front-end Engineer\n\nRequirements: JavaScript, SQL."
    )
    assert k.role_terms == ["Front-end"]
    held = match_resume(
        resume=_titled("Front-End Developer", ["JavaScript"]), master=None, keywords=k
    )
    shown = match_resume(  # full stack implies front end: shown, not held
        resume=_titled("Full Stack Developer", ["JavaScript"]), master=None, keywords=k
    )
    absent = match_resume(
        resume=_titled("Data Analyst", ["JavaScript"]), master=None, keywords=k
    )
    assert (held.role_fit, shown.role_fit, absent.role_fit) == (100.0, 50.0, 0.0)
    rest = 50.0  # JavaScript of JavaScript, SQL
    for m, fit in ((held, 100.0), (shown, 50.0), (absent, 0.0)):
        assert m.required_coverage == round(
            ROLE_SHARE * fit + (1 - ROLE_SHARE) * rest, 1
        )
    assert held.percentage > shown.percentage > absent.percentage
    assert "Front-end" in held.matched
    assert "Front-end" in shown.matched
    assert "Front-end" in absent.missing
    # no role named: coverage is the plain share of required terms
    plain = extract_keywords(job_description="Requirements: JavaScript, SQL.")
    m = match_resume(
        resume=_titled("Front-End Developer", ["JavaScript"]),
        master=None,
        keywords=plain,
    )
    assert (m.role_fit, m.required_coverage) == (None, 50.0)


def test_product_manager_title_outweighs_scattered_tool_overlap() -> None:
    k = extract_keywords(job_description=PM_JD)
    pm = _titled("Product Manager", ["Product management", "Agile", "Leadership"])
    analyst = _titled("Data Scientist", ["A/B testing", "Scrum", "SQL"])
    m_pm = match_resume(resume=pm, master=None, keywords=k)
    m_analyst = match_resume(resume=analyst, master=None, keywords=k)
    assert m_pm.role_fit == 100.0
    assert m_analyst.role_fit == 0.0
    assert m_pm.percentage > m_analyst.percentage
