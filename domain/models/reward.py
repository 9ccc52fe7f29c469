"""The rewards catalog and members' redemptions of its rewards.

A reward costs points; its stock (null: unlimited) is lowered by a guarded UPDATE when a
member redeems it and raised again when a redemption is cancelled or a hold released.
A redemption carries a unique code the member shows at a till.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class RewardKind(StrEnum):
    DISCOUNT = "discount"
    FREE_PRODUCT = "free_product"
    EXPERIENCE = "experience"  # an experience or early access
    PARTNER_OFFER = "partner_offer"
    CHARITY_DONATION = "charity_donation"
    SUSTAINABILITY_ACTION = "sustainability_action"  # e.g. plant a tree


class Fulfilment(StrEnum):
    INSTANT = "instant"  # the code is issued and the redemption is final at once
    HOLD = "hold"  # points are reserved until a partner's till confirms or releases


class RedemptionStatus(StrEnum):
    REDEEMED = "redeemed"  # final at once (instant fulfilment)
    HELD = "held"  # points reserved, waiting for the till
    CONFIRMED = "confirmed"  # a hold the till confirmed: final
    RELEASED = "released"  # a hold the till released or that timed out: refunded
    CANCELLED = "cancelled"  # cancelled by the member: refunded


# Redemptions that keep their points and their unit of stock.
LIVE_STATUSES = (RedemptionStatus.REDEEMED, RedemptionStatus.HELD, RedemptionStatus.CONFIRMED)


class Reward(Model):
    """Something members buy with points, configured by marketers."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name="rewards")
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    kind = fields.CharEnumField(RewardKind, max_length=32)
    cost_points = fields.BigIntField()
    min_tier = fields.ForeignKeyField("models.Tier", related_name=False, null=True, on_delete=fields.SET_NULL)
    segment_id = fields.IntField(null=True)
    stock = fields.IntField(null=True)  # units left, null for unlimited
    per_member_limit = fields.IntField(null=True)
    valid_from = fields.DatetimeField(null=True)
    valid_until = fields.DatetimeField(null=True)
    fulfilment = fields.CharEnumField(Fulfilment, max_length=16, default=Fulfilment.INSTANT)
    hold_minutes = fields.IntField(null=True)
    active = fields.BooleanField(default=True)
    charity_id = fields.IntField(null=True)
    impact = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "reward"
        indexes = (("program_id", "active"),)


class Redemption(Model):
    """One member redeeming one reward, with the code shown at the till."""

    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="redemptions")
    reward = fields.ForeignKeyField("models.Reward", related_name="redemptions")
    code = fields.CharField(max_length=16, unique=True)
    status = fields.CharEnumField(RedemptionStatus, max_length=16)
    points = fields.BigIntField()
    debit_entry = fields.ForeignKeyField("models.LedgerEntry", related_name=False)
    refund_entry = fields.ForeignKeyField("models.LedgerEntry", related_name=False, null=True)
    # A refund keeps the latest expiry of the lots the redemption consumed, never later.
    refund_expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    hold_expires_at = fields.DatetimeField(null=True)
    # An instant redemption's cancel deadline, given when it was made: a later change of the
    # program's window never re-opens (or shortens) it. Null for holds (hold_expires_at).
    cancel_until = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)  # confirmed, released or cancelled

    class Meta:
        table = "redemption"
        indexes = (("member_id", "reward_id", "status"), ("status", "hold_expires_at"))
