"""Charities, the donations members make to them, auto-donation settings and impact records.

Money is in minor units of the program currency. Impact is counted in whole units of the
charity impact unit (trees, meals) and rounded down per donation.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class DonationSource(StrEnum):
    MEMBER = "member"  # donatePoints
    ROUND_UP = "round_up"  # auto-donation rounding the balance up
    AUTO_SHARE = "auto_share"  # auto-donation of a share of each earning
    REWARD = "reward"  # a charity reward redeemed from the catalog


class DonationStatus(StrEnum):
    DONATED = "donated"
    SKIPPED = "skipped"  # an auto-donation that could not be made, with the reason in note
    CANCELLED = "cancelled"  # the reward redemption behind it was cancelled


class DonationMode(StrEnum):
    NONE = "none"
    ROUND_UP = "round_up"
    SHARE = "share"


class Charity(Model):
    """A charity members give points to, configured by marketers."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name="charities")
    name = fields.CharField(max_length=200)
    cause = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    active = fields.BooleanField(default=True)
    # Conversion: this many points make one whole unit of the program currency.
    points_per_currency_unit = fields.IntField()
    # The brand adds this share of the donated amount, 0 to 100.
    matching_percent = fields.IntField(default=0)
    # Impact: impact_per_step units of impact_unit for every impact_step_amount minor
    # units of the total (donation plus match), e.g. 1 trees_planted per 100 cents.
    impact_unit = fields.CharField(max_length=64)
    impact_per_step = fields.IntField(default=1)
    impact_step_amount = fields.IntField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "charity"
        unique_together = (("program", "name"),)


class Donation(Model):
    """Points a member gave to a charity and what they became in money and impact."""

    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="donations")
    charity = fields.ForeignKeyField("models.Charity", related_name="donations")
    source = fields.CharEnumField(DonationSource, max_length=16)
    status = fields.CharEnumField(DonationStatus, max_length=16, default=DonationStatus.DONATED)
    points = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    amount = fields.BigIntField()  # minor units the points are worth
    matched_amount = fields.BigIntField()  # minor units the brand adds
    impact_unit = fields.CharField(max_length=64)
    impact_amount = fields.BigIntField()  # whole impact units of the total
    ledger_entry = fields.ForeignKeyField("models.LedgerEntry", related_name=False, null=True)
    redemption_id = fields.BigIntField(null=True)  # the reward redemption it came from
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField()
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "donation"
        indexes = (("member_id", "id"), ("charity_id", "status"), ("redemption_id",))


class DonationPreference(Model):
    """A member setting to donate automatically from what they earn."""

    id = fields.IntField(primary_key=True)
    member = fields.OneToOneField("models.Member", related_name="donation_preference")
    charity = fields.ForeignKeyField(
        "models.Charity", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    mode = fields.CharEnumField(DonationMode, max_length=16, default=DonationMode.NONE)
    share_percent = fields.IntField(default=0)
    round_up_to = fields.IntField(default=0)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "donation_preference"


class ImpactRecord(Model):
    """Impact a member achieved through a sustainability reward, e.g. a tree planted."""

    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="impact_records")
    redemption_id = fields.BigIntField()
    reward_id = fields.IntField()
    impact_unit = fields.CharField(max_length=64)
    impact_amount = fields.BigIntField()
    created_at = fields.DatetimeField()
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "impact_record"
        indexes = (("member_id", "cancelled_at"), ("redemption_id",))
