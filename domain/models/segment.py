"""Segments: marketer-defined groups of members, described by a rule over member facts."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Segment(Model):
    """A named group of members of one program, decided on read by its rule.

    The rule is stored as JSON of the shape validated by domain.segments.rules:
    match all or any of a list of conditions, each a field, an operator and a value."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    name = fields.CharField(max_length=100)
    description = fields.CharField(max_length=500, default="")
    rule = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "segment"
        unique_together = (("program", "name"),)
