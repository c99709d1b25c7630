"""Resolvers of the jobs domain: posting, the six transitions, the viewer's job
lists, and the live job events."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id
from schema.context import Info
from schema.jobs import (
    AcceptJobInput,
    ApproveJobInput,
    CancelJobInput,
    DeclineJobInput,
    JobEvent,
    JobNode,
    JobPayload,
    PostJobInput,
    RejectJobInput,
    SubmitJobInput,
)
from services import jobs
from services.errors import ServiceError


async def post_job(info: Info, input: PostJobInput) -> JobPayload:
    actor = info.context.require_actor()
    try:
        agent_id = (
            decode_node_id(input.agent_id, "Agent", field="agentId")
            if input.agent_id is not None
            else None
        )
        row = await jobs.post_job(
            actor=actor,
            pubsub=info.context.runtime.pubsub,
            title=input.title,
            description=input.description,
            reward=input.reward,
            agent_id=agent_id,
            deadline=input.deadline,
            settings=info.context.runtime.settings,
        )
    except ServiceError as exc:
        return JobPayload(user_errors=user_errors(exc))
    return JobPayload(job=JobNode.from_row(row))


async def _transition(
    info: Info,
    job_id: str,
    action: str,
    *,
    content: str | None = None,
    resume_id: str | None = None,
    reason: str | None = None,
) -> JobPayload:
    actor = info.context.require_actor()
    try:
        row = await jobs.transition(
            actor=actor,
            pubsub=info.context.runtime.pubsub,
            job_id=decode_node_id(job_id, "Job"),
            action=action,
            content=content,
            resume_id=decode_node_id(resume_id, "Resume", field="resumeId")
            if resume_id is not None
            else None,
            reason=reason,
        )
    except ServiceError as exc:
        return JobPayload(user_errors=user_errors(exc))
    return JobPayload(job=JobNode.from_row(row))


async def accept_job(info: Info, input: AcceptJobInput) -> JobPayload:
    return await _transition(info, input.id, "accept")


async def decline_job(info: Info, input: DeclineJobInput) -> JobPayload:
    return await _transition(info, input.id, "decline")


async def submit_job(info: Info, input: SubmitJobInput) -> JobPayload:
    return await _transition(
        info, input.id, "submit", content=input.content, resume_id=input.resume_id
    )


async def approve_job(info: Info, input: ApproveJobInput) -> JobPayload:
    return await _transition(info, input.id, "approve")


async def reject_job(info: Info, input: RejectJobInput) -> JobPayload:
    return await _transition(info, input.id, "reject", reason=input.reason)


async def cancel_job(info: Info, input: CancelJobInput) -> JobPayload:
    return await _transition(info, input.id, "cancel")


async def job_events(info: Info) -> AsyncGenerator[JobEvent, None]:
    actor = info.context.require_actor()
    channel = jobs.jobs_channel(actor.organization_id)
    async with info.context.runtime.pubsub.subscribe(channel) as messages:
        async for message in messages:
            rows = await jobs.jobs_by_id(actor=actor, ids=[message["job_id"]])
            if rows:
                yield JobEvent.from_message(rows[0], message)
