"""The cost per field, measured from outside with `wrk` against a plain aiohttp
handler doing the same reads, in the same run.

    .venv/bin/python bench/throughput.py [--duration 5] [--connections 16]
                                         [--rounds 2] [--only viewer,profile,...]

A temp DATA_DIR with a migrated SQLite database, seeded with one owner: 20 skills,
20 jobs, 5 schools, 5 projects, 5 certifications, a public username, and 100 resumes
with 6 cover letters each. Two server processes, both on uvloop and pinned to CPU 0
(`taskset`): `server.create_app(settings)` (rate limiter in the path, limits set very
high) and a plain aiohttp app whose handlers do the same reads with the same driver
(aiosqlite, raw SQL) and answer the same JSON (checked equal before measuring).
`wrk` runs pinned to CPU 1, one thread, keep-alive, for `--duration` seconds per
request and server, alternating plain and GraphQL, for `--rounds` rounds.

The four requests of issue 15:

- viewer:   `{ viewer { id } }` with a JWT; plain: a handler returning the same JSON;
- profile:  the viewer's full profile (7 reads: token's user check is the auth, then
            profile + 5 sections); plain: the same reads;
- resumes:  `resumes(first: 100)` with `coverLetters(first: 5)` each; plain: the
            resumes page and the letters of those resumes;
- public:   anonymous `publicProfile(username)`; plain: profile, sections and
            plan read (a pure read, as publicProfile is: views are counted by
            the recordProfileView mutation).

Checks: the plain server must saturate CPU 0 (>= 85% busy), or the run is marked
(the load generator, or other work on CPU 0, was the limit); wrk must report no
non-2xx responses and no socket errors. Printed per request and round: req/s and
server CPU share of both, ratio = plain_rps / graphql_rps, and server CPU µs per
request of both with their ratio (robust when other processes share CPU 0).
`--spy FILE` profiles the GraphQL server with py-spy under wrk instead.

Exit status 0 whatever the figures (it's a benchmark), 1 when a request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import servers  # noqa: E402  (server processes)
import viewer_throughput as vt  # noqa: E402  (helpers: CPU, sign-up)

SERVER_CPU = 0
LOAD_CPU = 1
TARGET = 3.0
USERNAME = "bench-owner"

VIEWER = "query { viewer { id } }"
PROFILE = """query { viewer { profile { fullName headline
  skills { name }
  experience { title company startDate endDate description }
  education { institution degree startDate endDate }
  projects { name role description }
  certifications { name issuer issued } } } }"""
RESUMES = """query { resumes(first: 100) { edges { node { id title status tags
  updatedAt coverLetters(first: 5) { edges { node { id company } } } } } } }"""
PUBLIC = (
    "query { publicProfile(username: "
    + json.dumps(USERNAME)
    + """) { username fullName headline
  themeId sections skills { name } experience { title company startDate endDate
  description } education { institution degree } projects { name }
  certifications { name } } }"""
)

REQUESTS = {"viewer": VIEWER, "profile": PROFILE, "resumes": RESUMES, "public": PUBLIC}


# -- the plain server ------------------------------------------------------------------


def _global_id(type_name: str, pk: int) -> str:
    from strawberry import relay

    return relay.to_base64(type_name, pk)


def _iso(value: str) -> str:
    """SQLite stores tortoise datetimes as text; GraphQL answers ISO 8601."""
    from datetime import datetime

    return datetime.fromisoformat(value).isoformat()


async def _plain_app(db_path: str, viewer_id: str) -> Any:
    import aiosqlite
    from aiohttp import web

    db = await aiosqlite.connect(db_path)
    db.row_factory = aiosqlite.Row
    org_row = await (
        await db.execute("SELECT id FROM organizations LIMIT 1")
    ).fetchone()
    assert org_row is not None
    org = int(org_row["id"])

    def respond(data: dict[str, Any]) -> web.Response:
        import orjson

        return web.Response(
            body=orjson.dumps({"data": data}), content_type="application/json"
        )

    async def rows(sql: str, *args: Any) -> list[Any]:
        async with db.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    def lst(raw: str) -> list[str]:
        return list(json.loads(raw))

    async def sections(org_id: int) -> dict[str, list[dict[str, Any]]]:
        order = " ORDER BY position, id"
        where = " WHERE organization_id = ?"
        skills = await rows("SELECT name FROM skills" + where + order, org_id)
        jobs = await rows(
            "SELECT title, company, start_date, end_date, description FROM "
            "experiences" + where + order,
            org_id,
        )
        schools = await rows(
            "SELECT institution, degree, start_date, end_date FROM educations"
            + where
            + order,
            org_id,
        )
        projects = await rows(
            "SELECT name, role, description FROM projects" + where + order, org_id
        )
        certs = await rows(
            "SELECT name, issuer, issued FROM certifications" + where + order, org_id
        )
        return {
            "skills": [{"name": r["name"]} for r in skills],
            "experience": [
                {
                    "title": r["title"],
                    "company": r["company"],
                    "startDate": r["start_date"],
                    "endDate": r["end_date"],
                    "description": lst(r["description"]),
                }
                for r in jobs
            ],
            "education": [
                {
                    "institution": r["institution"],
                    "degree": r["degree"],
                    "startDate": r["start_date"],
                    "endDate": r["end_date"],
                }
                for r in schools
            ],
            "projects": [
                {
                    "name": r["name"],
                    "role": r["role"],
                    "description": lst(r["description"]),
                }
                for r in projects
            ],
            "certifications": [
                {"name": r["name"], "issuer": r["issuer"], "issued": r["issued"]}
                for r in certs
            ],
        }

    async def viewer(request: web.Request) -> web.Response:
        return respond({"viewer": {"id": viewer_id}})

    async def profile(request: web.Request) -> web.Response:
        [row] = await rows(
            "SELECT full_name, headline FROM profiles WHERE organization_id = ?", org
        )
        body = {"fullName": row["full_name"], "headline": row["headline"]}
        body.update(await sections(org))
        return respond({"viewer": {"profile": body}})

    async def resumes(request: web.Request) -> web.Response:
        page = await rows(
            "SELECT id, title, status, tags, updated_at FROM resumes WHERE "
            "organization_id = ? AND parent_id IS NULL ORDER BY id DESC LIMIT 101",
            org,
        )
        page = page[:100]
        ids = [r["id"] for r in page]
        marks = ",".join("?" * len(ids))
        letters = await rows(
            "SELECT id, resume_id, company FROM letters WHERE organization_id = ? "
            f"AND kind = 'COVER_LETTER' AND resume_id IN ({marks}) ORDER BY id DESC",
            org,
            *ids,
        )
        by_resume: dict[int, list[Any]] = {}
        for letter in letters:
            by_resume.setdefault(letter["resume_id"], []).append(letter)
        edges = [
            {
                "node": {
                    "id": _global_id("Resume", r["id"]),
                    "title": r["title"],
                    "status": r["status"],
                    "tags": lst(r["tags"]),
                    "updatedAt": _iso(r["updated_at"]),
                    "coverLetters": {
                        "edges": [
                            {
                                "node": {
                                    "id": _global_id("CoverLetter", c["id"]),
                                    "company": c["company"],
                                }
                            }
                            for c in by_resume.get(r["id"], [])[:5]
                        ]
                    },
                }
            }
            for r in page
        ]
        return respond({"resumes": {"edges": edges}})

    async def public(request: web.Request) -> web.Response:
        found = await rows(
            "SELECT p.id, p.organization_id, p.username, p.full_name, p.headline, "
            "p.theme_id, o.plan FROM profiles p JOIN organizations o "
            "ON o.id = p.organization_id WHERE p.username = ?",
            USERNAME,
        )
        row = found[0]
        body: dict[str, Any] = {
            "username": row["username"],
            "fullName": row["full_name"],
            "headline": row["headline"],
            "themeId": row["theme_id"].upper(),
            "sections": [
                "SKILLS",
                "EXPERIENCE",
                "EDUCATION",
                "PROJECTS",
                "CERTIFICATIONS",
            ],
        }
        full = await sections(row["organization_id"])
        body["skills"] = full["skills"]
        body["experience"] = full["experience"]
        body["education"] = [
            {"institution": e["institution"], "degree": e["degree"]}
            for e in full["education"]
        ]
        body["projects"] = [{"name": p["name"]} for p in full["projects"]]
        body["certifications"] = [{"name": c["name"]} for c in full["certifications"]]
        return respond({"publicProfile": body})

    app = web.Application()
    for name, handler in (
        ("viewer", viewer),
        ("profile", profile),
        ("resumes", resumes),
        ("public", public),
    ):
        app.router.add_post(f"/{name}", handler)

    async def close(_: web.Application) -> None:
        await db.close()

    app.on_cleanup.append(close)
    return app


async def _serve(kind: str, config: str) -> None:
    cfg = json.loads(config)
    if kind == "graphql":
        import server
        from settings import Settings

        app = server.create_app(Settings.from_env())
    else:
        app = await _plain_app(cfg["db"], cfg["viewer_id"])
    await servers.serve(app)


def start(kind: str, env: dict[str, str], config: dict[str, Any]) -> vt.ServerProcess:
    return servers.start(
        __file__, [kind, json.dumps(config)], env, cpu=SERVER_CPU, kind=kind
    )


# -- seeding ---------------------------------------------------------------------------


async def seed(settings: Any, url: str) -> tuple[str, str]:
    """Sign up through the API, then write the rows straight into the database."""
    from tortoise import Tortoise

    import settings as settings_module
    from models.accounts import Organization
    from models.profiles import (
        Certification,
        Education,
        Experience,
        Profile,
        Project,
        Skill,
    )
    from models.resumes import Resume
    from models.tailoring import Letter

    token, viewer_id = await vt.sign_up_and_check(url)
    config = settings_module.tortoise_config(settings.database_url)
    await Tortoise.init(config=config)
    try:
        org = await Organization.all().order_by("-id").first()
        assert org is not None
        profile, _ = await Profile.get_or_create(organization_id=org.id)
        profile.username = USERNAME
        profile.full_name = "Bench Owner"
        profile.headline = "Engineer"
        await profile.save()
        common = {"organization_id": org.id, "profile_id": profile.id}
        for i in range(20):
            await Skill.create(**common, name=f"Skill {i}", position=i)
            await Experience.create(
                **common,
                title=f"Engineer {i}",
                company=f"Company {i}",
                start_date=f"20{i:02d}-01",
                end_date=f"20{i:02d}-12",
                description=[f"Built thing {i}", f"Shipped thing {i}"],
                position=i,
            )
        for i in range(5):
            await Education.create(
                **common, institution=f"School {i}", degree="BSc", position=i
            )
            await Project.create(
                **common, name=f"Project {i}", description=["A project"], position=i
            )
            await Certification.create(**common, name=f"Cert {i}", position=i)
        for i in range(100):
            resume = await Resume.create(
                organization_id=org.id,
                title=f"Resume {i}",
                kind="pdf",
                status="READY",
                tags=["bench", f"t{i % 7}"],
            )
            for j in range(6):
                await Letter.create(
                    organization_id=org.id,
                    resume_id=resume.id,
                    kind="COVER_LETTER",
                    company=f"Company {j}",
                )
    finally:
        await Tortoise.close_connections()
    return token, viewer_id


# -- wrk -------------------------------------------------------------------------------


def wrk(url: str, body: bytes, token: str, args: argparse.Namespace) -> float:
    """Requests per second; raises when wrk saw errors or non-2xx answers."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    script = f"wrk.method = 'POST'\nwrk.body = {_lua_string(body.decode())}\n"
    for key, value in headers.items():
        script += f"wrk.headers[{_lua_string(key)}] = {_lua_string(value)}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        done = subprocess.run(
            [
                "taskset",
                "-c",
                str(LOAD_CPU),
                "wrk",
                "-t1",
                "--timeout",
                "30s",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "-s",
                f.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=args.duration + 60,
            check=False,
        )
    finally:
        os.unlink(f.name)
    out = done.stdout
    if done.returncode != 0 or "Non-2xx" in out or "Socket errors" in out:
        raise vt.BenchError(f"wrk against {url} failed:\n{out}{done.stderr}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise vt.BenchError(f"no Requests/sec in wrk's output:\n{out}")
    return float(match.group(1))


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string here


def measure(
    server: vt.ServerProcess, url: str, body: bytes, token: str, args: Any
) -> tuple[float, float]:
    """(req/s, server CPU share) for one wrk run."""
    cpu0 = vt._proc_cpu_seconds(server.proc.pid)
    t0 = time.perf_counter()
    rps = wrk(url, body, token, args)
    elapsed = time.perf_counter() - t0
    cpu1 = vt._proc_cpu_seconds(server.proc.pid)
    share = (cpu1 - cpu0) / elapsed if cpu0 is not None and cpu1 is not None else 0.0
    return rps, share


async def same_json(graphql_url: str, plain_url: str, query: str, token: str) -> None:
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            graphql_url, json={"query": query}, headers=headers
        ) as r:
            ours = await r.json(content_type=None)
        async with session.post(plain_url, json={}) as r:
            plain = await r.json(content_type=None)
    if ours != plain:
        raise vt.BenchError(
            f"{plain_url}: the plain answer differs from GraphQL's:\n"
            f"{json.dumps(ours)[:600]}\n{json.dumps(plain)[:600]}"
        )


def spy(server: vt.ServerProcess, token: str, args: argparse.Namespace) -> None:
    """`--spy FILE`: py-spy samples the GraphQL server under wrk (first request of
    --only) and writes collapsed stacks to FILE; prints the top frames."""
    name = args.only.split(",")[0]
    body = json.dumps({"query": REQUESTS[name]}).encode()
    rec = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--nonblocking",
            "--format",
            "raw",
            "-o",
            args.spy,
            "-d",
            str(args.duration + 1),
            "-p",
            str(server.proc.pid),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wrk(server.url, body, "" if name == "public" else token, args)
    rec.wait()
    own: dict[str, int] = {}
    total = 0
    for line in Path(args.spy).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        total += int(count)
        for frame in set(frames):
            own[frame] = own.get(frame, 0) + int(count)
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:60]:
        print(f"{count / total:6.1%}  {frame[:150]}")


def run(args: argparse.Namespace) -> None:
    import server
    from settings import Settings

    if shutil.which("wrk") is None:
        raise vt.BenchError("wrk is not installed: run `make system-deps`")
    tmp = Path(tempfile.mkdtemp(prefix="careergraph-throughput-"))
    servers: list[vt.ServerProcess] = []
    try:
        high = 1_000_000_000
        db = tmp / "careergraph.sqlite3"
        settings = replace(
            Settings(),
            data_dir=tmp,
            database_url=f"sqlite://{db}",
            secret_key="bench-" + uuid.uuid4().hex,
            anonymous_rate_limit=high,
            session_rate_limit=high,
        )
        asyncio.run(server.migrate(settings))
        env = vt._child_env(
            {
                "DATA_DIR": str(tmp),
                "DATABASE_URL": settings.database_url,
                "SECRET_KEY": settings.secret_key,
                "ANONYMOUS_RATE_LIMIT": str(high),
                "SESSION_RATE_LIMIT": str(high),
                "PROFILE_CACHE_SIZE": "1000" if args.cache else "0",
            }
        )
        graphql = start("graphql", env, {})
        servers.append(graphql)
        token, viewer_id = asyncio.run(seed(settings, graphql.url))
        plain = start("plain", env, {"db": str(db), "viewer_id": viewer_id})
        servers.append(plain)
        base = f"http://127.0.0.1:{plain.port}"
        chosen = [k for k in REQUESTS if k in args.only.split(",")]
        for name in chosen:
            tok = "" if name == "public" else token
            asyncio.run(same_json(graphql.url, f"{base}/{name}", REQUESTS[name], tok))
        load = subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
        print(
            f"wrk -t1 -c{args.connections} -d{args.duration}s, servers on CPU "
            f"{SERVER_CPU} (uvloop), wrk on CPU {LOAD_CPU}; {load}"
        )
        header = (
            f"{'round':>5}  {'request':<8} {'plain req/s':>11} {'cpu':>5} "
            f"{'graphql req/s':>13} {'cpu':>5} {'ratio':>6} "
            f"{'µs/req plain':>12} {'graphql':>8} {'cpu ratio':>9}"
        )
        print(header)
        print("-" * len(header))
        if args.spy:
            spy(graphql, token, args)
            return
        for rnd in range(1, args.rounds + 1):
            for name in chosen:
                tok = "" if name == "public" else token
                body = json.dumps({"query": REQUESTS[name]}).encode()
                p_rps, p_cpu = measure(plain, f"{base}/{name}", body, tok, args)
                g_rps, g_cpu = measure(graphql, graphql.url, body, tok, args)
                note = "" if p_cpu >= 0.85 else "  (plain did not saturate CPU 0)"
                verdict = "" if p_rps / g_rps <= TARGET else "  > target"
                p_us, g_us = p_cpu / p_rps * 1e6, g_cpu / g_rps * 1e6
                print(
                    f"{rnd:>5}  {name:<8} {p_rps:>11.0f} {p_cpu:>5.0%} "
                    f"{g_rps:>13.0f} {g_cpu:>5.0%} {p_rps / g_rps:>6.2f} "
                    f"{p_us:>12.0f} {g_us:>8.0f} {g_us / p_us:>9.2f}"
                    f"{verdict}{note}",
                    flush=True,
                )
    finally:
        for proc in servers:
            proc.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_serve":
        import uvloop

        uvloop.run(_serve(argv[1], argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", default=",".join(REQUESTS))
    parser.add_argument(
        "--no-cache", dest="cache", action="store_false", help="PROFILE_CACHE=0"
    )
    parser.add_argument("--spy", help="profile the GraphQL server into this file")
    args = parser.parse_args(argv)
    os.environ.pop("REDIS_URL", None)
    try:
        run(args)
    except vt.BenchError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
