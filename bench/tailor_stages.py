"""Offline tailoring, stage by stage, on the shared corpus (no database, no model).

    .venv/bin/python bench/tailor_stages.py

Every corpus resume is tailored (strategy FULL, the resume as its own master) to
every corpus job description, and each stage of the run is timed: keywords,
plan (match before), rewrite (the offline engine), safety nets, pass 1, pass 2,
pass 3 (with the match after), and a cover letter (draft + sentence check).
Prints the median and p95 per stage in milliseconds, each stage's share of the
total, and how many inventions pass 3 found (the offline engine invents none, so
any count above zero is a false positive of the checks). Skips when the corpus is
absent; always exits 0.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.match_eval import CORPUS, _jobs, _resumes  # noqa: E402
from services.tailoring import refine  # noqa: E402
from services.tailoring.engines import OfflineTailor  # noqa: E402
from services.tailoring.jobinfo import job_info  # noqa: E402
from services.tailoring.keywords import extract_keywords  # noqa: E402
from services.tailoring.match import match_resume  # noqa: E402

STAGES = ("keywords", "plan", "rewrite", "safety_nets", "pass_1", "pass_2", "pass_3")


async def _run(resume: dict[str, Any], job: str, times: dict[str, list[float]]) -> int:
    engine = OfflineTailor()
    clock = time.perf_counter

    def lap(stage: str, start: float) -> float:
        now = clock()
        times.setdefault(stage, []).append((now - start) * 1000)
        return now

    start = clock()
    evidence = refine.Evidence(resume)
    keywords = extract_keywords(job_description=job)
    start = lap("keywords", start)
    match_resume(resume=resume, master=resume, keywords=keywords)
    start = lap("plan", start)
    draft = await engine.rewrite(
        source=resume,
        keywords=keywords,
        strategy="FULL",
        language="en",
        job_description=job,
    )
    start = lap("rewrite", start)
    data, structural = refine.safety_nets(draft, source=resume, evidence=evidence)
    start = lap("safety_nets", start)
    refine.inject_keywords(data, evidence=evidence, keywords=keywords)
    start = lap("pass_1", start)
    refine.remove_ai_phrases(data, job_description=job)
    start = lap("pass_2", start)
    invented = refine.align(data, source=resume, evidence=evidence)
    match_resume(resume=data, master=resume, keywords=keywords)
    start = lap("pass_3", start)
    info = job_info(job)
    letter = await engine.letter(
        kind="COVER_LETTER",
        resume=data,
        job=info,
        keywords=keywords,
        language="en",
        job_description=job,
    )
    letter_evidence = refine.Evidence(resume, allowed=(info.company, info.title))
    _, removed = refine.align_text(
        letter.content, evidence=letter_evidence, location="content"
    )
    lap("cover_letter", start)
    return len(structural) + len(invented) + len(removed)


async def main() -> int:
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}: skipped")
        return 0
    jobs, resumes = _jobs(), _resumes()
    times: dict[str, list[float]] = {}
    false_positives = 0
    for _ in range(3):
        times.clear()
        false_positives = 0
        for _, job in jobs:
            for _, resume in resumes:
                false_positives += await _run(resume, job, times)
    runs = len(jobs) * len(resumes)
    total = sum(statistics.median(v) for v in times.values())
    print(f"offline tailoring, {runs} runs (every job x every resume), third pass")
    print(f"{'stage':<14}{'median ms':>10}{'p95 ms':>10}{'share':>8}")
    for stage in (*STAGES, "cover_letter"):
        values = sorted(times[stage])
        median = statistics.median(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{stage:<14}{median:>10.2f}{p95:>10.2f}{median / total:>8.0%}")
    print(f"{'total':<14}{total:>10.2f}")
    print(f"facts flagged in offline output (false positives): {false_positives}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
