"""Stored files (exports, rendered PDFs), served only by expiring signed links."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization


class StoredFile(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    kind = fields.CharField(max_length=32)
    filename = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField()
    data = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "stored_files"
        indexes = (("organization_id", "sha256"),)
