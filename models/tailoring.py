"""Tailoring: the per-organization language-model configuration."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization


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
