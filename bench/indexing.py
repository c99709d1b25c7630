"""Indexing and answer latency, offline (wordllama, SQLite).

    .venv/bin/python bench/indexing.py

1. Time to index a full profile: the largest corpus resume imported as a profile
   (every section), median of 15 runs of the whole index job (chunking, embedding,
   storing), with the share spent embedding.
2. Time to index a 2-page resume: the same profile with the 2-page corpus resume
   as its master resume (its structured data is chunked too).
3. askProfile's answer latency (retrieval + extractive answer, no storage):
   median and p95 over the 30 chat_eval questions, 5 rounds, each profile warm
   (its index cached in the process, as on a server).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from chat_eval import QUESTIONS
from corpus_profiles import (
    CORPUS,
    import_profile,
    index_now,
    open_database,
    parsed_resumes,
)
from pypdf import PdfReader
from tortoise import Tortoise

from models.resumes import Resume
from services import chat, embeddings, indexing

RUNS = 15


async def _time_index(profile: indexing.Profile, settings: indexing.Settings) -> float:
    start = time.perf_counter()
    assert await index_now(profile, settings) == "READY"
    return time.perf_counter() - start


async def main() -> int:
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}; skipped")
        return 0
    settings = await open_database()
    try:
        embeddings.offline_embedder()
        await embeddings.offline_embedder().embed(["warm up"])  # loads the model
        profiles = {}
        parsed = dict(parsed_resumes())
        for name, data in parsed.items():
            profiles[name] = await import_profile(name, data)
        sizes = {}
        for name, profile in profiles.items():
            await index_now(profile, settings)
            sizes[name] = (
                await indexing.status(organization_id=profile.organization_id)
            ).total_chunks
        biggest = max(sizes, key=lambda n: sizes[n])
        profile = profiles[biggest]
        times = [await _time_index(profile, settings) for _ in range(RUNS)]
        drafts = await indexing.collect(profile)
        texts = [indexing.embed_text(d.section, d.text) for d in drafts]
        embed_times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            await embeddings.offline_embedder().embed(texts)
            embed_times.append(time.perf_counter() - start)
        full = statistics.median(times)
        print(
            f"full profile ({biggest}, {sizes[biggest]} chunks): "
            f"{full * 1000:.1f} ms median of {RUNS}; embedding "
            f"{statistics.median(embed_times) * 1000:.2f} ms "
            f"({statistics.median(embed_times) / full:.0%})"
        )

        two_page = next(
            n for n in sorted(parsed) if len(PdfReader(CORPUS / f"{n}.pdf").pages) == 2
        )
        await Resume.create(
            organization_id=profile.organization_id,
            title=two_page,
            kind="pdf",
            status="READY",
            is_master=True,
            structured_data=parsed[two_page],
        )
        times = [await _time_index(profile, settings) for _ in range(RUNS)]
        total = (
            await indexing.status(organization_id=profile.organization_id)
        ).total_chunks
        with_resume = statistics.median(times)
        print(
            f"with the 2-page resume {two_page} as master ({total} chunks): "
            f"{with_resume * 1000:.1f} ms median of {RUNS} "
            f"({with_resume / full:.2f}x the profile alone)"
        )

        latencies = []
        for _ in range(5):
            for name, questions in QUESTIONS.items():
                for question, _sections in questions:
                    start = time.perf_counter()
                    await chat.answer_question(
                        profile=profiles[name], question=question, settings=settings
                    )
                    latencies.append(time.perf_counter() - start)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"answer latency over {len(latencies)} questions: median "
            f"{statistics.median(latencies) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"
        )
    finally:
        await Tortoise.close_connections()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
