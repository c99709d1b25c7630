"""Owner profiles: the profile (one per organization), its sections (skills,
experience, education, projects, certifications, each row ordered by `position`),
and daily public-view counters for insights.

`extra` columns keep JSON Resume fields that have no column here, so an export,
import and export again loses nothing.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization


class Profile(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    username = fields.CharField(max_length=40, unique=True, null=True)
    full_name = fields.CharField(max_length=200, null=True)
    headline = fields.CharField(max_length=200, null=True)
    bio = fields.TextField(null=True)
    location = fields.CharField(max_length=200, null=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=40, null=True)
    website = fields.CharField(max_length=500, null=True)
    github_url = fields.CharField(max_length=500, null=True)
    linkedin_url = fields.CharField(max_length=500, null=True)
    open_to_work = fields.BooleanField(default=False)
    show_email = fields.BooleanField(default=False)
    show_phone = fields.BooleanField(default=False)
    theme_id = fields.CharField(max_length=32, default="classic")
    accent_color = fields.CharField(max_length=7, default="#2563eb")
    section_order = fields.JSONField[list[str]](default=list)
    hidden_sections = fields.JSONField[list[str]](default=list)
    font = fields.CharField(max_length=32, default="INTER")
    extra = fields.JSONField[dict[str, Any]](default=dict)
    extra_sections = fields.JSONField[dict[str, Any]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # bumped after every change of the profile or its sections (profile_cache)
    version = fields.BigIntField(default=0)

    class Meta:
        table = "profiles"


class SectionRow(Model):
    """Columns every section row has: its organization, profile and position."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    profile: fields.ForeignKeyRelation[Profile] = fields.ForeignKeyField(
        "models.Profile", related_name=False, on_delete=fields.CASCADE
    )
    profile_id: int
    position = fields.IntField(default=0)
    extra = fields.JSONField[dict[str, Any]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class Skill(SectionRow):
    name = fields.CharField(max_length=100)
    category = fields.CharField(max_length=100, null=True)
    level = fields.CharField(max_length=50, null=True)
    years = fields.FloatField(null=True)

    class Meta:
        table = "skills"
        indexes = (("profile_id", "position"),)


class Experience(SectionRow):
    title = fields.CharField(max_length=200)
    company = fields.CharField(max_length=200)
    location = fields.CharField(max_length=200, null=True)
    start_date = fields.CharField(max_length=10, null=True)
    end_date = fields.CharField(max_length=10, null=True)
    current = fields.BooleanField(default=False)
    description = fields.JSONField[list[str]](default=list)

    class Meta:
        table = "experiences"
        indexes = (("profile_id", "position"),)


class Education(SectionRow):
    institution = fields.CharField(max_length=200)
    degree = fields.CharField(max_length=200, null=True)
    field = fields.CharField(max_length=200, null=True)
    start_date = fields.CharField(max_length=10, null=True)
    end_date = fields.CharField(max_length=10, null=True)
    description = fields.JSONField[list[str]](default=list)
    courses = fields.JSONField[list[str]](default=list)

    class Meta:
        table = "educations"
        indexes = (("profile_id", "position"),)


class Project(SectionRow):
    name = fields.CharField(max_length=200)
    role = fields.CharField(max_length=200, null=True)
    start_date = fields.CharField(max_length=10, null=True)
    end_date = fields.CharField(max_length=10, null=True)
    urls = fields.JSONField[list[str]](default=list)
    description = fields.JSONField[list[str]](default=list)

    class Meta:
        table = "projects"
        indexes = (("profile_id", "position"),)


class Certification(SectionRow):
    name = fields.CharField(max_length=200)
    issuer = fields.CharField(max_length=200, null=True)
    issued = fields.CharField(max_length=10, null=True)
    expires = fields.CharField(max_length=10, null=True)
    credential_url = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "certifications"
        indexes = (("profile_id", "position"),)


class ProfileView(Model):
    """Public views of a profile per UTC day."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    profile: fields.ForeignKeyRelation[Profile] = fields.ForeignKeyField(
        "models.Profile", related_name=False, on_delete=fields.CASCADE
    )
    profile_id: int
    day = fields.DateField()
    count = fields.IntField(default=0)

    class Meta:
        table = "profile_views"
        unique_together = (("profile", "day"),)
