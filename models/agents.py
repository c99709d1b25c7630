"""Agents: worker personas owned by users. Each user has one default agent, created
in the same transaction as the user; PUBLIC agents can be matched to job
descriptions and receive jobs from other organizations."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization, User


class Agent(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    owner_id: int
    name = fields.CharField(max_length=64)
    # lower-cased name: names are unique per owner ignoring case
    name_key = fields.CharField(max_length=64)
    personality = fields.TextField(null=True)
    avatar_url = fields.CharField(max_length=2048, null=True)
    is_default = fields.BooleanField(default=False)
    visibility = fields.CharField(max_length=8, default="PRIVATE")  # or PUBLIC
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "agents"
        unique_together = (("owner", "name_key"),)
        indexes = (("visibility", "id"), ("organization_id", "id"))
