"""The parse job: extract a resume's file in a sandbox, structure it (the
organization's model, else the offline engine), stage by stage on the resume's
channel. A run of the lifecycle in `services.runs`: claimed by attempt, superseded
by a newer run, FAILED with the file's own error code (the credit stays spent) or
a server-side one (timeout, crash, model down with no fallback: refunded)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.resumes import Resume
from services import indexing
from services.documents.confidence import field_warnings
from services.documents.extract import DocumentError
from services.documents.resumedata import validate_resume_data
from services.errors import ServiceError
from services.pubsub import PubSub
from services.resumes.intake import refund
from services.resumes.lifecycle import RUNS, fail, set_stage
from services.runs import RunKind, Superseded

log = logging.getLogger("careergraph.resumes")

# failures of the file itself: the credit is not refunded
CLIENT_FAULTS = frozenset(
    {
        "UNSUPPORTED_MEDIA_TYPE",
        "EMPTY_FILE",
        "ENCRYPTED_PDF",
        "CORRUPT_FILE",
        "TOO_MANY_PAGES",
        "ARCHIVE_TOO_LARGE",
        "INVALID_JSON",
        "JSON_TOO_DEEP",
        "NO_TEXT",
        "IMAGE_TOO_LARGE",
    }
)
PARSE = RunKind("parse", refund=refund, client_faults=CLIENT_FAULTS)


class Engine(Protocol):
    """Turns extracted text into ResumeData (a model); None means offline only."""

    name: str

    async def structure_resume(self, *, text: str) -> dict[str, Any]: ...


@dataclass(slots=True)
class ParseDeps:
    pubsub: PubSub
    timeout: float = 30.0
    memory_mb: int = 1024
    engine: Engine | None = None
    # the model of an organization (its own settings, else the instance's), when
    # given; takes the place of `engine`
    models: Callable[[int], Awaitable[Engine | None]] | None = None
    fault_delay: float = 0.0  # tests only: simulates a long job to crash
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))


async def parse(*, resume_id: int, deps: ParseDeps) -> str:
    """Run (or re-run) the parse of one resume; returns its final status.

    Each run claims the resume by raising `attempts`, and writes every stage only
    while `attempts` is still its own: a duplicate or requeued run takes over and
    the older one stops without writing or publishing anything more."""
    try:
        return await _parse(resume_id=resume_id, deps=deps)
    except Superseded:
        log.info("parse of resume %s superseded by a newer run", resume_id)
        return "SUPERSEDED"


async def _parse(*, resume_id: int, deps: ParseDeps) -> str:
    from services.documents.sandbox import parse_in_sandbox

    claimed = await RUNS.claim(resume_id)
    resume = await Resume.get_or_none(id=resume_id)
    if resume is None or resume.status != "PROCESSING":
        return resume.status if resume else "GONE"
    attempt = resume.attempts
    if not claimed:  # it crashed its worker MAX_ATTEMPTS times: give up
        return await _fail(
            deps,
            resume,
            attempt=attempt,
            code="PARSE_FAILED",
            message="Parsing failed repeatedly; try retryResumeParse later",
        )
    if resume.source is None:
        return await _fail(
            deps,
            resume,
            attempt=attempt,
            code="PARSE_FAILED",
            message="The file is missing",
        )
    try:
        async with deps.slots:  # extraction processes at once, per process
            await set_stage(
                deps.pubsub, resume, attempt=attempt, stage="extracting", progress=10
            )
            if deps.fault_delay:
                await asyncio.sleep(deps.fault_delay)
            result = await parse_in_sandbox(
                data=bytes(resume.source),
                kind=resume.kind,
                timeout=deps.timeout,
                memory_mb=deps.memory_mb,
            )
    except DocumentError as exc:
        return await _fail(
            deps, resume, attempt=attempt, code=exc.code, message=exc.message
        )
    await set_stage(
        deps.pubsub, resume, attempt=attempt, stage="structuring", progress=50
    )
    structured: dict[str, Any] = dict(result.structured)
    engine_name = "ocr" if result.engine == "ocr" else "offline"
    warnings: list[str] = list(result.warnings)
    engine = deps.engine
    if deps.models is not None and resume.kind != "json":
        try:
            engine = await deps.models(resume.organization_id)
        except ServiceError as exc:  # its apiBase no longer passes the address guard
            warnings.append(f"The organization's model is not used: {exc.message}")
            engine = None
    if engine is not None and resume.kind != "json":
        try:
            candidate = await engine.structure_resume(text=result.text)
            problems = validate_resume_data(candidate)
            if problems:
                raise ValueError("; ".join(problems[:3]))
            structured, engine_name = candidate, engine.name
        except Exception as exc:  # a model that is down, slow or returns garbage
            log.warning("model structuring failed for resume %s: %s", resume_id, exc)
            warnings.append(
                "The model did not return a valid resume; the offline engine's "
                "result is used"
            )
            engine_name = "offline (fallback)"
    if resume.kind != "json" and engine_name in (
        "offline",
        "ocr",
        "offline (fallback)",
    ):
        warnings.extend(field_warnings(structured, result.text))  # the rules' guesses
    await set_stage(deps.pubsub, resume, attempt=attempt, stage="saving", progress=90)
    await set_stage(
        deps.pubsub,
        resume,
        attempt=attempt,
        stage="done",
        progress=100,
        status="READY",
        text=result.text,
        structured_data=structured,
        engine=engine_name,
        warnings=warnings,
        error_code=None,
        error_message=None,
        master_rule=True,
    )
    if resume.is_master:  # the profile's index includes the master resume
        await indexing.changed(organization_id=resume.organization_id)
    return "READY"


async def _fail(
    deps: ParseDeps, resume: Resume, *, attempt: int, code: str, message: str
) -> str:
    return await fail(
        PARSE,
        deps.pubsub,
        resume,
        attempt=attempt,
        code=code,
        message=message,
        master_rule=resume.is_master,
    )
