"""Rendered resume PDFs, cached per organization by the hash of what they were
rendered from (document, theme, language and renderer version)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization


class RenderedPdf(Model):
    """A rendered PDF, reused whenever the same content hash is asked for again."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    content_hash = fields.CharField(max_length=64)
    theme = fields.CharField(max_length=32)
    data = fields.BinaryField()
    size = fields.IntField()
    pages = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "rendered_pdfs"
        unique_together = (("organization", "content_hash"),)
