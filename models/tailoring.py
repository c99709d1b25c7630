"""Tailoring: the per-organization model configuration, the monthly tailoring
quota, and the cover letters and outreach messages written for a resume."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization
from models.resumes import Resume


class LlmConfig(Model):
    """An organization's model settings. The API key is stored encrypted."""

    id = fields.IntField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    provider = fields.CharField(max_length=16, default="offline")
    model = fields.CharField(max_length=100, default="")
    api_key_encrypted = fields.TextField(default="")
    api_key_last_four = fields.CharField(max_length=4, default="")
    api_base = fields.CharField(max_length=500, default="")
    reasoning_effort = fields.CharField(max_length=16, default="")
    enable_cover_letter = fields.BooleanField(default=True)
    enable_outreach = fields.BooleanField(default=True)
    content_language = fields.CharField(max_length=35, default="en")
    default_strategy = fields.CharField(max_length=16, default="NUDGE")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "llm_configs"


class TailorUsage(Model):
    """Tailoring calls of an organization in one calendar month (UTC), counted
    against the plan's monthly quota."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    month = fields.CharField(max_length=7)
    count = fields.IntField(default=0)

    class Meta:
        table = "tailor_usage"
        unique_together = (("organization", "month"),)


class Letter(Model):
    """A cover letter or outreach message written for one resume and one job."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    resume: fields.ForeignKeyRelation[Resume] = fields.ForeignKeyField(
        "models.Resume", related_name=False, on_delete=fields.CASCADE
    )
    resume_id: int
    kind = fields.CharField(max_length=16)
    content = fields.TextField(default="")
    subject = fields.CharField(max_length=200, default="")
    job_description = fields.TextField(default="")
    company = fields.CharField(max_length=200, default="")
    job_title = fields.CharField(max_length=200, default="")
    language = fields.CharField(max_length=35, default="en")
    engine = fields.CharField(max_length=32, default="")
    removed = fields.JSONField[list[dict[str, Any]]](default=list)
    warnings = fields.JSONField[list[str]](default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "letters"
        indexes = (("resume_id", "kind", "id"),)
