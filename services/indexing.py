"""Profile indexing: the profile (its fields, every section entry, the master
resume's structured data) cut into chunks that keep their source, indexed for
lexical search (BM25, `bm25s`) and by embeddings (`services.embeddings`), with a
live state per profile.

Re-indexing is automatic: a change to the profile, a section entry or a resume
(tortoise `post_save`/`post_delete` signals, registered here) or an explicit
`touch` marks the profile dirty. The first mark of a burst queues one job
(`services.queue.index_profile`); the job waits until `index_debounce` seconds
pass without a new mark, claims the run by raising `attempts` (a newer run
supersedes it), and publishes each step on `index:{profile_id}` after the step's
state is committed. A mark that arrives while a run is going queues the next run
at its end. Vectors of another model than the organization's current one are
never compared: a model change marks the profile dirty again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import math
import re
import struct
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import bm25s  # type: ignore[import-untyped]
import numpy as np
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.signals import post_delete, post_save
from tortoise.transactions import in_transaction

from models.indexing import ProfileChunk, ProfileIndex
from models.profiles import (
    Certification,
    Education,
    Experience,
    Profile,
    Project,
    SectionRow,
    Skill,
)
from models.resumes import Resume
from models.tailoring import LlmConfig
from services import embeddings
from services.embeddings import EmbeddingUnavailable
from services.pubsub import PubSub

if TYPE_CHECKING:
    from settings import Settings

log = logging.getLogger("careergraph.indexing")

STATES = ("IDLE", "QUEUED", "INDEXING", "READY", "FAILED")
TERMINAL = ("READY", "FAILED")  # where indexingEvents ends
EMBED_BATCH = 32  # chunks per embedding call (one progress event each)
MAX_CHUNK_CHARS = 700
SECTION_MODELS: dict[str, type[SectionRow]] = {
    "skills": Skill,
    "experience": Experience,
    "education": Education,
    "projects": Project,
    "certifications": Certification,
}
# profile columns whose change does not change what is indexed
_PRESENTATION = frozenset(
    {"theme_id", "accent_color", "font", "section_order", "updated_at"}
)


@dataclass(slots=True)
class IndexDeps:
    pubsub: PubSub
    settings: Settings
    enqueue: Any = None  # async (profile_id) -> None; set by services.queue


_deps: list[IndexDeps] = []  # the process's deps (set at start-up by services.queue)


def set_deps(deps: IndexDeps) -> None:
    _deps[:] = [deps]


def current_deps() -> IndexDeps | None:
    return _deps[0] if _deps else None


# -- tokens ----------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
        "about",
        "any",
        "can",
        "could",
        "would",
        "should",
        "tell",
        "know",
        "done",
        "person",
        "profile",
        "he's",
        "she's",
    ]
)


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + keep
    return word


# words a question uses for a section that its entries rarely say themselves
# ("where did she study?" and "BSc at Leeds"): added to each chunk's BM25 tokens
# and, as a label, to the text that is embedded (document expansion)
SECTION_WORDS: dict[str, str] = {
    "about": "about summary bio based located location lives",
    "links": "website github linkedin links online",
    "contact": "contact reach",
    "skills": "skills technologies tools expertise proficient stack",
    "experience": "experience work worked job employer company role career",
    "education": "education study studied school university college degree",
    "projects": "projects project built portfolio",
    "certifications": "certifications certified certificate credential",
    "resume": "resume",
}
SECTION_LABELS: dict[str, str] = {
    "about": "About",
    "links": "Links",
    "contact": "Contact",
    "skills": "Skills",
    "experience": "Work experience",
    "education": "Education",
    "projects": "Projects",
    "certifications": "Certifications",
    "resume": "Resume",
}


def chunk_tokens(section: str, text: str) -> list[str]:
    return tokenize(text) + tokenize(SECTION_WORDS.get(section, ""))


def embed_text(section: str, text: str) -> str:
    return f"{SECTION_LABELS.get(section, section)}: {text}"


def tokenize(text: str) -> list[str]:
    """Lower-cased words without stop words, lightly stemmed; keeps C++, C#,
    Node.js and version-like tokens whole."""
    out = []
    for word in _WORD.findall(text.casefold()):
        word = word.rstrip(".")
        if word and word not in STOPWORDS:
            out.append(_stem(word))
    return out


# -- chunks ----------------------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    section: str
    entry_id: int | None
    visibility: str  # "public", a section kind, "email" or "phone"
    text: str


def _join(*parts: str | None, sep: str = " ") -> str:
    return sep.join(p.strip() for p in parts if p and p.strip())


def _dates(start: str | None, end: str | None, current: bool = False) -> str:
    if not start and not end and not current:
        return ""
    return f"{start or '?'} to {'present' if current else end or '?'}"


def _split(head: str, lines: Sequence[str]) -> list[str]:
    """`head` followed by `lines`, cut into pieces under MAX_CHUNK_CHARS, each
    piece starting with `head` so it still says whose it is."""
    pieces: list[str] = []
    current = head
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if current != head and len(current) + len(line) + 1 > MAX_CHUNK_CHARS:
            pieces.append(current)
            current = head
        current = f"{current} {line}".strip()
    pieces.append(current)
    return [p for p in pieces if p]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def profile_drafts(
    profile: Profile, sections: Mapping[str, Sequence[SectionRow]]
) -> list[Draft]:
    """The chunks of the profile itself, in display order."""
    drafts: list[Draft] = []
    name = profile.full_name or profile.username or "The owner"
    about = _join(
        f"{name}." if profile.full_name else None,
        f"{profile.headline}." if profile.headline else None,
        f"Based in {profile.location}." if profile.location else None,
        "Open to work." if profile.open_to_work else None,
    )
    if about:
        drafts.append(Draft("about", None, "public", about))
    if profile.bio:
        for piece in _split("", _sentences(profile.bio)):
            drafts.append(Draft("about", None, "public", piece))
    links = _join(
        f"Website: {profile.website}." if profile.website else None,
        f"GitHub: {profile.github_url}." if profile.github_url else None,
        f"LinkedIn: {profile.linkedin_url}." if profile.linkedin_url else None,
    )
    if links:
        drafts.append(Draft("links", None, "public", links))
    if profile.email:
        drafts.append(Draft("contact", None, "email", f"Email: {profile.email}"))
    if profile.phone:
        drafts.append(Draft("contact", None, "phone", f"Phone: {profile.phone}"))
    groups: dict[str, list[Skill]] = {}
    for row in sections.get("skills", ()):
        assert isinstance(row, Skill)
        groups.setdefault(row.category or "", []).append(row)
    for category, skills in groups.items():
        names = ", ".join(
            _join(s.name, f"({s.level})" if s.level else None) for s in skills
        )
        head = f"Skills ({category}):" if category else "Skills:"
        drafts.append(Draft("skills", skills[0].id, "skills", f"{head} {names}."))
    for row in sections.get("experience", ()):
        assert isinstance(row, Experience)
        head = _join(
            f"{row.title} at {row.company}",
            f"in {row.location}" if row.location else None,
            f"({_dates(row.start_date, row.end_date, row.current)})"
            if _dates(row.start_date, row.end_date, row.current)
            else None,
        )
        for piece in _split(f"{head}.", row.description):
            drafts.append(Draft("experience", row.id, "experience", piece))
    for row in sections.get("education", ()):
        assert isinstance(row, Education)
        degree = _join(row.degree, f"in {row.field}" if row.field else None)
        head = _join(
            f"{degree} at {row.institution}"
            if degree
            else f"Studied at {row.institution}",
            f"({_dates(row.start_date, row.end_date)})"
            if _dates(row.start_date, row.end_date)
            else None,
        )
        lines = [*row.description]
        if row.courses:
            lines.append("Courses: " + ", ".join(row.courses) + ".")
        for piece in _split(f"{head}.", lines):
            drafts.append(Draft("education", row.id, "education", piece))
    for row in sections.get("projects", ()):
        assert isinstance(row, Project)
        head = _join(
            f"Project {row.name}",
            f"({row.role})" if row.role else None,
        )
        lines = [*row.description, *(f"Link: {u}" for u in row.urls)]
        for piece in _split(f"{head}:", lines):
            drafts.append(Draft("projects", row.id, "projects", piece))
    for row in sections.get("certifications", ()):
        assert isinstance(row, Certification)
        text = _join(
            f"Certification: {row.name}",
            f"issued by {row.issuer}" if row.issuer else None,
            f"in {row.issued}" if row.issued else None,
            f"(expires {row.expires})" if row.expires else None,
        )
        drafts.append(Draft("certifications", row.id, "certifications", text + "."))
    return drafts


def resume_drafts(resume: Resume) -> list[Draft]:
    """The master resume's structured data. These chunks are for the owner only:
    the master resume is not part of the public profile, so visitor retrieval
    never reads them."""
    data: Mapping[str, Any] = resume.structured_data or {}
    drafts: list[Draft] = []

    def add(text: str) -> None:
        for piece in _split("", [text]) if len(text) > MAX_CHUNK_CHARS else [text]:
            if piece.strip():
                drafts.append(Draft("resume", resume.id, "owner", piece.strip()))

    summary = str(data.get("summary") or "")
    if summary:
        add(summary)
    for job in data.get("workExperience") or []:
        if isinstance(job, Mapping):
            head = _join(str(job.get("title") or ""), "at", str(job.get("company")))
            for piece in _split(
                f"{head}.", [str(x) for x in job.get("description") or []]
            ):
                add(piece)
    for school in data.get("education") or []:
        if isinstance(school, Mapping):
            add(_join(*(str(school.get(k) or "") for k in ("degree", "institution"))))
    for project in data.get("personalProjects") or []:
        if isinstance(project, Mapping):
            lines = [str(x) for x in project.get("description") or []]
            for piece in _split(f"Project {project.get('name') or ''}:", lines):
                add(piece)
    additional = data.get("additional") or {}
    if isinstance(additional, Mapping):
        for key, label in (
            ("technicalSkills", "Skills"),
            ("languages", "Languages"),
            ("certificationsTraining", "Certifications"),
            ("awards", "Awards"),
        ):
            items = [str(x) for x in additional.get(key) or []]
            if items:
                add(f"{label}: {', '.join(items)}.")
    return drafts


async def _sections(organization_id: int) -> dict[str, list[SectionRow]]:
    out: dict[str, list[SectionRow]] = {}
    for kind, model in SECTION_MODELS.items():
        out[kind] = list(
            await model.filter(organization_id=organization_id).order_by(
                "position", "id"
            )
        )
    return out


async def collect(profile: Profile) -> list[Draft]:
    drafts = profile_drafts(profile, await _sections(profile.organization_id))
    master = await Resume.get_or_none(
        organization_id=profile.organization_id, is_master=True, status="READY"
    )
    if master is not None:
        drafts.extend(resume_drafts(master))
    return drafts


def pack(vector: Sequence[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)


def unpack(data: bytes, dim: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    return np.frombuffer(data, dtype="<f4", count=dim)


# -- state and events ------------------------------------------------------------------


def channel(profile_id: int) -> str:
    return f"index:{profile_id}"


def event(row: ProfileIndex) -> dict[str, Any]:
    return {
        "profile_id": row.profile_id,
        "state": row.state,
        "stage": row.stage,
        "progress": row.progress,
        "indexed_chunks": row.indexed_chunks,
        "total_chunks": row.total_chunks,
        "engine": row.engine,
        "model": row.model,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "last_indexed_at": row.last_indexed_at.isoformat()
        if row.last_indexed_at
        else None,
    }


async def _profile_id(organization_id: int, using_db: Any = None) -> int:
    profile = await Profile.get_or_none(
        organization_id=organization_id, using_db=using_db
    )
    if profile is None:
        try:
            profile = await Profile.create(
                organization_id=organization_id, using_db=using_db
            )
        except IntegrityError:
            profile = await Profile.get(organization_id=organization_id)
    return int(profile.id)


async def get_state(*, organization_id: int, using_db: Any = None) -> ProfileIndex:
    """The profile's index state row (created IDLE on first use)."""
    row: ProfileIndex | None = await ProfileIndex.get_or_none(
        organization_id=organization_id, using_db=using_db
    )
    if row is not None:
        return row
    profile_id = await _profile_id(organization_id, using_db)
    try:
        return await ProfileIndex.create(
            organization_id=organization_id, profile_id=profile_id, using_db=using_db
        )
    except IntegrityError:  # created concurrently
        return await ProfileIndex.get(organization_id=organization_id)


async def _publish(row: ProfileIndex) -> None:
    deps = current_deps()
    if deps is not None:
        await deps.pubsub.publish(channel(row.profile_id), event(row))


async def touch(*, organization_id: int, using_db: Any = None) -> bool:
    """Mark the profile dirty; queue a run unless one is already queued or going.
    Returns whether a job was queued."""
    now = datetime.now(UTC)
    row = await get_state(organization_id=organization_id, using_db=using_db)
    if row.state in ("QUEUED", "INDEXING"):
        # the queued run waits for quiet from this mark; a running one re-queues
        await (
            ProfileIndex.filter(id=row.id)
            .using_db(using_db)
            .update(dirty_at=now, updated_at=now)
        )
        return False
    updated = (
        await ProfileIndex.filter(id=row.id, state=row.state)
        .using_db(using_db)
        .update(
            state="QUEUED", stage="queued", progress=0, dirty_at=now, updated_at=now
        )
    )
    if not updated:  # another request queued it in between
        return False
    row.update_from_dict(
        {"state": "QUEUED", "stage": "queued", "progress": 0, "dirty_at": now}
    )
    await _publish(row)
    await _enqueue(row.profile_id)
    return True


async def _enqueue(profile_id: int) -> None:
    """Queue the job from a fresh context: a mark made inside a transaction (a
    signal of a write in `in_transaction`) must not hand the transaction's
    connection to the job, which outlives it (the in-process broker runs jobs as
    tasks that copy the caller's context). The job waits for the debounce before
    it reads, by which time the marking transaction has committed."""
    deps = current_deps()
    if deps is not None and deps.enqueue is not None:
        loop = asyncio.get_running_loop()
        await loop.create_task(deps.enqueue(profile_id), context=contextvars.Context())


async def request_reindex(*, organization_id: int) -> ProfileIndex:
    """`reindexProfile`: mark dirty now (the run still waits for the debounce)."""
    await touch(organization_id=organization_id)
    return await get_state(organization_id=organization_id)


async def clear(*, organization_id: int) -> int:
    """Delete the profile's chunks and embeddings (reset); the state goes IDLE."""
    async with in_transaction():
        deleted = await ProfileChunk.filter(organization_id=organization_id).delete()
        row = await get_state(organization_id=organization_id)
        await ProfileIndex.filter(id=row.id).update(
            state="IDLE",
            stage="cleared",
            progress=0,
            indexed_chunks=0,
            total_chunks=0,
            dirty_at=None,
            attempts=F("attempts") + 1,  # a running index stops at its next step
            error_code=None,
            error_message=None,
        )
    await row.refresh_from_db()
    await _publish(row)
    return deleted


# -- automatic re-indexing -------------------------------------------------------------


async def _on_save(
    sender: type[Any],
    instance: Any,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: Iterable[str] | None,
) -> None:
    if isinstance(instance, Profile) and (
        created  # created empty on first use: nothing to index yet
        or (update_fields is not None and set(update_fields) <= _PRESENTATION)
    ):
        return
    if isinstance(instance, Resume) and not instance.is_master:
        return
    await changed(organization_id=instance.organization_id, using_db=using_db)


async def _on_delete(
    sender: type[Any], instance: Any, using_db: BaseDBAsyncClient | None
) -> None:
    if isinstance(instance, Resume) and not instance.is_master:
        return
    await changed(organization_id=instance.organization_id, using_db=using_db)


async def changed(*, organization_id: int, using_db: Any = None) -> None:
    """The hook for code that changes indexed data without a model signal (bulk
    updates): marks the profile dirty, and never fails the caller's change."""
    if current_deps() is None:
        return  # a process without jobs (migrations, admin commands)
    try:
        await touch(organization_id=organization_id, using_db=using_db)
    except Exception:  # indexing never fails the edit that triggered it
        log.exception("could not mark profile of organization %s", organization_id)


# an organization's model settings decide the embedding model: a change re-indexes
post_save(
    Profile, Skill, Experience, Education, Project, Certification, Resume, LlmConfig
)(_on_save)
post_delete(Profile, Skill, Experience, Education, Project, Certification, Resume)(
    _on_delete
)


# -- the run ---------------------------------------------------------------------------


class Superseded(Exception):
    """Another run (or a reset) owns the index now."""


async def _step(row: ProfileIndex, *, attempt: int, **values: Any) -> None:
    updated = await ProfileIndex.filter(
        id=row.id, state="INDEXING", attempts=attempt
    ).update(**values, updated_at=datetime.now(UTC))
    if not updated:
        raise Superseded(row.profile_id)
    row.update_from_dict(values)
    await _publish(row)


async def _wait_for_quiet(profile_id: int, debounce: float) -> ProfileIndex | None:
    """Wait until `debounce` seconds passed since the last mark; None when there
    is nothing to run (already claimed, or not queued)."""
    await asyncio.sleep(debounce)  # also lets the marking transaction commit
    while True:
        row = await ProfileIndex.get_or_none(profile_id=profile_id)
        if row is None or row.state != "QUEUED":
            return None
        quiet_at = (row.dirty_at or datetime.now(UTC)) + timedelta(seconds=debounce)
        wait = (quiet_at - datetime.now(UTC)).total_seconds()
        if wait <= 0:
            return row
        await asyncio.sleep(wait)


async def run(*, profile_id: int, deps: IndexDeps, stuck: bool = False) -> str:
    """Index one profile; returns its final state. Idempotent: only a QUEUED
    profile (or, with `stuck`, one whose run was lost) is claimed."""
    try:
        return await _run(profile_id=profile_id, deps=deps, stuck=stuck)
    except Superseded:
        log.info("index of profile %s superseded", profile_id)
        return "SUPERSEDED"


async def _run(*, profile_id: int, deps: IndexDeps, stuck: bool) -> str:
    if not stuck:
        queued = await _wait_for_quiet(profile_id, deps.settings.index_debounce)
        if queued is None:
            return "SKIPPED"
        claim = Q(state="QUEUED")
    else:
        claim = Q(state__in=["QUEUED", "INDEXING"])
    updated = await ProfileIndex.filter(claim, profile_id=profile_id).update(
        state="INDEXING",
        stage="chunking",
        progress=5,
        attempts=F("attempts") + 1,
        dirty_at=None,
        error_code=None,
        error_message=None,
        updated_at=datetime.now(UTC),
    )
    if not updated:
        return "SKIPPED"
    row = await ProfileIndex.get(profile_id=profile_id)
    attempt = row.attempts
    await _publish(row)
    try:
        return await _index(row, attempt=attempt, deps=deps)
    except Superseded:
        raise
    except EmbeddingUnavailable as exc:
        return await _fail(row, attempt, "EMBEDDING_UNAVAILABLE", str(exc)[:500])
    except Exception:
        log.exception("indexing profile %s failed", profile_id)
        return await _fail(row, attempt, "INDEXING_FAILED", "Indexing failed")


async def _fail(row: ProfileIndex, attempt: int, code: str, message: str) -> str:
    await _step(
        row,
        attempt=attempt,
        state="FAILED",
        stage="failed",
        progress=100,
        error_code=code,
        error_message=message,
    )
    await _requeue_if_dirty(row)
    return "FAILED"


async def _index(row: ProfileIndex, *, attempt: int, deps: IndexDeps) -> str:
    profile = await Profile.get(id=row.profile_id)
    drafts = await collect(profile)
    embedder = await embeddings.embedder_for(
        organization_id=row.organization_id, settings=deps.settings
    )
    await _step(
        row,
        attempt=attempt,
        stage="embedding",
        progress=10,
        total_chunks=len(drafts),
        indexed_chunks=0,
        engine=embedder.engine,
        model=embedder.model,
    )
    vectors: list[list[float]] = []
    for start in range(0, len(drafts), EMBED_BATCH):
        batch = drafts[start : start + EMBED_BATCH]
        vectors.extend(
            await embedder.embed([embed_text(d.section, d.text) for d in batch])
        )
        done = len(vectors)
        await _step(
            row,
            attempt=attempt,
            progress=10 + int(80 * done / max(1, len(drafts))),
            indexed_chunks=done,
        )
    await _step(row, attempt=attempt, stage="saving", progress=95)
    now = datetime.now(UTC)
    async with in_transaction():
        # still ours? (checked inside the transaction, with the write below)
        owned = await ProfileIndex.filter(
            id=row.id, state="INDEXING", attempts=attempt
        ).update(
            state="READY",
            stage="done",
            progress=100,
            indexed_chunks=len(drafts),
            last_indexed_at=now,
        )
        if not owned:
            raise Superseded(row.profile_id)
        await ProfileChunk.filter(profile_id=row.profile_id).delete()
        await ProfileChunk.bulk_create(
            [
                ProfileChunk(
                    organization_id=row.organization_id,
                    profile_id=row.profile_id,
                    position=i,
                    section=d.section,
                    entry_id=d.entry_id,
                    visibility=d.visibility,
                    text=d.text,
                    tokens=chunk_tokens(d.section, d.text),
                    vector=pack(v),
                    dim=len(v),
                    engine=embedder.engine,
                    model=embedder.model,
                )
                for i, (d, v) in enumerate(zip(drafts, vectors, strict=True))
            ]
        )
    row.update_from_dict(
        {
            "state": "READY",
            "stage": "done",
            "progress": 100,
            "indexed_chunks": len(drafts),
            "last_indexed_at": now,
        }
    )
    _cache.pop(row.profile_id, None)
    await _publish(row)
    await _requeue_if_dirty(row)
    return "READY"


async def _requeue_if_dirty(row: ProfileIndex) -> None:
    """A mark that arrived during the run queues the next one."""
    fresh = await ProfileIndex.get(id=row.id)
    if fresh.dirty_at is None or fresh.state not in ("READY", "FAILED"):
        return
    updated = await ProfileIndex.filter(id=row.id, state=fresh.state).update(
        state="QUEUED", stage="queued", progress=0, updated_at=datetime.now(UTC)
    )
    if updated:
        fresh.update_from_dict({"state": "QUEUED", "stage": "queued", "progress": 0})
        await _publish(fresh)
        await _enqueue(row.profile_id)


async def claim_stuck(*, older_than: datetime) -> list[int]:
    """Profiles queued or indexing with no progress since `older_than` (their job
    was lost): their ids, for the sweeper to queue again."""
    rows = await ProfileIndex.filter(
        state__in=["QUEUED", "INDEXING"], updated_at__lt=older_than
    ).values_list("profile_id", flat=True)
    return [int(r) for r in rows]  # type: ignore[call-overload]


# -- status ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexStatus:
    state: str
    indexed_chunks: int
    total_chunks: int
    completeness: float
    engine: str | None
    model: str | None
    last_indexed_at: datetime | None
    error_code: str | None
    progress: int
    stage: str


def status_of(row: ProfileIndex) -> IndexStatus:
    total = row.total_chunks
    return IndexStatus(
        state=row.state,
        indexed_chunks=row.indexed_chunks,
        total_chunks=total,
        completeness=round(row.indexed_chunks / total, 4) if total else 0.0,
        engine=row.engine or None,
        model=row.model or None,
        last_indexed_at=row.last_indexed_at,
        error_code=row.error_code,
        progress=row.progress,
        stage=row.stage,
    )


async def status(*, organization_id: int) -> IndexStatus:
    return status_of(await get_state(organization_id=organization_id))


# -- retrieval -------------------------------------------------------------------------


@dataclass(slots=True)
class Hit:
    chunk: ProfileChunk
    score: float
    bm25: float
    cosine: float
    bm25_rank: int | None = None
    cosine_rank: int | None = None


@dataclass(slots=True)
class _Index:
    key: tuple[Any, ...]
    chunks: list[ProfileChunk]
    bm25: bm25s.BM25 | None
    vectors: np.ndarray[Any, Any]
    model: str
    vocab: set[str] = field(default_factory=set)


_cache: OrderedDict[int, _Index] = OrderedDict()
_CACHE_SIZE = 256


def visible(chunk: ProfileChunk, profile: Profile) -> bool:
    """Whether a visitor may read the chunk: public profile content only, never
    a hidden section, never a contact field the owner does not show, never the
    master resume."""
    vis = chunk.visibility
    if vis == "public":
        return True
    if vis == "email":
        return profile.show_email
    if vis == "phone":
        return profile.show_phone
    if vis in SECTION_MODELS:
        return vis not in set(profile.hidden_sections)
    return False


def _build(chunks: list[ProfileChunk], key: tuple[Any, ...]) -> _Index:
    corpus = [c.tokens or ["\u2205"] for c in chunks]
    retriever: bm25s.BM25 | None = None
    if chunks:
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
    dim = chunks[0].dim if chunks else 0
    vectors = (
        np.vstack([unpack(c.vector, c.dim) for c in chunks])
        if chunks and all(c.dim == dim for c in chunks)
        else np.zeros((len(chunks), max(dim, 1)), dtype=np.float32)
    )
    return _Index(
        key=key,
        chunks=chunks,
        bm25=retriever,
        vectors=vectors,
        model=chunks[0].model if chunks else "",
        vocab={t for doc in corpus for t in doc},
    )


async def load_index(profile_id: int, last_indexed_at: datetime | None) -> _Index:
    key = (profile_id, last_indexed_at)
    cached = _cache.get(profile_id)
    if cached is not None and cached.key == key:
        _cache.move_to_end(profile_id)
        return cached
    chunks = list(await ProfileChunk.filter(profile_id=profile_id).order_by("position"))
    built = _build(chunks, key)
    _cache[profile_id] = built
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return built


RRF_K = 5.0


def rank(
    index: _Index,
    *,
    query: str,
    query_vector: Sequence[float] | None,
    allowed: Sequence[bool],
    mode: str = "hybrid",
    ignore: Iterable[str] = (),
) -> list[Hit]:
    """Score every allowed chunk: BM25, cosine, and their reciprocal-rank fusion
    (`mode` hybrid, bm25 or embeddings). Best first."""
    n = len(index.chunks)
    if n == 0:
        return []
    skip = set(ignore)
    terms = [t for t in tokenize(query) if t in index.vocab and t not in skip]
    bm25 = (
        np.asarray(index.bm25.get_scores(terms), dtype=np.float64)
        if terms and index.bm25 is not None
        else np.zeros(n)
    )
    if query_vector is not None and index.vectors.shape[1] == len(query_vector):
        cos = index.vectors @ np.asarray(query_vector, dtype=np.float32)
    else:
        cos = np.zeros(n, dtype=np.float32)
    ids = [i for i in range(n) if allowed[i]]
    by_bm25 = sorted((i for i in ids if bm25[i] > 0), key=lambda i: -bm25[i])
    by_cos = sorted(ids, key=lambda i: -cos[i]) if query_vector is not None else []
    bm25_rank = {i: r for r, i in enumerate(by_bm25)}
    cos_rank = {i: r for r, i in enumerate(by_cos)}
    hits = []
    for i in ids:
        if mode == "bm25":
            score = float(bm25[i])
        elif mode == "embeddings":
            score = float(cos[i])
        else:
            score = 0.0
            if i in bm25_rank:
                score += 1.0 / (RRF_K + bm25_rank[i])
            if i in cos_rank:
                score += 1.0 / (RRF_K + cos_rank[i])
        hits.append(
            Hit(
                chunk=index.chunks[i],
                score=score,
                bm25=float(bm25[i]),
                cosine=float(cos[i]),
                bm25_rank=bm25_rank.get(i),
                cosine_rank=cos_rank.get(i),
            )
        )
    hits.sort(key=lambda h: (-h.score, h.chunk.position))
    return hits


async def search(
    *,
    profile: Profile,
    query: str,
    settings: Settings,
    public_only: bool = True,
    mode: str = "hybrid",
) -> list[Hit]:
    """The profile's chunks ranked for `query`. A query embedding from another
    model than the indexed one is not used (BM25 alone), and marks the profile
    dirty so it is indexed again with the current model."""
    state = await ProfileIndex.get_or_none(profile_id=profile.id)
    if state is None or state.last_indexed_at is None:
        return []
    index = await load_index(profile.id, state.last_indexed_at)
    allowed = [(visible(c, profile) if public_only else True) for c in index.chunks]
    query_vector: list[float] | None = None
    if mode != "bm25":
        try:
            embedder = await embeddings.embedder_for(
                organization_id=profile.organization_id, settings=settings
            )
            if embedder.model == index.model:
                query_vector = (await embedder.embed([query]))[0]
            else:
                with contextlib.suppress(Exception):
                    await touch(organization_id=profile.organization_id)
        except EmbeddingUnavailable:
            query_vector = None  # lexical only while the model is down
    # the owner's name is in the question ("where did Ada study?") but says
    # nothing about which passage answers it
    name = tokenize(profile.full_name or "")
    hits = rank(
        index,
        query=query,
        query_vector=query_vector,
        allowed=allowed,
        mode=mode,
        ignore=name,
    )
    if query_vector is None and mode == "hybrid":
        hits = [h for h in hits if h.bm25 > 0] or hits
    return hits


def relevant(hits: Sequence[Hit], *, limit: int = 3) -> list[Hit]:
    """The hits good enough to answer from: some lexical match, or a strong
    semantic one."""
    out = [h for h in hits if h.bm25 > 0 or h.cosine >= COSINE_FLOOR]
    return out[:limit]


COSINE_FLOOR = 0.45


def norm(vector: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))
