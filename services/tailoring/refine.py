"""The truthfulness passes of tailoring, enforced in code rather than by prompt.

Evidence is what the user wrote themselves: the master resume and the resume
being tailored. Every pass works on a ResumeData dict and reports what it did:

- `safety_nets`: the structure a rewrite may not change. Contact details, custom
  sections, and each job's, school's and project's title, dates and place come
  back from the source; an entry whose employer, school or project the evidence
  does not have is dropped; a certification, language or award not in the
  evidence is dropped.
- pass 1, `inject_keywords`: job terms the evidence supports (whole-word, or
  implied: PostgreSQL shows SQL) but the draft does not show go into the skills.
- pass 2, `remove_ai_phrases`: stock phrasing ("spearheaded", "results-driven")
  is replaced by plain words or dropped, unless the job description uses it.
- pass 3, `align`: a skill, a number (percentages, money, counts, years), a
  vocabulary term or a proper name in the text that the evidence does not have
  is removed: a bullet falls back to the source bullet it came from (or goes),
  a summary sentence goes.

Pass 3 is default-deny: after the rules of the fields it knows (skills, summary,
bullets), it walks every other string of the document, whatever its field
(education and project descriptions, locations, custom sections, anything a later
schema adds): a string that is not the user's own text loses each sentence that
states a fact the evidence lacks; a string left empty comes back from the source
at the same place (entries matched by id), or goes. Everything removed is
reported, with the field's path as its location.

`Evidence` and `Violation` live in `evidence`, pass 2 in `phrases`; both are
re-exported here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from services.tailoring.evidence import SENTENCE, Evidence, Violation, normalize
from services.tailoring.keywords import JobKeywords, find_terms, term_canonical
from services.tailoring.match import resume_text
from services.tailoring.phrases import AI_PHRASES, remove_ai_phrases

__all__ = [
    "AI_PHRASES",
    "Evidence",
    "Violation",
    "align",
    "align_text",
    "inject_keywords",
    "remove_ai_phrases",
    "safety_nets",
]


# -- walking a document ---------------------------------------------------------------


def _entry_id(entry: Any) -> Any:
    return entry.get("id") if isinstance(entry, Mapping) else None


def _counterpart(items: list[Any], index: int, entry: Any) -> Any:
    """The source item standing where `entry` stands: same id, else same index."""
    key = _entry_id(entry)
    if key is not None:
        return next((i for i in items if _entry_id(i) == key), None)
    return items[index] if index < len(items) else None


def _changed_strings(
    draft: Any, source: Any, location: str, *, open_map: bool = False
) -> Iterable[tuple[str, str]]:
    """(location, value) of every string of `draft` that `source` does not hold at
    the same place."""
    if isinstance(draft, str):
        if draft.strip() and draft != source:
            yield location, draft
    elif isinstance(draft, Mapping):
        original = source if isinstance(source, Mapping) else {}
        for key, value in draft.items():
            # open maps (custom sections) are keyed by the user: the key is no path
            where = location if open_map else f"{location}.{key}"
            yield from _changed_strings(value, original.get(key), where)
    elif isinstance(draft, list):
        originals = source if isinstance(source, list) else []
        for index, value in enumerate(draft):
            if isinstance(value, str):
                if value.strip() and value not in originals:
                    yield location, value
            else:
                yield from _changed_strings(
                    value, _counterpart(originals, index, value), location
                )


# -- safety nets -----------------------------------------------------------------------


def _by_key(entries: Iterable[Any], key: str) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get(key), str):
            out.setdefault(normalize(entry[key]), entry)
    return out


def _restore_entries(
    draft: list[Any],
    source: list[Any],
    *,
    key: str,
    kind: str,
    fixed: tuple[str, ...],
    section: str,
    violations: list[Violation],
) -> list[dict[str, Any]]:
    """Entries of `draft` matched to `source` by `key`; unknown ones dropped,
    the `fixed` fields restored, source entries the draft lost added back."""
    known = _by_key(source, key)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for entry in draft:
        if not isinstance(entry, Mapping):
            continue
        name = str(entry.get(key) or "")
        original = known.get(normalize(name))
        if original is None or normalize(name) in seen:
            if original is None and name.strip():
                violations.append(Violation(kind, name, section))
            continue
        seen.add(normalize(name))
        merged = dict(entry)
        for field in fixed:
            if field in original and merged.get(field) != original[field]:
                if merged.get(field):
                    what = "date" if field == "years" else "title"
                    violations.append(
                        Violation(what, str(merged.get(field)), f"{section}.{field}")
                    )
                merged[field] = original[field]
        out.append(merged)
    for name, original in known.items():
        if name not in seen:
            out.append(copy.deepcopy(dict(original)))
    return out


def _filter_list(
    draft: Any, evidence: Evidence, *, kind: str, location: str
) -> tuple[list[str], list[Violation]]:
    kept: list[str] = []
    dropped: list[Violation] = []
    for item in draft if isinstance(draft, list) else []:
        if not isinstance(item, str) or not item.strip():
            continue
        if evidence.has_text(item):
            if item not in kept:
                kept.append(item)
        else:
            dropped.append(Violation(kind, item, location))
    return kept, dropped


# Entry sections: (section, the key matching an entry to the source, the kind of
# violation an unknown entry is, the fields that always come back from the source)
_ENTRY_SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "workExperience",
        "company",
        "employer",
        ("id", "company", "title", "years", "location"),
    ),
    ("education", "institution", "school", ("id", "institution", "degree", "years")),
    (
        "personalProjects",
        "name",
        "project",
        ("id", "name", "role", "years", "github", "website"),
    ),
)


def safety_nets(
    draft: Mapping[str, Any], *, source: Mapping[str, Any], evidence: Evidence
) -> tuple[dict[str, Any], list[Violation]]:
    data = copy.deepcopy(dict(draft))
    violations: list[Violation] = []
    for section in ("personalInfo", "customSections"):
        original = source.get(section) or {}
        violations.extend(
            Violation("restored", value, location)
            for location, value in _changed_strings(
                data.get(section),
                original,
                section,
                open_map=section == "customSections",
            )
        )
        data[section] = copy.deepcopy(original)
    for section, key, kind, fixed in _ENTRY_SECTIONS:
        data[section] = _restore_entries(
            data.get(section) or [],
            source.get(section) or [],
            key=key,
            kind=kind,
            fixed=fixed,
            section=section,
            violations=violations,
        )
    additional = dict(data.get("additional") or {})
    for key, kind in (
        ("certificationsTraining", "certification"),
        ("languages", "language"),
        ("awards", "award"),
    ):
        kept, dropped = _filter_list(
            additional.get(key), evidence, kind=kind, location=f"additional.{key}"
        )
        additional[key] = kept
        violations.extend(dropped)
    additional.setdefault("technicalSkills", [])
    data["additional"] = additional
    data.setdefault("summary", "")
    return data, violations


# -- pass 1: keywords ------------------------------------------------------------------


def inject_keywords(
    data: dict[str, Any], *, evidence: Evidence, keywords: JobKeywords
) -> list[str]:
    """Add to the skills each job term the evidence supports (literally or by
    implication: PostgreSQL shows SQL) and the draft does not spell out, so a
    reader or a keyword scanner finds the job's own word."""
    additional = data.setdefault("additional", {})
    skills: list[str] = additional.setdefault("technicalSkills", [])
    text = resume_text(data)
    written = set(find_terms(text))  # as written: no implied terms
    injected: list[str] = []
    ordered = [*keywords.required_skills, *keywords.preferred_skills]
    ordered += keywords.keywords
    for term in dict.fromkeys(ordered):
        literal = rf"(?<![\w+#]){re.escape(term)}(?![\w+#])"
        if term_canonical(term) in written or re.search(literal, text, re.I):
            continue
        if evidence.supports(term):
            skills.append(term)
            injected.append(term)
    return injected


# -- pass 3: alignment -----------------------------------------------------------------


def align_text(
    text: str, *, evidence: Evidence, location: str
) -> tuple[str, list[Violation]]:
    """`text` without its sentences that state a fact the evidence lacks."""
    kept: list[str] = []
    violations: list[Violation] = []
    for paragraph in text.split("\n"):
        sentences = []
        for sentence in SENTENCE.split(paragraph):
            problems = evidence.problems(sentence)
            if problems:
                violations.extend(Violation(k, v, location) for k, v in problems)
            else:
                sentences.append(sentence)
        kept.append(" ".join(sentences))
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return out, violations


def _overlap(a: str, b: str) -> float:
    left, right = set(normalize(a).split()), set(normalize(b).split())
    return len(left & right) / max(1, len(left | right))


def _align_bullets(
    bullets: list[Any],
    originals: list[str],
    *,
    evidence: Evidence,
    location: str,
    violations: list[Violation],
) -> list[str]:
    out: list[str] = []
    for bullet in bullets:
        if not isinstance(bullet, str) or not bullet.strip():
            continue
        problems = evidence.problems(bullet)
        if not problems:
            out.append(bullet)
            continue
        violations.extend(Violation(k, v, location) for k, v in problems)
        spare = [o for o in originals if o not in out and o not in bullets]
        if spare:
            best = max(spare, key=lambda o: _overlap(o, bullet))
            if _overlap(best, bullet) > 0.2:
                out.append(best)
    return out


def align(
    data: dict[str, Any], *, source: Mapping[str, Any], evidence: Evidence
) -> list[Violation]:
    """Remove from `data` every fact the evidence lacks; return what went."""
    violations: list[Violation] = []
    additional = data.setdefault("additional", {})
    skills: list[str] = []
    for skill in additional.get("technicalSkills") or []:
        if not isinstance(skill, str) or not skill.strip():
            continue
        if evidence.supports(skill) or evidence.has_text(skill):
            if skill not in skills:
                skills.append(skill)
        else:
            violations.append(Violation("skill", skill, "additional.technicalSkills"))
    additional["technicalSkills"] = skills
    summary = data.get("summary") or ""
    if isinstance(summary, str) and summary:
        aligned, found = align_text(summary, evidence=evidence, location="summary")
        violations.extend(found)
        data["summary"] = aligned or (
            str(source.get("summary") or "") if found else aligned
        )
    for section in ("workExperience", "personalProjects"):
        key = "company" if section == "workExperience" else "name"
        originals = _by_key(source.get(section) or [], key)
        for entry in data.get(section) or []:
            if not isinstance(entry, dict):
                continue
            original = originals.get(normalize(str(entry.get(key) or "")), {})
            entry["description"] = _align_bullets(
                list(entry.get("description") or []),
                [b for b in original.get("description") or [] if isinstance(b, str)],
                evidence=evidence,
                location=f"{section}.description",
                violations=violations,
            )
    for key in list(data):
        data[key] = _align_rest(
            data[key], source.get(key), (key,), evidence, violations
        )
    return violations


# the fields whose own rule ran above; every other string gets the general one
_OWN_RULES = {
    ("summary",),
    ("additional", "technicalSkills"),
    ("workExperience", "description"),
    ("personalProjects", "description"),
}


def _align_rest(
    value: Any,
    source: Any,
    path: tuple[str, ...],
    evidence: Evidence,
    violations: list[Violation],
) -> Any:
    """Default-deny: every string under `value` that no rule above covers keeps
    only the sentences the evidence backs; one left empty comes back from the
    source at the same place, or goes (an item of a list)."""
    if path in _OWN_RULES:
        return value
    location = ".".join(path)
    if isinstance(value, str):
        original = source if isinstance(source, str) else ""
        return _align_string(value, original, evidence, location, violations)
    if isinstance(value, dict):
        originals = source if isinstance(source, Mapping) else {}
        return {
            # open maps (custom sections) are keyed by the user: the key is no path
            key: _align_rest(
                item,
                originals.get(key),
                path if path == ("customSections",) else (*path, key),
                evidence,
                violations,
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        source_items = source if isinstance(source, list) else []
        out: list[Any] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                kept = _align_string(item, "", evidence, location, violations)
                if kept or not item.strip():
                    out.append(kept)
            else:
                counterpart = _counterpart(source_items, index, item)
                out.append(_align_rest(item, counterpart, path, evidence, violations))
        return out
    return value


def _align_string(
    text: str,
    original: str,
    evidence: Evidence,
    location: str,
    violations: list[Violation],
) -> str:
    if not text.strip() or text == original or evidence.has_text(text):
        return text
    aligned, found = align_text(text, evidence=evidence, location=location)
    if not found:
        return text
    violations.extend(found)
    return aligned or original
