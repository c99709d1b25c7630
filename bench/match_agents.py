"""Agent matching at scale, and its ranking quality on a labelled set.

    .venv/bin/python bench/match_agents.py [--agents 10000]

On a temp SQLite database: `--agents` PUBLIC agents (20 labelled specialists and
generic career-coach fillers whose personalities share the common vocabulary:
resume, interview, career, ...), a public profile with skills for one owner in
five. For each of 20 job descriptions written for this bench (paraphrases, not
copies of the personality text) it runs `services.agents.match_agents` and a plain
SQL scan (`personality LIKE '%term%'` for each of the description's terms, OR-ed,
first row wins) in the same run, and prints:

- time per query of each, and their ratio (first query cold: it embeds every
  agent's document; the rest warm: cached vectors),
- the hit rate: how often the expected specialist ranks first.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPECIALISTS = [
    (
        "Data Engineering Resume Coach",
        "Former data engineer. I review resumes for data engineering roles: Spark, "
        "Airflow, Kafka, dbt and warehouse design.",
    ),
    (
        "Frontend Interview Coach",
        "Mock interviews for frontend developers: React, TypeScript, CSS, "
        "accessibility and browser performance.",
    ),
    (
        "Product Manager Mentor",
        "Product management mentoring: roadmaps, prioritisation, stakeholder "
        "communication and PM interview case studies.",
    ),
    (
        "UX Portfolio Reviewer",
        "I critique UX and product design portfolios, case studies and Figma "
        "prototypes.",
    ),
    (
        "Salary Negotiation Advisor",
        "Salary negotiation and offer evaluation: equity, compensation benchmarks, "
        "counter-offers.",
    ),
    (
        "Cover Letter Writer",
        "I write and edit cover letters tailored to each application.",
    ),
    (
        "LinkedIn Profile Optimizer",
        "LinkedIn profile optimisation: headline, about section, recruiter search "
        "visibility.",
    ),
    (
        "Machine Learning Career Coach",
        "Career coaching for machine learning engineers: PyTorch, model deployment, "
        "MLOps and research interviews.",
    ),
    (
        "DevOps Resume Reviewer",
        "Resume reviews for DevOps and SRE roles: Kubernetes, Terraform, CI/CD, "
        "incident response and on-call.",
    ),
    (
        "Nurse Career Advisor",
        "Career advice for registered nurses moving into nurse practitioner or "
        "healthcare management positions.",
    ),
    (
        "Teacher Transition Coach",
        "Helping teachers transition out of the classroom into instructional design, "
        "edtech and corporate training.",
    ),
    (
        "Finance Interview Prep",
        "Investment banking and private equity interview preparation: financial "
        "modelling, valuation, LBO technicals.",
    ),
    (
        "Executive Resume Writer",
        "Executive resumes for directors, VPs and C-suite leaders: board bios and "
        "leadership narratives.",
    ),
    (
        "Security Certification Coach",
        "Cybersecurity careers: preparing for CISSP, OSCP and Security+ "
        "certifications, penetration testing portfolios.",
    ),
    (
        "Academic CV Editor",
        "Editing academic CVs for PhD graduates and postdocs applying to faculty "
        "positions; research statements.",
    ),
    (
        "Sales Career Coach",
        "Coaching account executives and SDRs: quota attainment stories, SaaS sales "
        "interviews, pipeline metrics.",
    ),
    (
        "Visa and Relocation Advisor",
        "Guidance on relocating abroad for work: work visas, H-1B, Blue Card, "
        "international job search.",
    ),
    (
        "Mobile Developer Mentor",
        "Mentoring iOS and Android developers: Swift, Kotlin, app store portfolios "
        "and mobile system design.",
    ),
    (
        "Career Change Bootcamp Advisor",
        "Helping career changers from bootcamps land a first software developer "
        "job: junior portfolios and GitHub projects.",
    ),
    (
        "Legal Resume Specialist",
        "Resumes for lawyers and paralegals: law firm applications, attorney bar "
        "admissions, legal writing samples.",
    ),
]

# (job description, index of the specialist who should rank first)
LABELLED = [
    (
        "Please look over my CV, I want to move into data pipelines with Airflow and "
        "Kafka at a big-data company.",
        0,
    ),
    ("I have a React and TypeScript interview next week and need a mock session.", 1),
    (
        "Preparing for product manager interviews, need help with roadmap and "
        "prioritization case questions.",
        2,
    ),
    ("Can someone critique my design portfolio and Figma case studies?", 3),
    ("I got an offer and want advice on negotiating a higher salary and equity.", 4),
    ("Write a tailored cover letter for my application to a marketing agency.", 5),
    ("Improve my LinkedIn headline and about section so recruiters find me.", 6),
    ("Coaching for an ML engineer role: PyTorch models and MLOps deployment.", 7),
    (
        "Check my resume for a site reliability position: Kubernetes and Terraform "
        "experience.",
        8,
    ),
    ("I'm a registered nurse aiming for a nurse practitioner job.", 9),
    (
        "Former teacher wanting to move into instructional design and corporate "
        "training.",
        10,
    ),
    (
        "Prepare me for investment banking technical interviews: valuation and LBO "
        "models.",
        11,
    ),
    ("Rewrite my resume for a VP of engineering leadership position.", 12),
    ("Help me plan for the OSCP exam and build a penetration testing portfolio.", 13),
    (
        "Edit my academic CV and research statement for faculty applications after "
        "my PhD.",
        14,
    ),
    ("Interview prep for a SaaS account executive role and my quota numbers.", 15),
    (
        "Moving to Germany with a Blue Card: how do I search for jobs abroad and "
        "handle the visa?",
        16,
    ),
    ("Review my Kotlin and Swift app portfolio for mobile developer roles.", 17),
    (
        "Bootcamp graduate looking for a first junior developer job, please review "
        "my GitHub projects.",
        18,
    ),
    ("Need my resume adapted for law firm attorney applications.", 19),
]

AUDIENCES = [
    "graduates", "job seekers", "career changers", "professionals", "managers",
    "students", "engineers", "analysts", "consultants", "freelancers",
]  # fmt: skip
TOPICS = [
    "resume writing", "interview practice", "career planning", "networking",
    "job search strategy", "personal branding", "time management", "public speaking",
    "remote work", "python basics", "excel skills", "sql queries", "marketing plans",
    "team leadership", "project management", "communication skills", "java",
    "first 90 days", "promotion cases", "work-life balance", "mentoring",
]  # fmt: skip
HEADLINES = ["Career coach", "Recruiter", "HR partner", "Mentor", "Hiring manager"]
SKILLS = ["Coaching", "Recruiting", "Python", "Excel", "Writing", "Leadership", "SQL"]


async def populate(count: int) -> list[int]:
    """Organizations, users, agents and some public profiles; the specialists'
    agent ids, in SPECIALISTS order."""
    from models.accounts import Organization, User
    from models.agents import Agent
    from models.profiles import Profile, Skill

    rng = random.Random(11)
    orgs = [Organization(name=f"Org {i}", plan="free") for i in range(count)]
    await Organization.bulk_create(orgs, batch_size=1000)
    org_ids = [o.id for o in await Organization.all().order_by("id").only("id")]
    users = [
        User(
            email=f"u{i}@bench.example",
            name=f"User {i}",
            password_hash="x",
            default_organization_id=org_id,
        )
        for i, org_id in enumerate(org_ids)
    ]
    await User.bulk_create(users, batch_size=1000)
    user_ids = [u.id for u in await User.all().order_by("id").only("id")]
    specialist_at = rng.sample(range(count), len(SPECIALISTS))
    agents = []
    for i, (org_id, user_id) in enumerate(zip(org_ids, user_ids, strict=True)):
        if i in specialist_at:
            name, personality = SPECIALISTS[specialist_at.index(i)]
        else:
            topics = rng.sample(TOPICS, 3)
            name = f"Coach {i}"
            personality = (
                f"I help {rng.choice(AUDIENCES)} with {topics[0]}, {topics[1]} and "
                f"{topics[2]}. Resume and interview feedback for any career."
            )
        agents.append(
            Agent(
                organization_id=org_id,
                owner_id=user_id,
                name=name,
                name_key=name.casefold(),
                personality=personality,
                visibility="PUBLIC",
            )
        )
    await Agent.bulk_create(agents, batch_size=1000)
    profiles = [
        Profile(
            organization_id=org_id,
            username=f"user-{i}",
            headline=rng.choice(HEADLINES),
        )
        for i, org_id in enumerate(org_ids)
        if i % 5 == 0
    ]
    await Profile.bulk_create(profiles, batch_size=1000)
    skills = [
        Skill(
            organization_id=p.organization_id,
            profile_id=p.id,
            name=name,
            position=n,
        )
        for p in await Profile.all()
        for n, name in enumerate(rng.sample(SKILLS, 3))
    ]
    await Skill.bulk_create(skills, batch_size=1000)
    by_name = {
        a.name: a.id
        for a in await Agent.filter(name__in=[n for n, _ in SPECIALISTS]).only(
            "id", "name"
        )
    }
    return [by_name[name] for name, _ in SPECIALISTS]


async def like_scan(description: str) -> list[int]:
    """The baseline: a plain SQL scan, any term anywhere in the personality."""
    from tortoise import connections

    from services.agents import terms

    words = terms(description)
    where = " OR ".join("lower(personality) LIKE ?" for _ in words)
    sql = (
        "SELECT id FROM agents WHERE visibility = 'PUBLIC' AND ("
        + where
        + ") ORDER BY id"
    )
    _, rows = await connections.get("default").execute_query(
        sql, [f"%{w}%" for w in words]
    )
    return [int(r["id"]) for r in rows]


async def run(count: int, tmp: Path) -> None:
    from tortoise import Tortoise

    import server
    from services import agents
    from services.accounts import Actor
    from settings import Settings, tortoise_config

    settings = replace(Settings(), data_dir=tmp)
    settings = replace(settings, database_url=f"sqlite://{tmp / 'bench.sqlite3'}")
    await server.migrate(settings)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        started = time.perf_counter()
        expected = await populate(count)
        print(f"{count} public agents written in {time.perf_counter() - started:.1f} s")
        actor = Actor(kind="session", user_id=1, organization_id=1, role="owner")
        match_times: list[float] = []
        like_times: list[float] = []
        hits = like_hits = 0
        cold = 0.0
        for index, (description, want) in enumerate(LABELLED):
            t0 = time.perf_counter()
            matches = await agents.match_agents(
                actor=actor, description=description, first=5
            )
            elapsed = time.perf_counter() - t0
            if index == 0:
                cold = elapsed
            else:
                match_times.append(elapsed)
            t0 = time.perf_counter()
            scanned = await like_scan(description)
            like_times.append(time.perf_counter() - t0)
            top = matches[0].agent.id if matches else None
            hits += top == expected[want]
            like_hits += bool(scanned) and scanned[0] == expected[want]
            mark = "hit " if top == expected[want] else "MISS"
            got = matches[0].agent.name if matches else "-"
            print(f"  {mark} {SPECIALISTS[want][0]:<32} top: {got}")
        t0 = time.perf_counter()
        for _ in range(5):
            await agents.public_candidates()
        loading = (time.perf_counter() - t0) / 5
        warm = statistics.median(match_times)
        like = statistics.median(like_times)
        print(
            f"matchAgents: cold {cold * 1000:.0f} ms (embeds {count} documents), "
            f"warm median {warm * 1000:.0f} ms per query, of which "
            f"{loading * 1000:.0f} ms reading the agents and profiles"
        )
        print(f"SQL LIKE scan: median {like * 1000:.1f} ms per query")
        print(f"ratio warm matchAgents / LIKE scan: {warm / like:.1f}x")
        print(
            f"hit rate (expected agent first): matchAgents {hits}/{len(LABELLED)}, "
            f"LIKE scan first row {like_hits}/{len(LABELLED)}"
        )
    finally:
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=10_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="match-agents-"))
    try:
        asyncio.run(run(args.agents, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
