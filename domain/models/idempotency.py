"""The first result of every value-creating request, keyed per program."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class IdempotencyRecord(Model):
    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    key = fields.CharField(max_length=200)
    operation = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)  # sha256 of the canonical request
    result = fields.JSONField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_record"
        unique_together = (("program", "key"),)
