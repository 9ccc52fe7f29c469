"""Activities members do besides buying: visits, reviews, recycling, ..."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ActivityType(Model):
    """A kind of activity. Built-in codes (VISIT, RECYCLE, ...) are seeded per program,
    marketers add custom ones. Sustainability types carry an impact per activity."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    impact_unit = fields.CharField(max_length=32, null=True)  # e.g. co2_grams, items_recycled
    impact_per_activity = fields.BigIntField(default=0)
    custom = fields.BooleanField(default=False)
    # Members may report it themselves from the app (see challenges.activity_catalog).
    member_reportable = fields.BooleanField(default=False)

    class Meta:
        table = "activity_type"
        unique_together = (("program", "code"),)


class Activity(Model):
    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="activities")
    type_code = fields.CharField(max_length=64)
    attributes = fields.JSONField(default=dict)
    impact_unit = fields.CharField(max_length=32, null=True)
    impact_amount = fields.BigIntField(default=0)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "activity"
        indexes = (("member_id", "occurred_at"),)
