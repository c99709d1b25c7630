"""Resumes: uploaded files, their parsing state and structured data, and import
previews into the profile."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization


class Resume(Model):
    """One resume of an organization. An upload keeps its original bytes so a
    failed parse can run again; `sha256` makes a second upload of the same file a
    DUPLICATE_UPLOAD. Exactly one resume of an organization is its master."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    parent: fields.ForeignKeyNullableRelation[Resume] = fields.ForeignKeyField(
        "models.Resume", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    parent_id: int | None
    title = fields.CharField(max_length=200, default="")
    filename = fields.CharField(max_length=255, default="")
    kind = fields.CharField(max_length=16, default="")
    size = fields.IntField(default=0)
    sha256 = fields.CharField(max_length=64, null=True)
    source = fields.BinaryField(null=True)
    status = fields.CharField(max_length=16, default="PROCESSING")
    stage = fields.CharField(max_length=32, default="received")
    progress = fields.IntField(default=0)
    error_code = fields.CharField(max_length=40, null=True)
    error_message = fields.CharField(max_length=500, null=True)
    engine = fields.CharField(max_length=32, default="")
    warnings = fields.JSONField[list[str]](default=list)
    text = fields.TextField(default="")
    structured_data = fields.JSONField[dict[str, Any] | None](null=True)
    is_master = fields.BooleanField(default=False)
    tags = fields.JSONField[list[str]](default=list)
    locale = fields.CharField(max_length=35, default="en")
    charged = fields.BooleanField(default=False)
    refunded = fields.BooleanField(default=False)
    attempts = fields.IntField(default=0)
    # tailoring (set on a resume tailored from `parent`)
    job_description = fields.TextField(null=True)
    job_keywords = fields.JSONField[dict[str, Any] | None](null=True)
    strategy = fields.CharField(max_length=16, null=True)
    output_language = fields.CharField(max_length=35, null=True)
    generate_pdf = fields.BooleanField(default=False)
    refinement = fields.JSONField[dict[str, Any] | None](null=True)
    pdf_hash = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "resumes"
        unique_together = (("organization", "sha256"),)
        indexes = (("organization_id", "updated_at"), ("status", "updated_at"))


class ImportPreview(Model):
    """What an import would add, change or leave, kept until committed or expired."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    resume: fields.ForeignKeyNullableRelation[Resume] = fields.ForeignKeyField(
        "models.Resume", related_name=False, null=True, on_delete=fields.CASCADE
    )
    resume_id: int | None
    plan = fields.JSONField[dict[str, Any]](default=dict)
    committed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "import_previews"
