"""Profile indexing: the chunks of a profile with their source, BM25 tokens and
embedding vectors, and one index state row per profile.

Vectors are little-endian float32 bytes in an ordinary binary column, so SQLite and
PostgreSQL store them alike without an extension; `engine` and `model` say which
model made each vector.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization
from models.profiles import Profile


class ProfileChunk(Model):
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
    # where the text comes from: about, contact, links, skills, experience,
    # education, projects, certifications (the profile) or resume (the master)
    section = fields.CharField(max_length=32)
    entry_id = fields.IntField(null=True)  # the section row (or resume) it cites
    visibility = fields.CharField(max_length=32)  # what must be public to show it
    text = fields.TextField()
    tokens = fields.JSONField[list[str]](default=list)
    vector = fields.BinaryField()
    dim = fields.IntField()
    engine = fields.CharField(max_length=16)
    model = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "profile_chunks"
        indexes = (("profile_id", "position"),)


class ProfileIndex(Model):
    """The indexing state of one profile (IDLE, QUEUED, INDEXING, READY, FAILED).

    `dirty_at` is the last change not yet indexed (the debounce runs from it);
    `attempts` claims a run like a resume's parse."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    profile: fields.OneToOneRelation[Profile] = fields.OneToOneField(
        "models.Profile", related_name=False, on_delete=fields.CASCADE
    )
    profile_id: int
    state = fields.CharField(max_length=16, default="IDLE")
    stage = fields.CharField(max_length=32, default="")
    progress = fields.IntField(default=0)
    indexed_chunks = fields.IntField(default=0)
    total_chunks = fields.IntField(default=0)
    engine = fields.CharField(max_length=16, default="")
    model = fields.CharField(max_length=100, default="")
    dirty_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_indexed_at = fields.DatetimeField(null=True)
    error_code = fields.CharField(max_length=40, null=True)
    error_message = fields.CharField(max_length=500, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "profile_indexes"
