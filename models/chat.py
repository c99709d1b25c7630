"""Visitor chat: conversations with a public profile and their messages.

A visitor is only a salted hash (HMAC of the IP and the user-agent family under a
key derived from SECRET_KEY); no address or user agent is stored.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization
from models.profiles import Profile


class Conversation(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    profile: fields.ForeignKeyRelation[Profile] = fields.ForeignKeyField(
        "models.Profile", related_name=False, on_delete=fields.CASCADE
    )
    profile_id: int
    token = fields.CharField(max_length=64, unique=True)  # the visitor's conversationId
    visitor_hash = fields.CharField(max_length=64)
    question_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "chat_conversations"
        indexes = (("organization_id", "created_at"),)


class ChatMessage(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name=False, on_delete=fields.CASCADE
    )
    conversation_id: int
    question = fields.TextField()
    answer = fields.TextField()
    answered = fields.BooleanField()
    citations = fields.JSONField[list[dict[str, Any]]](default=list)
    engine = fields.CharField(max_length=16, default="offline")
    removed = fields.IntField(default=0)  # model sentences the check removed
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_messages"
        indexes = (("organization_id", "created_at"),)
