"""GraphQL types of the jobs domain: jobs (escrowed credit rewards moving through
their lifecycle), their history and submission, the live job events, and the job
mutations' inputs and payloads."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry import relay

from models.jobs import Job as JobRow
from schema.agents import AgentNode, UserSummary
from schema.base import Connection, Edge, InvalidArgument, Node, UserError, Window
from schema.base import int_ids as _int_ids
from schema.context import Info
from schema.docs import describe_values

if TYPE_CHECKING:
    from models.jobs import JobEvent as JobEventRow


@describe_values(
    HELD=(
        "Posted; the reward is held from the poster's credits, "
        "waiting for the receiver."
    ),
    ACCEPTED="The receiver took it.",
    SUBMITTED="The receiver delivered; the poster approves or rejects.",
    COMPLETED="Approved: the reward went to the receiving agent's owner.",
    DECLINED="The receiver declined: the reward went back.",
    REJECTED="The poster rejected the work: the reward went back.",
    CANCELLED="The poster cancelled it while HELD: the reward went back.",
    EXPIRED=("Past its deadline while HELD or ACCEPTED: the reward went back."),
)
@strawberry.enum(
    description=(
        "Where a job stands: HELD, then ACCEPTED, SUBMITTED and "
        "COMPLETED, or one of the ends DECLINED, REJECTED, CANCELLED,"
        " EXPIRED."
    )
)
class JobStatus(Enum):
    HELD = "HELD"
    ACCEPTED = "ACCEPTED"
    SUBMITTED = "SUBMITTED"
    COMPLETED = "COMPLETED"
    DECLINED = "DECLINED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


@strawberry.enum(description="Who moved a job: its poster, its receiver, the system.")
class JobActor(Enum):
    POSTER = strawberry.enum_value(
        "POSTER", description="The organization that posted it."
    )
    RECEIVER = strawberry.enum_value(
        "RECEIVER", description="The agent's organization."
    )
    SYSTEM = strawberry.enum_value("SYSTEM", description="The server (expiry, sweeps).")


@strawberry.type(description="The work a receiver delivered.")
class JobSubmission:
    content: str = strawberry.field(description="The work, 1 to 50,000 characters.")
    resume_id: strawberry.ID | None = strawberry.field(
        description="Global id of a resume of the receiver's organization."
    )
    submitted_at: dt.datetime = strawberry.field(description="When it was submitted.")


@strawberry.type(description="A status change of a job.")
class JobHistoryEntry:
    status: JobStatus = strawberry.field(description="The status entered.")
    at: dt.datetime = strawberry.field(description="When.")
    actor: JobActor = strawberry.field(description="Who moved it.")

    @classmethod
    def from_row(cls, row: JobEventRow) -> Self:
        return cls(status=JobStatus(row.status), at=row.at, actor=JobActor(row.actor))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def job_cursor(row: JobRow) -> str:
    micros = (row.updated_at - _EPOCH) // dt.timedelta(microseconds=1)  # exact
    return base64.urlsafe_b64encode(f"job:{micros}:{row.id}".encode()).decode()


def decode_job_cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    if cursor is None:
        return None
    try:
        kind, micros, key = base64.urlsafe_b64decode(cursor).decode().split(":")
        if kind != "job":
            raise ValueError(kind)
        at = _EPOCH + dt.timedelta(microseconds=int(micros))
        return at, int(key)
    except (ValueError, OverflowError, OSError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(f"Invalid cursor {cursor[:40]!r}") from None


@strawberry.type(name="Job", description="A job with an escrowed credit reward.")
class JobNode(Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="1-200 characters.")
    description: str = strawberry.field(
        description="What is asked, 1-20,000 characters."
    )
    reward: int = strawberry.field(
        description="Credits held from the poster and paid on approval."
    )
    status: JobStatus = strawberry.field(description="Where the job stands.")
    deadline: dt.datetime | None = strawberry.field(
        description=(
            "Still HELD or ACCEPTED after it, the job expires; null when none."
        )
    )
    created_at: dt.datetime = strawberry.field(description="When it was posted.")
    updated_at: dt.datetime = strawberry.field(
        description="When its status last changed."
    )
    reject_reason: str | None = strawberry.field(
        description="Why the poster rejected the work; null unless REJECTED."
    )
    row: strawberry.Private[JobRow]

    @classmethod
    def from_row(cls, row: JobRow) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            reward=row.reward,
            status=JobStatus(row.status),
            deadline=row.deadline,
            created_at=row.created_at,
            updated_at=row.updated_at,
            reject_reason=row.reject_reason,
            row=row,
        )

    @strawberry.field(description="The user who posted the job.")
    async def poster(self, info: Info) -> UserSummary:
        loader = info.context.loaders.agents.user_summary_by_id
        user = await loader.load(self.row.poster_id)
        assert user is not None
        return UserSummary.from_row(user)

    @strawberry.field(description="The receiving agent; null once it was deleted.")
    async def receiver(self, info: Info) -> AgentNode | None:
        if self.row.receiver_agent_id is None:
            return None
        loaders = info.context.loaders.agents
        agent = await loaders.agent_by_id.load(self.row.receiver_agent_id)
        if agent is None:
            return None
        return AgentNode.from_row(
            agent, viewer_organization_id=loaders.organization_id()
        )

    @strawberry.field(description="The delivered work; null until SUBMITTED.")
    def submission(self) -> JobSubmission | None:
        row = self.row
        if row.submission_content is None or row.submitted_at is None:
            return None
        resume = row.submission_resume_id
        return JobSubmission(
            content=row.submission_content,
            resume_id=strawberry.ID(relay.to_base64("Resume", resume))
            if resume is not None
            else None,
            submitted_at=row.submitted_at,
        )

    @strawberry.field(description="Every status change, oldest first.")
    async def history(self, info: Info) -> list[JobHistoryEntry]:
        events = await info.context.loaders.agents.history_by_job_id.load(self.id)
        return [JobHistoryEntry.from_row(e) for e in events]

    @classmethod
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        rows = await info.context.loaders.agents.job_by_id.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(
    name="JobConnection",
    description="A page of jobs, newest update first.",
)
class JobConnection(Connection[JobNode]):
    """A concrete class, so that `Agent.jobs` can name it lazily."""


def job_connection(
    rows: list[JobRow],
    size: int,
    after: str | None,
    make: Callable[[JobRow], JobNode],
    win: Window | None = None,
) -> JobConnection:
    """A page of jobs; with `win`, of a forward or backward window."""
    win = win or Window(size=size, cursor=after)
    edges = [Edge(cursor=job_cursor(r), node=make(r)) for r in win.rows(rows)]
    return JobConnection(edges=edges, page_info=win.page_info(edges, rows))


@strawberry.type(description="A status change of a job the viewer posted or received.")
class JobEvent:
    job: JobNode = strawberry.field(description="The job, read when the event is sent.")
    status: JobStatus = strawberry.field(description="The status entered.")
    actor: JobActor = strawberry.field(description="Who moved it.")
    at: dt.datetime = strawberry.field(description="When.")

    @classmethod
    def from_message(cls, job: JobRow, message: dict[str, Any]) -> Self:
        return cls(
            job=JobNode.from_row(job),
            status=JobStatus(message["status"]),
            actor=JobActor(message["actor"]),
            at=dt.datetime.fromisoformat(message["at"]),
        )


# -- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="A job to post.")
class PostJobInput:
    title: str = strawberry.field(description="1-200 characters.")
    description: str = strawberry.field(description="1-20,000 characters.")
    reward: int = strawberry.field(
        description="Credits (at least 1) held from your balance until the job ends."
    )
    agent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A PUBLIC agent or one of yours; left out, the best match of "
        "matchAgents among other organizations' agents.",
    )
    deadline: dt.datetime | None = strawberry.field(
        default=None,
        description="Still HELD or ACCEPTED after it, the job expires and the "
        "reward goes back.",
    )


@strawberry.input(description="The job to accept.")
class AcceptJobInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a HELD job your agent received."
    )


@strawberry.input(description="The job to decline.")
class DeclineJobInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a HELD job your agent received."
    )


@strawberry.input(description="The job to approve.")
class ApproveJobInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a SUBMITTED job you posted."
    )


@strawberry.input(description="The job to cancel.")
class CancelJobInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a HELD job you posted."
    )


@strawberry.input(description="The work for an accepted job.")
class SubmitJobInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of an ACCEPTED job your agent received."
    )
    content: str = strawberry.field(description="1-50,000 characters.")
    resume_id: strawberry.ID | None = strawberry.field(
        default=None, description="A resume of your organization to deliver."
    )


@strawberry.input(description="The job to reject, and why.")
class RejectJobInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a SUBMITTED job you posted."
    )
    reason: str = strawberry.field(description="1-2,000 characters.")


@strawberry.type(description="The result of a job mutation.")
class JobPayload:
    job: JobNode | None = strawberry.field(
        default=None, description="The job after the change; null on a user error."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "INVALID_STATE when the job is not in the status the move "
            "needs, NOT_FOUND, INSUFFICIENT_CREDITS (postJob), "
            "VALIDATION_ERROR; empty on success."
        ),
    )
