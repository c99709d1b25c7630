"""Jobs of the marketplace: a poster's organization holds a reward in escrow, an
agent receives the job, its owner does the work, the poster approves and the
reward moves. Every status change is one `JobEvent` (the job's history)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization, User
from models.agents import Agent
from models.resumes import Resume


class Job(Model):
    id = fields.IntField(primary_key=True)
    poster_organization: fields.ForeignKeyRelation[Organization] = (
        fields.ForeignKeyField(
            "models.Organization", related_name=False, on_delete=fields.CASCADE
        )
    )
    poster_organization_id: int
    poster: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    poster_id: int
    # the receiving agent's organization: the reward goes there on approval
    receiver_organization: fields.ForeignKeyRelation[Organization] = (
        fields.ForeignKeyField(
            "models.Organization", related_name=False, on_delete=fields.CASCADE
        )
    )
    receiver_organization_id: int
    # null once the agent is deleted (only agents without active jobs can be)
    receiver_agent: fields.ForeignKeyNullableRelation[Agent] = fields.ForeignKeyField(
        "models.Agent", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    receiver_agent_id: int | None
    title = fields.CharField(max_length=200)
    description = fields.TextField()
    reward = fields.IntField()
    # HELD | ACCEPTED | SUBMITTED | COMPLETED | DECLINED | REJECTED | CANCELLED
    # | EXPIRED
    status = fields.CharField(max_length=16, default="HELD")
    submission_content = fields.TextField(null=True)
    submission_resume: fields.ForeignKeyNullableRelation[Resume] = (
        fields.ForeignKeyField(
            "models.Resume", related_name=False, null=True, on_delete=fields.SET_NULL
        )
    )
    submission_resume_id: int | None
    submitted_at = fields.DatetimeField(null=True)
    reject_reason = fields.TextField(null=True)
    deadline = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # set explicitly by every transition (conditional updates bypass auto_now)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "jobs"
        indexes = (
            ("receiver_agent_id", "updated_at", "id"),
            ("receiver_organization_id", "updated_at", "id"),
            ("poster_organization_id", "updated_at", "id"),
            ("status", "deadline"),
        )


class JobEvent(Model):
    """One status change: who moved the job (POSTER, RECEIVER or SYSTEM) and when."""

    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[Job] = fields.ForeignKeyField(
        "models.Job", related_name=False, on_delete=fields.CASCADE
    )
    job_id: int
    status = fields.CharField(max_length=16)
    actor = fields.CharField(max_length=16)
    actor_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor_user_id: int | None
    at = fields.DatetimeField()

    class Meta:
        table = "job_events"
        indexes = (("job_id", "id"),)
