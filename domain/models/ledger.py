"""The append-only points ledger and the earn lots that spending consumes.

A member's balance is the sum of their ledger entries. An earn entry opens an earn lot
(its spendable remainder, availability and expiry); spending, expiring and reversing
lower lots' remainders and append negative entries. Entries are never updated.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class LedgerKind(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    REVERSE = "reverse"
    ADJUST = "adjust"
    DONATE = "donate"  # points given to a charity
    REFUND = "refund"  # a cancelled redemption or released hold gives points back


class LedgerEntry(Model):
    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="ledger_entries")
    kind = fields.CharEnumField(LedgerKind, max_length=16)
    points = fields.BigIntField()  # signed: credits > 0, debits < 0
    reason = fields.CharField(max_length=500)
    purchase = fields.ForeignKeyField(
        "models.Purchase", related_name="ledger_entries", null=True
    )
    actor = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_entry"
        indexes = (("member_id", "id"),)


class EarnLot(Model):
    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="earn_lots")
    entry = fields.OneToOneField("models.LedgerEntry", related_name="lot")
    points = fields.BigIntField()
    remaining = fields.BigIntField()
    earned_at = fields.DatetimeField()
    available_at = fields.DatetimeField()  # end of the pending period
    expires_at = fields.DatetimeField()

    class Meta:
        table = "earn_lot"
        # By member for spending; by date alone for the expiry run and reminders.
        indexes = (("member_id", "expires_at"), ("expires_at",))
