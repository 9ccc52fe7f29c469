"""A member of a loyalty program and the cached totals of their ledger."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    id = fields.UUIDField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name="members")
    external_id = fields.CharField(max_length=128)
    display_name = fields.CharField(max_length=200)
    birthday = fields.DateField(null=True)
    locale = fields.CharField(max_length=35, default="en")
    time_zone = fields.CharField(max_length=64, default="UTC")
    referral_code = fields.CharField(max_length=16, unique=True)
    enrolled_at = fields.DatetimeField()
    tier = fields.ForeignKeyField(
        "models.Tier", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    # Downgrades wait for this moment; upgrades never do.
    tier_review_at = fields.DatetimeField(null=True)
    # Caches of the ledger, changed only by guarded UPDATEs in the same transaction as
    # the entries that justify them (see domain.ledger).
    points_balance = fields.BigIntField(default=0)
    lifetime_earned = fields.BigIntField(default=0)
    # Set by a privacy erasure: personal data is gone, the ledger stays for the totals.
    erased_at = fields.DatetimeField(null=True)
    # Labels set by integrations and marketers (domain.tags); segments select on them.
    # Nullable so that adding the column needs no default for existing rows: null = none.
    tags = fields.JSONField(default=list, null=True)

    class Meta:
        table = "member"
        unique_together = (("program", "external_id"),)
