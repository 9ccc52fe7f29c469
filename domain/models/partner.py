"""Partner brands of a coalition program, each earning under its own rule."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Partner(Model):
    """A partner brand: purchases there earn points_per_currency_unit, times earn_multiplier."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    active = fields.BooleanField(default=True)
    points_per_currency_unit = fields.IntField(default=1)
    earn_multiplier = fields.DecimalField(max_digits=6, decimal_places=2, default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "partner"
        unique_together = (("program", "code"),)
