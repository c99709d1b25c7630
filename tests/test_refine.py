"""The truthfulness passes and the job-description reader, one rule at a time."""

from __future__ import annotations

import copy
from typing import Any

from services.tailoring import refine
from services.tailoring.jobinfo import job_info
from services.tailoring.keywords import extract_keywords
from tests.helpers import MASTER


def _master() -> dict[str, Any]:
    return copy.deepcopy(MASTER)


def test_numbers_are_facts_only_when_the_evidence_has_them() -> None:
    evidence = refine.Evidence(_master())
    assert evidence.problems("Reduced p95 latency by 40% for 3 services") == []
    assert evidence.problems("Cut storage costs by $30k a year") == []
    assert ("number", "45%") in evidence.problems("Reduced latency by 45%")
    assert ("number", "$2M") in evidence.problems("Saved $2M")
    # digits inside names are not figures
    assert evidence.problems("Moved services to FastAPI on Python") == []


def test_names_and_terms_the_evidence_lacks_are_problems() -> None:
    evidence = refine.Evidence(_master())
    found = evidence.problems("Partnered with Globex to ship Kubernetes clusters")
    assert ("name", "Globex") in found
    assert ("term", "Kubernetes") in found
    # a letter may name the employer and role of the job description
    allowed = refine.Evidence(_master(), allowed=("Initech", "Staff Engineer"))
    assert allowed.problems("I want to join Initech as Staff Engineer.") == []


def test_safety_nets_restore_structure_and_drop_unknown_entries() -> None:
    master = _master()
    draft = _master()
    draft["personalInfo"]["email"] = "someone@else.example"
    draft["workExperience"][0]["years"] = "2001 - Present"
    draft["workExperience"][0]["title"] = "CTO"
    draft["workExperience"].pop(1)  # lost: comes back
    draft["workExperience"].append(
        {"id": 9, "title": "VP", "company": "Hooli", "years": "2020", "description": []}
    )
    draft["additional"]["certificationsTraining"].append("CKA")
    data, violations = refine.safety_nets(
        draft, source=master, evidence=refine.Evidence(master)
    )
    assert data["personalInfo"] == master["personalInfo"]
    assert [j["company"] for j in data["workExperience"]] == ["Acme Corp", "Initrode"]
    assert data["workExperience"][0]["years"] == "2019 - Present"
    assert data["workExperience"][0]["title"] == "Senior Software Engineer"
    assert data["additional"]["certificationsTraining"] == ["PostgreSQL Associate"]
    kinds = {(v.kind, v.value) for v in violations}
    assert kinds == {
        ("employer", "Hooli"),
        ("date", "2001 - Present"),
        ("title", "CTO"),
        ("certification", "CKA"),
        ("restored", "someone@else.example"),  # contact details come back
    }


def test_keyword_injection_adds_only_what_the_evidence_supports() -> None:
    master = _master()
    draft = _master()
    draft["additional"]["technicalSkills"].remove("Redis")
    draft["workExperience"][0]["description"].pop(1)
    keywords = extract_keywords(
        job_description="Requirements: Python, Redis and Kubernetes. Nice to have: Go."
    )
    injected = refine.inject_keywords(
        draft, evidence=refine.Evidence(master), keywords=keywords
    )
    assert injected == ["Redis"]
    assert "Redis" in draft["additional"]["technicalSkills"]
    assert "Kubernetes" not in draft["additional"]["technicalSkills"]


def test_stock_phrases_go_unless_the_job_uses_them() -> None:
    data = _master()
    removed = refine.remove_ai_phrases(data, job_description="We leveraged Python.")
    assert "spearheaded" in removed
    assert "results-driven" in removed
    assert "leveraged" not in removed
    bullets = data["workExperience"][0]["description"]
    assert bullets[0] == "Led the migration of 12 services to FastAPI"
    assert bullets[2].startswith("Leveraged PostgreSQL")
    assert data["summary"].endswith(
        "Engineer who cut p95 latency by 40% for 3 services."
    )


def test_alignment_falls_back_to_the_source_bullet_and_drops_sentences() -> None:
    master = _master()
    data = _master()
    data["workExperience"][0]["description"][1] = (
        "Reduced p95 latency by 75% with Redis caching"
    )
    data["summary"] = "Backend engineer. Led 40 engineers at Hooli."
    data["additional"]["technicalSkills"].append("Rust")
    violations = refine.align(data, source=master, evidence=refine.Evidence(master))
    bullets = data["workExperience"][0]["description"]
    assert "Reduced p95 latency by 40% with Redis caching" in bullets
    assert data["summary"] == "Backend engineer."
    assert "Rust" not in data["additional"]["technicalSkills"]
    kinds = {(v.kind, v.value) for v in violations}
    assert {("number", "75%"), ("number", "40"), ("name", "Hooli")} <= kinds
    assert ("skill", "Rust") in kinds


def test_job_info_reads_the_employer_and_the_role() -> None:
    info = job_info(
        "About Acme Corp: we build rockets. We are looking for a Staff "
        "Data Engineer to join us."
    )
    assert (info.company, info.title) == ("Acme Corp", "Staff Data Engineer")
    info = job_info("Puesto de trabajo: Product Manager\nSobre nosotros: En BBVA, ...")
    assert (info.company, info.title) == ("BBVA", "Product Manager")
    assert job_info("Join our platform team to build APIs.").company is None
