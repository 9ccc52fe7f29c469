"""A purchase reported by a POS or e-commerce integration."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Purchase(Model):
    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="purchases")
    amount = fields.BigIntField()  # minor units
    currency = fields.CharField(max_length=3)
    channel = fields.CharField(max_length=32)
    items = fields.JSONField(default=list)
    occurred_at = fields.DatetimeField()
    points_earned = fields.BigIntField()
    recorded_at = fields.DatetimeField()
    reversed_at = fields.DatetimeField(null=True)
    # Set when bought at a partner brand: settlement reports per partner.
    partner = fields.ForeignKeyField("models.Partner", related_name=False, null=True)

    class Meta:
        table = "purchase"
        indexes = (("member_id", "occurred_at"),)
