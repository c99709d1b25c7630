"""Billing: the credit ledger. The balance lives on `Organization.credits`; every change
is one `CreditEntry` written in the same transaction."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Organization


class CreditEntry(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name=False, on_delete=fields.CASCADE
    )
    organization_id: int
    delta = fields.IntField()
    balance_after = fields.IntField()
    reason = fields.CharField(max_length=64)
    # What the movement pays for, as "<kind>:<id>" (e.g. "job:42", "resume:7",
    # "checkout:cs_123", "payout:tr_9"); empty for grants by hand.
    subject = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "credit_entries"
        indexes = (("organization_id", "id"),)
