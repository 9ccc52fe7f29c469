"""A loyalty program and the settings marketers tune."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.occurrence import DEFAULT_MAX_BACKDATING_DAYS


class TierBasis(StrEnum):
    """What counts toward a tier threshold over the rolling window."""

    POINTS = "points"  # points earned from purchases
    SPEND = "spend"  # purchase amount in minor units


class Program(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    currency = fields.CharField(max_length=3, default="EUR")
    time_zone = fields.CharField(max_length=64, default="UTC")
    points_per_currency_unit = fields.IntField(default=1)
    points_expiry_months = fields.IntField(default=12)
    pending_days = fields.IntField(default=0)
    tier_basis = fields.CharEnumField(TierBasis, max_length=16, default=TierBasis.POINTS)
    tier_window_months = fields.IntField(default=12)
    tier_review_months = fields.IntField(default=12)
    # How long a member may cancel an instant redemption and get the points back.
    redemption_cancel_minutes = fields.IntField(default=30, db_default=30)
    # Referrals (domain.referrals): what each side earns once the referee first buys for
    # at least the minimum (minor units); a referrer is credited for `referral_cap` at most.
    referral_referrer_points = fields.IntField(default=200, db_default=200)
    referral_referee_points = fields.IntField(default=100, db_default=100)
    referral_min_purchase = fields.BigIntField(default=20_00, db_default=20_00)
    referral_cap = fields.IntField(default=10, db_default=10)
    # How many days before now a reported purchase or activity may have occurred
    # (domain/occurrence.py): a late till is fine, last year's receipt earns nothing.
    max_backdating_days = fields.IntField(default=DEFAULT_MAX_BACKDATING_DAYS, db_default=DEFAULT_MAX_BACKDATING_DAYS)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "program"
