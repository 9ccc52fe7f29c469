"""Tiers of a program and the history of members moving between them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Tier(Model):
    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name="tiers")
    name = fields.CharField(max_length=100)
    # Qualifying value (points or spend, per program) over the rolling window.
    threshold = fields.BigIntField()
    earn_multiplier = fields.DecimalField(max_digits=6, decimal_places=2, default=1)
    benefits = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tier"
        unique_together = (("program", "name"), ("program", "threshold"))


class TierChange(Model):
    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="tier_changes")
    from_tier = fields.ForeignKeyField(
        "models.Tier", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    to_tier = fields.ForeignKeyField(
        "models.Tier", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    reason = fields.CharField(max_length=32)
    qualifying_value = fields.BigIntField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "tier_change"
