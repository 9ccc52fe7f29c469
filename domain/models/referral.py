"""Referrals: a member brings a friend, both are credited after the friend buys."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ReferralStatus(StrEnum):
    PENDING = "pending"  # the referee enrolled with the code, no qualifying purchase yet
    COMPLETED = "completed"  # credited, once


class Referral(Model):
    """The referrer brought the referee, who enrolled with the referrer code.

    A member is referred at most once, hence the unique referee. Points record what each
    side was credited on completion (0 for a referrer past the program cap)."""

    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    referrer = fields.ForeignKeyField("models.Member", related_name="referrals_made")
    referee = fields.ForeignKeyField("models.Member", related_name="referral_received")
    status = fields.CharEnumField(ReferralStatus, max_length=16, default=ReferralStatus.PENDING)
    referrer_points = fields.BigIntField(default=0)
    referee_points = fields.BigIntField(default=0)
    # Completed past the cap: the referee was credited, the referrer not.
    capped = fields.BooleanField(default=False)
    purchase = fields.ForeignKeyField("models.Purchase", related_name=False, null=True)
    created_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "referral"
        unique_together = (("referee",),)
        indexes = (("referrer_id", "status"),)
