"""Accounts: users, organizations, memberships, refresh tokens, API keys,
security events, and API usage counters."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Organization(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    plan = fields.CharField(max_length=32, default="free")
    credits = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organizations"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255)
    default_organization: fields.ForeignKeyRelation[Organization] = (
        fields.ForeignKeyField("models.Organization", related_name=False)
    )
    default_organization_id: int
    avatar_url = fields.CharField(max_length=2048, null=True)
    # Stripe Connect (Express) account that receives payouts of earned credits.
    stripe_account_id = fields.CharField(max_length=64, null=True)
    # none | pending | active | restricted, following Stripe's `account.updated`.
    stripe_account_status = fields.CharField(max_length=16, default="none")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    role = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "memberships"
        unique_together = (("user", "organization"),)


class RefreshToken(Model):
    """One refresh token of a session family. Rotation marks the old one used."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    family = fields.CharField(max_length=64, db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_tokens"


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    created_by_id: int
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16)
    last_four = fields.CharField(max_length=4)
    key_hash = fields.CharField(max_length=64, unique=True)
    scopes = fields.JSONField[list[str]](default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class SecurityEvent(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyNullableRelation[Organization] = (
        fields.ForeignKeyField(
            "models.Organization",
            related_name=False,
            null=True,
            on_delete=fields.CASCADE,
        )
    )
    organization_id: int | None
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    kind = fields.CharField(max_length=32)
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    detail = fields.JSONField[dict[str, Any]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "security_events"
        indexes = (("organization_id", "id"),)


class UsageCounter(Model):
    """Requests per API key, per UTC day, per operation name."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    api_key: fields.ForeignKeyRelation[ApiKey] = fields.ForeignKeyField(
        "models.ApiKey", related_name=False, on_delete=fields.CASCADE
    )
    api_key_id: int
    day = fields.DateField()
    operation = fields.CharField(max_length=100)
    count = fields.IntField(default=0)

    class Meta:
        table = "usage_counters"
        unique_together = (("api_key", "day", "operation"),)
        indexes = (("organization_id", "day"),)
