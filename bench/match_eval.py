"""Resume-to-job match scores on the shared corpus.

    .venv/bin/python bench/match_eval.py

For every job description in `../shared/corpus/jobs/` (relative to the project
root's parent: the `*.txt` files and the `job_desc_*.pdf` files, text through
`services.documents.extract.extract_text`), extracts `JobKeywords` and scores
every corpus resume (`../shared/corpus/resumes/*.pdf`, parsed with
`services.documents.sandbox.parse_document`) with `match_resume`. Prints a table
(rows: jobs, columns: resumes, cells: match percentage, `*` on the best) and
checks the expected winners of the front-end, full-stack, product-manager and
ML-engineer descriptions. Skips when the corpus is absent; always exits 0.
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
from services.tailoring.match import match_resume  # noqa: E402

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
    results: list[tuple[str, str, str | None]] = []
    for job_name, text in jobs:
        keywords = extract_keywords(job_description=text)
        scores = [
            match_resume(resume=data, master=None, keywords=keywords).percentage
            for _, data in resumes
        ]
        best = max(scores)
        cells = [
            (f"{score:5.1f}" + ("*" if score == best else " ")).rjust(c)
            for score, c in zip(scores, cols, strict=True)
        ]
        print(job_name.ljust(width) + " ".join(cells))
        winners = [n for n, s in zip(names, scores, strict=True) if s == best]
        results.append((job_name, "/".join(winners), EXPECTED.get(job_name)))
    print()
    met = 0
    expected = 0
    for job_name, winner, want in results:
        if want is None:
            print(f"{job_name}: best {winner} (no expectation)")
            continue
        expected += 1
        ok = winner == want
        met += ok
        status = "met" if ok else "NOT met"
        print(f"{job_name}: expected {want}, best {winner}: {status}")
    print(f"overall: {met}/{expected} expectations met")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # a benchmark: report, never fail the caller
        print(f"match_eval failed: {type(exc).__name__}: {exc}")
    sys.exit(0)
