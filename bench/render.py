"""Cost of our resume PDF path against raw weasyprint, and what the cache saves.

    .venv/bin/python bench/render.py [--runs 7] [--theme modern ...]

A temp SQLite database is migrated and one organization created. For every theme,
`--runs` times, interleaved: a variant of a realistic one-to-two-page resume (its
summary names the run, so every call is a cache miss) is rendered

  (a) by raw `weasyprint.HTML(string=html).write_pdf()` on the HTML that
      `services.render.resume_html` makes for it, and
  (b) by `services.render.resume_pdf` (content hash, cache lookup, HTML, render in a
      worker thread, store the row): a cache miss;

then (c) `resume_pdf` of an already rendered variant: a cache hit (a row read).

Prints per theme and overall (sum of medians): (b)/(a), project target <= 1.3, and
(b)/(c), the cache's speed-up, target >= 50. Ratios only; exit 0 whatever they are.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import weasyprint  # noqa: E402
from tortoise import Tortoise  # noqa: E402

import server  # noqa: E402
from models.accounts import Organization  # noqa: E402
from services import render  # noqa: E402
from settings import Settings, tortoise_config  # noqa: E402

RESUME: dict[str, Any] = {
    "personalInfo": {
        "name": "Bruce Wayne",
        "title": "MERN Stack Developer",
        "email": "bwayne@email.com",
        "phone": "(123) 456-7890",
        "location": "123 Gotham St, Gotham, USA",
        "linkedin": "https://www.linkedin.com/in/bwayne",
        "github": "https://github.com/bwayne",
    },
    "summary": "Highly skilled MERN Stack Developer with over 10 years of experience, "
    "specializing in designing, building, and maintaining complex web applications.",
    "workExperience": [
        {
            "id": i + 1,
            "title": title,
            "company": company,
            "location": "San Francisco, USA",
            "years": years,
            "description": [
                "Developed and maintained scalable web applications using MERN stack.",
                "Ensured the performance, quality, and responsiveness of applications.",
                "Successfully deployed solutions using Docker and Kubernetes.",
                "Collaborated with engineers, product managers and designers.",
                "Led a team of junior developers, conducted code reviews.",
            ],
        }
        for i, (title, company, years) in enumerate(
            [
                ("MERN Stack Developer", "OpenAI", "June 2020 - Present"),
                ("Full Stack Developer", "Uber", "July 2015 - May 2020"),
                ("Software Developer", "Facebook", "June 2012 - June 2015"),
            ]
        )
    ],
    "education": [
        {
            "id": 1,
            "institution": "CalTech",
            "degree": "PhD in CS",
            "years": "2009-2012",
        },
        {"id": 2, "institution": "MIT", "degree": "MSc in CS", "years": "2007-2009"},
    ],
    "personalProjects": [
        {
            "id": 1,
            "name": "Gotham Event Planner",
            "role": "",
            "years": "2019 - Present",
            "description": ["Plan and organize events in Gotham city (MERN)."],
        }
    ],
    "additional": {
        "technicalSkills": ["JavaScript", "TypeScript", "MongoDB", "React", "Node.js"],
        "languages": ["English", "中文"],
        "certificationsTraining": ["AWS Certified Developer"],
        "awards": [],
    },
    "customSections": {},
}


def variant(run: int) -> dict[str, Any]:
    data = copy.deepcopy(RESUME)
    data["summary"] += f" Run {run} {uuid.uuid4().hex[:8]}."
    return data


async def timed_async(coro: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def bench_theme(theme: str, runs: int, org_id: int) -> tuple[float, float, float]:
    raw: list[float] = []
    miss: list[float] = []
    hit: list[float] = []
    # warm-up: fonts, templates, the thread pool
    warm = variant(-1)
    weasyprint.HTML(string=render.resume_html(warm, theme=theme)).write_pdf()
    await render.resume_pdf(organization_id=org_id, data=warm, theme=theme)
    for run in range(runs):
        data = variant(run)
        html = render.resume_html(data, theme=theme)
        first_raw = run % 2 == 0
        if first_raw:
            start = time.perf_counter()
            weasyprint.HTML(string=html).write_pdf()
            raw.append(time.perf_counter() - start)
        seconds, result = await timed_async(
            render.resume_pdf(organization_id=org_id, data=data, theme=theme)
        )
        assert not result.cached
        miss.append(seconds)
        if not first_raw:
            start = time.perf_counter()
            weasyprint.HTML(string=html).write_pdf()
            raw.append(time.perf_counter() - start)
        seconds, result = await timed_async(
            render.resume_pdf(organization_id=org_id, data=data, theme=theme)
        )
        assert result.cached
        hit.append(seconds)
    return statistics.median(raw), statistics.median(miss), statistics.median(hit)


async def main_async(args: argparse.Namespace, tmp: Path) -> None:
    settings = replace(
        Settings(), data_dir=tmp, database_url=f"sqlite://{tmp / 'bench.sqlite3'}"
    )
    await server.migrate(settings)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        org = await Organization.create(name="bench")
        print(
            f"{'theme':<10} {'raw weasyprint':>15} {'resume_pdf miss':>16} "
            f"{'ratio':>6} {'cached':>9} {'speed-up':>9}"
        )
        totals = [0.0, 0.0, 0.0]
        for theme in args.theme or render.THEME_IDS:
            raw, miss, hit = await bench_theme(theme, args.runs, org.id)
            totals = [totals[0] + raw, totals[1] + miss, totals[2] + hit]
            print(
                f"{theme:<10} {raw * 1000:>12.1f} ms {miss * 1000:>13.1f} ms "
                f"{miss / raw:>6.2f} {hit * 1000:>6.2f} ms {miss / hit:>8.0f}x"
            )
        raw, miss, hit = totals
        print(
            f"{'overall':<10} {raw * 1000:>12.1f} ms {miss * 1000:>13.1f} ms "
            f"{miss / raw:>6.2f} {hit * 1000:>6.2f} ms {miss / hit:>8.0f}x"
        )
        print(
            f"cache miss / raw weasyprint: {miss / raw:.2f} (target <= 1.3); "
            f"cache miss / cache hit: {miss / hit:.0f}x (target >= 50)"
        )
    finally:
        await Tortoise.close_connections()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--theme", action="append", choices=render.THEME_IDS)
    args = parser.parse_args()
    print(
        f"medians of {args.runs} runs per theme, interleaved; weasyprint "
        f"{weasyprint.__version__}"
    )
    with tempfile.TemporaryDirectory(prefix="careergraph-render-") as tmp:
        asyncio.run(main_async(args, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
