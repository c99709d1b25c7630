"""Parsing layouts by their typography and positions (services/documents/layout.py
and the stages after it): right-hand date columns, sidebars, label columns,
running footers, the name set largest; per-field confidence warnings; and the
field-aware figures of `bench/parse_eval.py` on the shared corpus.

PDFs are typeset here by weasyprint (the renderer the app already has) from
small HTML pages, so the layouts are real PDF layouts without any fixture file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from services.documents.confidence import field_warnings
from services.documents.offline import parse_resume_text
from services.documents.sandbox import parse_document
from services.render import render_pdf_bytes
from tests.helpers import sign_up, text_pdf, upload, wait_for_resume

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
STYLE = """
<style>
  @page { size: A4; margin: 18mm; }
  body { font-family: 'DejaVu Sans'; font-size: 10pt; }
  h1 { font-size: 24pt; margin: 0 0 4pt; }
  h2 { font-size: 13pt; margin: 12pt 0 4pt; }
  .row { display: flex; justify-content: space-between; }
  .side { width: 45mm; float: left; }
  .main { margin-left: 55mm; }
  ul { margin: 2pt 0; }
</style>
"""


def pdf(body: str) -> bytes:
    return render_pdf_bytes(f"<html><head>{STYLE}</head><body>{body}</body></html>")


def entries(data: Any) -> list[tuple[str, str, str, str]]:
    return [
        (w["company"], w["title"], w["years"], w.get("location", ""))
        for w in data["workExperience"]
    ]


def test_dates_in_a_right_hand_column_stay_with_their_entry() -> None:
    # The Classic rendercv layout: the date sits beside the first bullet, the
    # location beside the heading; read row by row they would end up in bullets.
    body = """
    <h1>Jane Roe</h1><p>jane.roe@example.com</p>
    <h2>Experience</h2>
    <div class="row"><b>Acme Corp, Data Engineer</b><span>Berlin, Germany</span></div>
    <div class="row"><span>&#8226; Built the ingestion pipelines in Python</span>
      <span>Jan 2020 &#8211; Mar 2022</span></div>
    <div class="row"><span>&#8226; Cut the nightly batch from 6 to 2 hours</span></div>
    <div class="row"><b>Globex, Analyst</b><span>Paris, France</span></div>
    <div class="row"><span>&#8226; Reported weekly sales figures</span>
      <span>Jun 2017 &#8211; Dec 2019</span></div>
    """
    data = parse_document(data=pdf(body), kind="pdf").structured
    assert entries(data) == [
        ("Acme Corp", "Data Engineer", "Jan 2020 - Mar 2022", "Berlin, Germany"),
        ("Globex", "Analyst", "Jun 2017 - Dec 2019", "Paris, France"),
    ]
    assert data["workExperience"][0]["description"] == [
        "Built the ingestion pipelines in Python",
        "Cut the nightly batch from 6 to 2 hours",
    ]


def test_sidebar_is_read_as_its_own_block_and_the_largest_type_is_the_name() -> None:
    body = """
    <div class="side">
      <p>jane.roe@example.com</p><p>+49 30 1234567</p>
      <h2>Skills</h2><p>Python</p><p>PostgreSQL</p><p>Kubernetes</p><p>Terraform</p>
      <h2>Languages</h2><p>German</p><p>English</p>
    </div>
    <div class="main">
      <h1>Jane Roe</h1>
      <h2>Experience</h2>
      <p><b>Platform Engineer, Initech</b> &#8212; 2019 &#8211; 2023</p>
      <ul><li>Ran the Kubernetes clusters of the payments team</li>
      <li>Moved the build system to Bazel and halved build times</li></ul>
      <p><b>Developer, Hooli</b> &#8212; 2015 &#8211; 2019</p>
      <ul><li>Wrote the search indexer in Python and Go</li></ul>
      <h2>Education</h2>
      <p><b>Technical University of Munich</b>, M.Sc. Informatics, 2013 &#8211; 2015</p>
    </div>
    """
    data = parse_document(data=pdf(body), kind="pdf").structured
    assert data["personalInfo"]["name"] == "Jane Roe"
    assert data["personalInfo"]["email"] == "jane.roe@example.com"
    assert [(c, t, y) for c, t, y, _ in entries(data)] == [
        ("Initech", "Platform Engineer", "2019 - 2023"),
        ("Hooli", "Developer", "2015 - 2019"),
    ]
    assert data["additional"]["technicalSkills"] == [
        "Python",
        "PostgreSQL",
        "Kubernetes",
        "Terraform",
    ]
    assert data["additional"]["languages"] == ["German", "English"]
    assert [e["institution"] for e in data["education"]] == [
        "Technical University of Munich"
    ]


def test_label_column_groups_skills_and_spoken_languages() -> None:
    body = """
    <h1>Jane Roe</h1><p>jane.roe@example.com</p>
    <h2>Skills</h2>
    <div class="row" style="justify-content: flex-start">
      <b style="width: 40mm">Languages</b><span>Python, Go, Rust</span></div>
    <div class="row" style="justify-content: flex-start">
      <b style="width: 40mm">Web Frameworks</b><span>React.js, Angular</span></div>
    <div class="row" style="justify-content: flex-start">
      <b style="width: 40mm">Spoken</b><span>English, French</span></div>
    """
    data = parse_document(data=pdf(body), kind="pdf").structured
    assert data["additional"]["technicalSkills"] == [
        "Python",
        "Go",
        "Rust",
        "React.js",
        "Angular",
        "English",
        "French",
    ]
    labelled = """
    <h1>Jane Roe</h1><p>jane.roe@example.com</p>
    <h2>Skills</h2>
    <p>Tools: Docker, Terraform</p>
    <p>Languages: English, French, German</p>
    """
    data = parse_document(data=pdf(labelled), kind="pdf").structured
    assert data["additional"]["technicalSkills"] == ["Docker", "Terraform"]
    assert data["additional"]["languages"] == ["English", "French", "German"]


def test_section_title_set_larger_starts_a_section_whatever_its_words() -> None:
    body = """
    <h1>Jane Roe</h1><p>jane.roe@example.com</p>
    <h2>Experience</h2>
    <p><b>Engineer, Acme Corp</b>, 2018 &#8211; 2024</p>
    <ul><li>Ran the payments platform</li></ul>
    <h2>Hackathons</h2>
    <p>Winner of the city transport challenge</p>
    <p>Finalist of the open data weekend</p>
    """
    data = parse_document(data=pdf(body), kind="pdf").structured
    assert data["workExperience"][0]["description"] == ["Ran the payments platform"]
    assert data["customSections"]["hackathons"] == {
        "title": "Hackathons",
        "items": [
            "Winner of the city transport challenge",
            "Finalist of the open data weekend",
        ],
    }


def test_skill_groups_and_levels_are_kept_apart() -> None:
    text = "\n".join(
        [
            "Jane Roe",
            "jane@example.com",
            "Skills",
            "Web Frameworks: React.js, Angular",
            "Intermediate: Docker, Kubernetes",
            "Python (Expert), Go (Intermediate)",
            "Node.js (MERN stack), Express",
            "SQL | Advanced",
            "Rust - Beginner",
        ]
    )
    assert parse_resume_text(text)["additional"]["technicalSkills"] == [
        "React.js",
        "Angular",
        "Docker",
        "Kubernetes",
        "Python",
        "Go",
        "Node.js (MERN stack)",
        "Express",
        "SQL",
        "Rust",
    ]


def test_running_footer_repeated_on_every_page_is_dropped() -> None:
    bullets = "".join(
        f"<li>Shipped release {n} of the billing service</li>" for n in range(60)
    )
    body = f"""
    <style>
      @page {{ @bottom-center {{ content: "Jane Roe - " counter(page); }} }}
    </style>
    <h1>Jane Roe</h1><p>jane.roe@example.com</p>
    <h2>Experience</h2><p><b>Engineer, Acme Corp</b>, 2018 &#8211; 2024</p>
    <ul>{bullets}</ul>
    <h2>Skills</h2><p>Python, SQL</p>
    """
    result = parse_document(data=pdf(body), kind="pdf")
    assert "Jane Roe - 1" not in result.text
    assert "Jane Roe - 2" not in result.text
    assert result.structured["additional"]["technicalSkills"] == ["Python", "SQL"]
    assert len(result.structured["workExperience"][0]["description"]) == 60


def test_field_warnings_name_what_to_check() -> None:
    data: dict[str, Any] = {
        "personalInfo": {"name": "Jane Doe", "email": ""},
        "workExperience": [{"company": "", "title": "Engineer"}],
        "education": [{"institution": ""}],
        "additional": {
            "technicalSkills": ["Python", "Led the migration of all services to AWS."]
        },
    }
    assert field_warnings(data, "jane.doe@example.com\nEngineer") == [
        "personalInfo.name: guessed from the e-mail address; please check it",
        "personalInfo.email: no e-mail address was found",
        "workExperience[0].company: no employer was found for this entry; "
        "please check it",
        "education[0].institution: no school was found for this entry; please check it",
        "additional.technicalSkills[1]: 'Led the migration of all services to "
        "AWS' looks like a sentence, not a skill",
    ]


async def test_a_name_guessed_from_the_email_is_flagged(client: TestClient) -> None:
    token = (await sign_up(client, "jane@example.com", "Jane"))["accessToken"]
    lines = [
        "jane.doe@example.com | (555) 010-2030",
        "Experience",
        "Data Engineer, Acme Corp, 2019 - 2022",
        "Skills",
        "Python, SQL",
    ]
    body = await upload(client, token, text_pdf(lines))
    resume_id = body["data"]["uploadResume"]["resume"]["id"]
    resume = await wait_for_resume(client, token, resume_id)
    assert resume["status"] == "READY"
    assert resume["engine"] == "OFFLINE"
    assert resume["structuredData"]["personalInfo"]["name"] == "Jane Doe"
    assert resume["warnings"] == [
        "personalInfo.name: guessed from the e-mail address; please check it"
    ]


def test_corpus_figures_meet_the_targets() -> None:
    if not (CORPUS / "layouts").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import parse_eval
    finally:
        sys.path.remove(str(ROOT / "bench"))
    total = parse_eval.Score()
    per_file = {}
    for label, data, truth in parse_eval.documents():
        score = parse_eval.score(
            truth, parse_document(data=data, kind="pdf").structured, []
        )
        per_file[label] = round(score.recall, 2)
        total.add(score)
    assert len(per_file) == 22
    assert (sum(total.found.values()), sum(total.expected.values())) == (606, 614)
    assert (total.skills_right, total.skills_parsed, total.skills_junk) == (337, 338, 0)
    assert min(per_file.values()) == 0.88
