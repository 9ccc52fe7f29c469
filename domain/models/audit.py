"""Who changed what: admin adjustments and marketer configuration."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    actor = fields.CharField(max_length=200)
    action = fields.CharField(max_length=64)
    target = fields.CharField(max_length=200)
    details = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()

    class Meta:
        table = "audit_entry"
