"""The refinement report of a tailoring run, as stored with the tailored resume
(`Resume.refinement`): what the truthfulness passes did, with the match before
and after. Stored with snake_case keys; the schema maps them to the API's
names. Rows written before this module stored the API's camelCase keys:
`RefinementReport.from_stored` reads both shapes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.tailoring.evidence import Violation
from services.tailoring.match import Match

__all__ = ["RefinementReport"]

_MATCH_FIELDS = frozenset(f.name for f in dataclasses.fields(Match))


def _match(value: Any) -> Match | None:
    if not isinstance(value, Mapping):
        return None
    return Match(**{k: v for k, v in value.items() if k in _MATCH_FIELDS})


def _violation(value: Mapping[str, Any]) -> Violation:
    return Violation(str(value["kind"]), str(value["value"]), str(value["location"]))


@dataclass(frozen=True, slots=True)
class RefinementReport:
    passes_completed: int
    injected_keywords: list[str]  # job terms the evidence supports, added by pass 1
    ai_phrases_removed: list[str]  # stock phrases pass 2 replaced
    violations: list[Violation]  # invented facts the safety nets and pass 3 removed
    before: Match | None
    after: Match | None
    engine: str

    @property
    def keywords_injected(self) -> int:
        return len(self.injected_keywords)

    @property
    def alignment_violations_fixed(self) -> int:
        return len(self.violations)

    @property
    def initial_match_percentage(self) -> float:
        return self.before.percentage if self.before is not None else 0.0

    @property
    def final_match_percentage(self) -> float:
        return self.after.percentage if self.after is not None else 0.0

    def to_stored(self) -> dict[str, Any]:
        """The JSON stored in `Resume.refinement`."""
        return dataclasses.asdict(self)

    @classmethod
    def from_stored(cls, row: Mapping[str, Any]) -> RefinementReport:
        """The report of a stored row, in either shape (snake_case, or the
        camelCase keys of rows stored before)."""

        def get(snake: str, camel: str) -> Any:
            return row.get(snake, row.get(camel))

        return cls(
            passes_completed=int(get("passes_completed", "passesCompleted") or 0),
            injected_keywords=list(get("injected_keywords", "injectedKeywords") or []),
            ai_phrases_removed=list(
                get("ai_phrases_removed", "aiPhrasesRemoved") or []
            ),
            violations=[_violation(v) for v in row.get("violations") or []],
            before=_match(row.get("before")),
            after=_match(row.get("after")),
            engine=str(row.get("engine") or ""),
        )
