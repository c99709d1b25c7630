"""The run lifecycle (`services.runs`) on resumes: parse and tailoring runs both
fill a PROCESSING resume, stage by stage, published on `resume:{id}` after each
stage is committed, so a subscriber that reads the row first and then listens
never misses the end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.resumes import Resume
from services import runs
from services.pubsub import PubSub
from services.resumes.master import hand_on_master, lock_organization
from services.runs import WAITING_STAGES, QueueLimits, RunKind

RUNS: runs.Lifecycle[Resume] = runs.Lifecycle(Resume, active={"status": "PROCESSING"})


def channel(resume_id: int) -> str:
    return f"resume:{resume_id}"


def event(resume: Resume) -> dict[str, Any]:
    return {
        "resume_id": resume.id,
        "status": resume.status,
        "stage": resume.stage,
        "progress": resume.progress,
        "error_code": resume.error_code,
        "error_message": resume.error_message,
    }


async def publish(pubsub: PubSub, resume: Resume, **changes: Any) -> None:
    """Apply `changes` (already committed) to the row in hand and publish it."""
    resume.update_from_dict(changes)
    await pubsub.publish(channel(resume.id), event(resume))


async def set_stage(
    pubsub: PubSub,
    resume: Resume,
    *,
    attempt: int,
    stage: str,
    progress: int,
    master_rule: bool = False,
    **values: Any,
) -> None:
    """Write a stage if this run (`attempt`) still owns the resume, then publish.
    With `master_rule` (a run ending), the organization's master is handed on if
    need be in the same transaction, so no one sees the end without it."""
    changes = {"stage": stage, "progress": progress, **values}
    if master_rule:
        async with in_transaction():
            await lock_organization(resume.organization_id)
            await RUNS.write(resume.id, attempt, changes)
            await hand_on_master(resume.organization_id)
    else:
        await RUNS.write(resume.id, attempt, changes)
    await publish(pubsub, resume, **changes)


async def fail(
    kind: RunKind,
    pubsub: PubSub,
    resume: Resume,
    *,
    attempt: int,
    code: str,
    message: str,
    master_rule: bool = False,
) -> str:
    """End the run FAILED with `code`; give back what it was charged unless the
    failure is the client's (the kind's rule). Returns "FAILED"."""
    await set_stage(
        pubsub,
        resume,
        attempt=attempt,
        stage="failed",
        progress=100,
        status="FAILED",
        error_code=code,
        error_message=message[:500],
        master_rule=master_rule,
    )
    if kind.refund is not None and kind.refunds(code):
        await kind.refund(resume)
    return "FAILED"


async def pending_jobs() -> int:
    """Jobs of every organization that wait for a worker: PROCESSING resumes
    (parses and tailoring runs) whose run has not started."""
    return await Resume.filter(status="PROCESSING", stage__in=WAITING_STAGES).count()


async def check_backpressure(*, limits: QueueLimits | None) -> None:
    """SERVICE_BUSY while `limits.max_pending` resume jobs wait (before charging)."""
    await runs.check_backpressure(limits=limits, pending=pending_jobs)


async def claim_stuck(*, older_than: datetime) -> list[int]:
    """PROCESSING resumes not touched since `older_than` (their job was lost),
    each claimed by touching it, so that of several sweepers only one requeues it."""
    return await RUNS.sweep(older_than=older_than)


async def stuck_kinds(ids: list[int]) -> dict[int, str]:
    """Which job each swept resume needs: `tailor` or `parse`."""
    rows = await Resume.filter(id__in=ids, kind="tailored").values_list("id")
    tailored = {int(i) for (i,) in rows}
    return {i: "tailor" if i in tailored else "parse" for i in ids}
