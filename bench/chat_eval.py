"""Retrieval quality of the visitor chat on the corpus resumes imported as profiles.

    .venv/bin/python bench/chat_eval.py [--verbose]

30 questions a visitor could ask (written by reading each resume), each with the
section(s) of the profile that hold the answer. For each question the profile's
public chunks are ranked by BM25 alone, by embeddings alone (wordllama, offline)
and by both (reciprocal-rank fusion, what askProfile uses); a question is a hit
when one of the top three chunks comes from an expected section. Prints hit@3
per method (target: hybrid >= 0.9). Skips when the corpus is absent.
"""

from __future__ import annotations

import asyncio
import sys

from corpus_profiles import (
    CORPUS,
    import_profile,
    index_now,
    open_database,
    parsed_resumes,
)
from tortoise import Tortoise

from services import indexing

# resume -> [(question, sections that hold the answer)]
QUESTIONS: dict[str, list[tuple[str, set[str]]]] = {
    "alfred_pennyworth_pm": [
        ("Where did Alfred get his MBA?", {"education"}),
        ("Has he worked at Amazon?", {"experience"}),
        ("What is his current job?", {"experience"}),
        ("Is he good at data analysis?", {"skills"}),
        ("Tell me about his home automation project", {"projects"}),
    ],
    "barry_allen_fe": [
        ("Which university did Barry attend?", {"education"}),
        ("Which front-end frameworks does he know?", {"skills"}),
        ("Where does he work now?", {"experience"}),
        ("What was his GPA?", {"education"}),
        ("Has he built an expense tracker app?", {"projects"}),
    ],
    "bruce_wayne_fullstack": [
        ("Is Bruce working at OpenAI?", {"experience"}),
        ("Does he have a PhD?", {"education"}),
        ("What did he do at Uber?", {"experience"}),
        ("Tell me about the Gotham event planner", {"projects"}),
        ("Does he know MongoDB?", {"skills"}),
    ],
    "harvey_dent_mle": [
        ("Which deep learning libraries does Harvey use?", {"skills", "about"}),
        ("Where did he do his master's degree?", {"education"}),
        ("What was his role at Facebook?", {"experience"}),
        ("Has he built a stock trading model?", {"projects"}),
        ("How many years of machine learning experience does he have?", {"about"}),
    ],
    "john_doe": [
        ("What certifications does John hold?", {"certifications"}),
        ("Is he an Oracle certified Java programmer?", {"certifications"}),
        ("Which company does he work for currently?", {"experience"}),
        ("What did he study?", {"education"}),
        ("Does he know Spring Boot?", {"skills"}),
    ],
    "openresume-resume": [
        ("What is OpenResume?", {"projects"}),
        ("What was his GPA at university?", {"education"}),
        ("Did he do an internship?", {"experience"}),
        ("Does he know GraphQL?", {"skills"}),
        ("What research did he do?", {"experience"}),
    ],
}
MODES = ("bm25", "embeddings", "hybrid")


async def main(verbose: bool) -> int:
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}; skipped")
        return 0
    settings = await open_database()
    try:
        hits = {mode: 0 for mode in MODES}
        total = 0
        for name, data in parsed_resumes():
            if name not in QUESTIONS:
                continue
            profile = await import_profile(name, data)
            assert await index_now(profile, settings) == "READY"
            for question, expected in QUESTIONS[name]:
                total += 1
                for mode in MODES:
                    ranked = await indexing.search(
                        profile=profile, query=question, settings=settings, mode=mode
                    )
                    top = [h.chunk.section for h in ranked[:3]]
                    ok = bool(expected & set(top))
                    hits[mode] += ok
                    if verbose and not ok:
                        print(f"  miss {mode:10} {name}: {question!r} -> {top}")
        print(f"{total} questions over {len(QUESTIONS)} corpus profiles")
        print("| method | hit@3 |")
        print("|---|---|")
        for mode in MODES:
            print(f"| {mode} | {hits[mode] / total:.2f} ({hits[mode]}/{total}) |")
        target = hits["hybrid"] / total >= 0.9
        print(f"hybrid target >= 0.90: {'met' if target else 'NOT met'}")
    finally:
        await Tortoise.close_connections()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main("--verbose" in sys.argv)))
