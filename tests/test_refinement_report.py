"""Stored refinement reports: snake_case keys, and rows stored before in the
API's camelCase shape still read."""

from __future__ import annotations

from typing import Any

from services.tailoring.evidence import Violation
from services.tailoring.match import Match
from services.tailoring.report import RefinementReport

MATCH: dict[str, Any] = {
    "percentage": 40.0,
    "required_coverage": 50.0,
    "preferred_coverage": 0.0,
    "keyword_coverage": 30.0,
    "matched": ["Python"],
    "missing": ["Go"],
    "unsupportable": [],
    "role_fit": None,
}
AFTER = {**MATCH, "percentage": 55.0}


def test_a_report_is_stored_with_snake_case_keys_and_read_back() -> None:
    report = RefinementReport(
        passes_completed=3,
        injected_keywords=["SQL"],
        ai_phrases_removed=["spearheaded"],
        violations=[Violation("number", "40%", "summary")],
        before=Match(**MATCH),
        after=Match(**AFTER),
        engine="offline",
    )
    stored = report.to_stored()
    assert sorted(stored) == [
        "after",
        "ai_phrases_removed",
        "before",
        "engine",
        "injected_keywords",
        "passes_completed",
        "violations",
    ]
    assert stored["violations"] == [
        {"kind": "number", "value": "40%", "location": "summary"}
    ]
    assert RefinementReport.from_stored(stored) == report
    assert report.keywords_injected == 1
    assert report.alignment_violations_fixed == 1
    assert (report.initial_match_percentage, report.final_match_percentage) == (
        40.0,
        55.0,
    )


def test_a_row_stored_in_the_old_camel_case_shape_reads() -> None:
    old = {
        "passesCompleted": 3,
        "keywordsInjected": 1,
        "injectedKeywords": ["SQL"],
        "aiPhrasesRemoved": ["spearheaded"],
        "alignmentViolationsFixed": 1,
        "violations": [{"kind": "number", "value": "40%", "location": "summary"}],
        "initialMatchPercentage": 40.0,
        "finalMatchPercentage": 55.0,
        "before": MATCH,
        "after": AFTER,
        "engine": "offline",
    }
    report = RefinementReport.from_stored(old)
    assert report.passes_completed == 3
    assert report.injected_keywords == ["SQL"]
    assert report.ai_phrases_removed == ["spearheaded"]
    assert report.violations == [Violation("number", "40%", "summary")]
    assert report.keywords_injected == old["keywordsInjected"]
    assert report.alignment_violations_fixed == old["alignmentViolationsFixed"]
    assert report.initial_match_percentage == old["initialMatchPercentage"]
    assert report.final_match_percentage == old["finalMatchPercentage"]
    assert report.engine == "offline"
