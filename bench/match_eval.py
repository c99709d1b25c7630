"""Resume-to-job match scores on the shared corpus.

    .venv/bin/python bench/match_eval.py

For every job description in `../shared/corpus/jobs/` (relative to the project
root's parent: the `*.txt` files and the `job_desc_*.pdf` files, text through
`services.documents.extract.extract_text`), extracts `JobKeywords` and scores
every corpus resume (`../shared/corpus/resumes/*.pdf`, parsed with
`services.documents.sandbox.parse_document`) with `match_resume`. Prints a table
(rows: jobs, columns: resumes, cells: match percentage, `*` on the best), the
role each description's title names, and for each expected pairing (front end,
full stack, product manager, ML engineer) whether it is met: the expected resume
alone scores best (a tie is not met), with its score, its role fit and the
runner-up. Skips when the corpus is absent; always exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.documents.extract import extract_text  # noqa: E402
from services.documents.sandbox import parse_document  # noqa: E402
from services.tailoring.keywords import extract_keywords  # noqa: E402
from services.tailoring.match import Match, match_resume  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"

# Job file -> resume expected to score best (read from each description).
EXPECTED: dict[str, str] = {
    "frontend-eng.txt": "barry_allen_fe",
    "job_desc_front_end_engineer.pdf": "barry_allen_fe",
    "job_desc_full_stack_engineer.pdf": "bruce_wayne_fullstack",
    "product-manager.txt": "alfred_pennyworth_pm",
    "job_desc_product_manager.pdf": "alfred_pennyworth_pm",
    "ml-eng.txt": "harvey_dent_mle",
}


def _jobs() -> list[tuple[str, str]]:
    folder = CORPUS / "jobs"
    jobs = [(p.name, p.read_text(encoding="utf-8")) for p in folder.glob("*.txt")]
    for path in folder.glob("job_desc_*.pdf"):
        jobs.append((path.name, extract_text(path.read_bytes(), "pdf")))
    return sorted(jobs)


def _resumes() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in sorted((CORPUS / "resumes").glob("*.pdf")):
        parsed = parse_document(data=path.read_bytes(), kind="pdf").structured
        out.append((path.stem, dict(parsed)))
    return out


def main() -> int:
    if not (CORPUS / "jobs").is_dir() or not (CORPUS / "resumes").is_dir():
        print(f"corpus not found under {CORPUS}: skipped")
        return 0
    jobs = _jobs()
    resumes = _resumes()
    if not jobs or not resumes:
        print("no job descriptions or resumes in the corpus: skipped")
        return 0
    names = [name for name, _ in resumes]
    width = max(len(name) for name, _ in jobs) + 1
    cols = [max(len(n), 7) for n in names]
    print(
        "job".ljust(width)
        + " ".join(n.rjust(c) for n, c in zip(names, cols, strict=True))
    )
    results: list[tuple[str, list[str], dict[str, Match]]] = []
    for job_name, text in jobs:
        keywords = extract_keywords(job_description=text)
        matches = {
            name: match_resume(resume=data, master=None, keywords=keywords)
            for name, data in resumes
        }
        best = max(m.percentage for m in matches.values())
        cells = [
            (f"{m.percentage:5.1f}" + ("*" if m.percentage == best else " ")).rjust(c)
            for m, c in zip(matches.values(), cols, strict=True)
        ]
        print(job_name.ljust(width) + " ".join(cells))
        results.append((job_name, keywords.role_terms, matches))
    print()
    met = 0
    expected = 0
    for job_name, role, matches in results:
        ranked = sorted(matches.items(), key=lambda item: -item[1].percentage)
        best = ranked[0][1].percentage
        winners = "/".join(n for n, m in ranked if m.percentage == best)
        roles = ", ".join(role) or "-"
        want = EXPECTED.get(job_name)
        if want is None:
            print(f"{job_name} [role: {roles}]: best {winners} (no expectation)")
            continue
        expected += 1
        ok = winners == want
        met += ok
        mine = matches[want]
        other, runner = next((n, m) for n, m in ranked if n != want)
        print(
            f"{job_name} [role: {roles}]: expected {want} {mine.percentage:.1f} "
            f"(role fit {mine.role_fit}), best other {other} "
            f"{runner.percentage:.1f}: {'met' if ok else 'NOT met'}"
        )
    print(f"overall: {met}/{expected} expectations met")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # a benchmark: report, never fail the caller
        print(f"match_eval failed: {type(exc).__name__}: {exc}")
    sys.exit(0)
