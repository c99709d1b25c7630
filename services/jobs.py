"""The jobs marketplace: post a job with a credit reward held in escrow, and move
it through its lifecycle. Every credit movement is a ledger entry (reason and
`job:<id>` subject) written in the same transaction as the status change, which
is a conditional update: of concurrent requests, one moves the job and its
credits, the others find the state changed (INVALID_STATE).

    HELD --accept--> ACCEPTED --submit--> SUBMITTED --approve--> COMPLETED
    HELD --decline--> DECLINED, HELD --cancel--> CANCELLED,
    SUBMITTED --reject--> REJECTED, HELD/ACCEPTED past the deadline --> EXPIRED

The poster is the posting organization, the receiver the receiving agent's
organization. A job is visible to both; to anyone else it does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from tortoise import connections
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from models.agents import Agent
from models.jobs import Job, JobEvent
from services import agents, billing, resumes
from services.errors import (
    Forbidden,
    InsufficientCredits,
    InvalidState,
    NoMatchingAgent,
    NotFound,
    ValidationFailed,
)
from services.pubsub import PubSub

if TYPE_CHECKING:
    from services.accounts import Actor
    from settings import Settings

log = logging.getLogger(__name__)

STATUSES = (
    "HELD",
    "ACCEPTED",
    "SUBMITTED",
    "COMPLETED",
    "DECLINED",
    "REJECTED",
    "CANCELLED",
    "EXPIRED",
)
EXPIRABLE = ("HELD", "ACCEPTED")
MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_CONTENT = 50_000
MAX_REASON = 2_000
MAX_REWARD = 1_000_000
EXPIRE_BATCH = 500

Party = Literal["POSTER", "RECEIVER"]


@dataclass(frozen=True, slots=True)
class Transition:
    party: Party
    sources: tuple[str, ...]
    target: str
    # where the reward goes: None (stays held), "poster" (refund), "receiver"
    pays: Literal["poster", "receiver"] | None


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition("RECEIVER", ("HELD",), "ACCEPTED", None),
    "decline": Transition("RECEIVER", ("HELD",), "DECLINED", "poster"),
    "submit": Transition("RECEIVER", ("ACCEPTED",), "SUBMITTED", None),
    "approve": Transition("POSTER", ("SUBMITTED",), "COMPLETED", "receiver"),
    "reject": Transition("POSTER", ("SUBMITTED",), "REJECTED", "poster"),
    "cancel": Transition("POSTER", ("HELD",), "CANCELLED", "poster"),
}


def jobs_channel(organization_id: int) -> str:
    return f"org:{organization_id}:jobs"


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not 1 <= len(text) <= limit:
        raise ValidationFailed(f"{field} must be 1-{limit} characters", field=[field])
    return text


def _visible(actor: Actor) -> Q:
    org = actor.organization_id
    return Q(poster_organization_id=org) | Q(receiver_organization_id=org)


async def _publish(pubsub: PubSub, job: Job, event: JobEvent) -> None:
    message = {
        "job_id": job.id,
        "status": event.status,
        "actor": event.actor,
        "at": event.at.isoformat(),
    }
    for org in sorted({job.poster_organization_id, job.receiver_organization_id}):
        try:
            await pubsub.publish(jobs_channel(org), message)
        except Exception:  # the change is committed; a lost event is only late news
            log.exception("could not publish job event %s", job.id)


# -- posting --------------------------------------------------------------------------


async def post_job(
    *,
    actor: Actor,
    pubsub: PubSub,
    title: str,
    description: str,
    reward: int,
    agent_id: int | None,
    deadline: datetime | None,
    settings: Settings | None = None,
) -> Job:
    """Create a HELD job and hold its reward from the poster's balance."""
    title = _text(title, "title", MAX_TITLE)
    description = _text(description, "description", MAX_DESCRIPTION)
    if not 1 <= reward <= MAX_REWARD:
        raise ValidationFailed(
            f"reward must be between 1 and {MAX_REWARD} credits", field=["reward"]
        )
    now = _now()
    if deadline is not None:
        if deadline.tzinfo is None:
            deadline = deadline.replace(tzinfo=UTC)
        if deadline <= now:
            raise ValidationFailed("deadline must be in the future", field=["deadline"])
    if agent_id is None:
        matches = await agents.match_agents(
            actor=actor,
            description=f"{title}\n{description}"[: agents.MAX_DESCRIPTION],
            first=1,
            exclude_organization_id=actor.organization_id,
            settings=settings,
        )
        if not matches:
            raise NoMatchingAgent(
                "No public agent matches this job", field=["description"]
            )
        agent_id = matches[0].agent.id
    async with in_transaction():
        agent = await Agent.filter(id=agent_id).select_for_update().first()
        if agent is None or not agents.visible_to(agent, actor.organization_id):
            raise NotFound("Agent not found", field=["agentId"])
        job = await Job.create(
            poster_organization_id=actor.organization_id,
            poster_id=actor.user_id,
            receiver_organization_id=agent.organization_id,
            receiver_agent_id=agent.id,
            title=title,
            description=description,
            reward=reward,
            status="HELD",
            deadline=deadline,
            updated_at=now,
        )
        event = await JobEvent.create(
            job_id=job.id,
            status="HELD",
            actor="POSTER",
            actor_user_id=actor.user_id,
            at=now,
        )
        try:
            await billing.change_credits(
                organization_id=actor.organization_id,
                delta=-reward,
                reason="job_hold",
                subject=f"job:{job.id}",
            )
        except InsufficientCredits as exc:
            raise InsufficientCredits(exc.message, field=["reward"]) from None
    await _publish(pubsub, job, event)
    return job


# -- transitions ----------------------------------------------------------------------


async def _job_for(actor: Actor, job_id: int) -> Job:
    job = await Job.filter(_visible(actor), id=job_id).first()
    if job is None:
        raise NotFound("Job not found", field=["id"])
    return job


def _is_party(actor: Actor, job: Job, party: Party) -> bool:
    org = (
        job.poster_organization_id
        if party == "POSTER"
        else job.receiver_organization_id
    )
    return actor.organization_id == org


def _overdue(job: Job, now: datetime) -> bool:
    return job.status in EXPIRABLE and job.deadline is not None and job.deadline <= now


async def transition(
    *,
    actor: Actor,
    pubsub: PubSub,
    job_id: int,
    action: str,
    content: str | None = None,
    resume_id: int | None = None,
    reason: str | None = None,
) -> Job:
    """Apply one of `TRANSITIONS` as the actor; raises NotFound (not a party),
    Forbidden (a party without that right), InvalidState (wrong state)."""
    rule = TRANSITIONS[action]
    job = await _job_for(actor, job_id)
    if not _is_party(actor, job, rule.party):
        who = "poster" if rule.party == "POSTER" else "receiving agent's owner"
        raise Forbidden(f"Only the job's {who} may {action} it")
    extra: dict[str, Any] = {}
    now = _now()
    if action == "submit":
        extra["submission_content"] = _text(content, "content", MAX_CONTENT)
        extra["submitted_at"] = now
        if resume_id is not None:
            found = await resumes.get_resumes(
                organization_id=job.receiver_organization_id, ids=[resume_id]
            )
            if not found:
                raise NotFound("Resume not found", field=["resumeId"])
            extra["submission_resume_id"] = resume_id
    if action == "reject":
        extra["reject_reason"] = _text(reason, "reason", MAX_REASON)
    if _overdue(job, now):
        await expire_job(job_id=job.id, pubsub=pubsub, now=now)
        raise InvalidState(f"The job expired at {job.deadline}", field=["id"])
    async with in_transaction():
        query = Job.filter(id=job.id, status__in=rule.sources)
        if rule.target in ("ACCEPTED", "SUBMITTED"):  # not past the deadline
            query = query.filter(Q(deadline__isnull=True) | Q(deadline__gt=now))
        moved = await query.update(status=rule.target, updated_at=now, **extra)
        if not moved:
            current = await Job.get(id=job.id).values_list("status", flat=True)
            raise InvalidState(f"Cannot {action} a job that is {current}", field=["id"])
        event = await JobEvent.create(
            job_id=job.id,
            status=rule.target,
            actor=rule.party,
            actor_user_id=actor.user_id,
            at=now,
        )
        await _pay(job, rule.pays)
    job = await Job.get(id=job.id)
    await _publish(pubsub, job, event)
    return job


async def _pay(job: Job, pays: str | None) -> None:
    if pays == "receiver":
        await billing.change_credits(
            organization_id=job.receiver_organization_id,
            delta=job.reward,
            reason="job_reward",
            subject=f"job:{job.id}",
        )
    elif pays == "poster":
        await billing.change_credits(
            organization_id=job.poster_organization_id,
            delta=job.reward,
            reason="job_refund",
            subject=f"job:{job.id}",
        )


async def expire_job(*, job_id: int, pubsub: PubSub, now: datetime) -> bool:
    """EXPIRED and the reward back, when the job is still HELD or ACCEPTED past
    its deadline; False when another change came first."""
    async with in_transaction():
        moved = await Job.filter(
            id=job_id, status__in=EXPIRABLE, deadline__lte=now
        ).update(status="EXPIRED", updated_at=now)
        if not moved:
            return False
        job = await Job.get(id=job_id)
        event = await JobEvent.create(
            job_id=job_id, status="EXPIRED", actor="SYSTEM", at=now
        )
        await _pay(job, "poster")
    await _publish(pubsub, job, event)
    return True


async def expire_overdue(*, pubsub: PubSub, now: datetime | None = None) -> int:
    """The sweeper's work: expire every overdue HELD or ACCEPTED job (idempotent;
    several sweepers expire each job once)."""
    now = now or _now()
    expired = 0
    while True:
        ids: list[int] = [
            job.id
            for job in await Job.filter(status__in=EXPIRABLE, deadline__lte=now)
            .order_by("id")
            .limit(EXPIRE_BATCH)
            .only("id")
        ]
        for job_id in ids:
            expired += await expire_job(job_id=job_id, pubsub=pubsub, now=now)
        if len(ids) < EXPIRE_BATCH:
            return expired


# -- reads (for loaders and the subscription) -----------------------------------------

Keyset = tuple[datetime, int]


def _after(keyset: Keyset | None, backward: bool = False) -> Q:
    """Beyond the keyset in the walking direction: newest update first, or
    (`backward`) oldest first."""
    if keyset is None:
        return Q()
    at, last_id = keyset
    if backward:
        return Q(updated_at__gt=at) | Q(updated_at=at, id__gt=last_id)
    return Q(updated_at__lt=at) | Q(updated_at=at, id__lt=last_id)


def _walk(backward: bool) -> tuple[str, str]:
    return ("updated_at", "id") if backward else ("-updated_at", "-id")


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"Unknown status {status!r}", field=["status"])


async def worker_status(
    *,
    actor: Actor,
    first: int,
    after: Keyset | None,
    status: str | None,
    backward: bool = False,
) -> list[Job]:
    """Jobs received by any of the viewer's agents (the seed's worker status),
    newest update first: `first + 1` rows."""
    _check_status(status)
    own = Agent.filter(owner_id=actor.user_id, organization_id=actor.organization_id)
    query = Job.filter(
        _after(after, backward),
        receiver_organization_id=actor.organization_id,
        receiver_agent_id__in=Subquery(own.values("id")),
    )
    if status:
        query = query.filter(status=status)
    return await query.order_by(*_walk(backward)).limit(first + 1)


async def count_worker_status(*, actor: Actor, status: str | None) -> int:
    _check_status(status)
    own = Agent.filter(owner_id=actor.user_id, organization_id=actor.organization_id)
    query = Job.filter(
        receiver_organization_id=actor.organization_id,
        receiver_agent_id__in=Subquery(own.values("id")),
    )
    return await (query.filter(status=status) if status else query).count()


async def count_posted_jobs(*, actor: Actor, status: str | None) -> int:
    _check_status(status)
    query = Job.filter(poster_organization_id=actor.organization_id)
    return await (query.filter(status=status) if status else query).count()


async def count_jobs_of_agents(
    *, actor: Actor, agent_ids: Sequence[int], status: str | None
) -> dict[int, int]:
    """How many jobs each agent of the viewer's organization received: one
    grouped COUNT query."""
    _check_status(status)
    query = Job.filter(
        receiver_organization_id=actor.organization_id,
        receiver_agent_id__in=list(agent_ids),
    )
    if status:
        query = query.filter(status=status)
    counted = (
        await query.annotate(n=Count("id"))
        .group_by("receiver_agent_id")
        .values_list("receiver_agent_id", "n")
    )
    found = {int(agent): int(n) for agent, n in counted}
    return {int(i): found.get(int(i), 0) for i in agent_ids}


async def posted_jobs(
    *,
    actor: Actor,
    first: int,
    after: Keyset | None,
    status: str | None,
    backward: bool = False,
) -> list[Job]:
    _check_status(status)
    query = Job.filter(
        _after(after, backward), poster_organization_id=actor.organization_id
    )
    if status:
        query = query.filter(status=status)
    return await query.order_by(*_walk(backward)).limit(first + 1)


async def jobs_of_agents(
    *,
    actor: Actor,
    agent_ids: Sequence[int],
    first: int,
    after: Keyset | None,
    status: str | None,
    backward: bool = False,
) -> dict[int, list[Job]]:
    """Up to `first + 1` jobs per agent of the viewer's organization, newest update
    first (`backward`: oldest first), in one query (a window function numbers
    each agent's jobs)."""
    _check_status(status)
    ids = [int(i) for i in agent_ids]
    if not ids:
        return {}
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    params: list[Any] = []

    def p(value: Any) -> str:
        params.append(value)
        return f"${len(params)}" if postgres else "?"

    where = [
        f"receiver_organization_id = {p(actor.organization_id)}",
        f"receiver_agent_id IN ({', '.join(p(i) for i in ids)})",
    ]
    if status:
        where.append(f"status = {p(status)}")
    if after is not None:
        at, last_id = after
        at_value: Any = (
            at if postgres else Job._meta.fields_map["updated_at"].to_db_value(at, Job)
        )
        op = ">" if backward else "<"
        where.append(
            f"(updated_at {op} {p(at_value)} OR (updated_at = {p(at_value)} "
            f"AND id {op} {p(last_id)}))"
        )
    sort = "ASC" if backward else "DESC"
    # every value is a bound parameter; only placeholders are formatted in
    sql = (
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY "  # noqa: S608
        f"receiver_agent_id ORDER BY updated_at {sort}, id {sort}) AS n "
        f"FROM jobs WHERE {' AND '.join(where)}) ranked WHERE n <= {p(first + 1)}"
    )
    _, rows = await conn.execute_query(sql, params)
    job_ids = [int(row["id"]) for row in rows]
    jobs = await Job.filter(id__in=job_ids).order_by(*_walk(backward))
    out: dict[int, list[Job]] = {i: [] for i in ids}
    for job in jobs:
        if job.receiver_agent_id is not None:
            out[job.receiver_agent_id].append(job)
    return out


async def jobs_by_id(*, actor: Actor, ids: Sequence[int]) -> list[Job]:
    return await Job.filter(_visible(actor), id__in=list(ids)) if ids else []


async def history(*, job_ids: Sequence[int]) -> dict[int, list[JobEvent]]:
    """Status changes of jobs the caller may already see, oldest first."""
    out: dict[int, list[JobEvent]] = {int(i): [] for i in job_ids}
    if job_ids:
        for event in await JobEvent.filter(job_id__in=list(job_ids)).order_by("id"):
            out[event.job_id].append(event)
    return out
