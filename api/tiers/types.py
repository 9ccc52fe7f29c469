"""GraphQL types of tiers and program settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from api.long_int import Long
from domain import models
from domain.tiers import rank_of

TierBasis = strawberry.enum(models.TierBasis, description="What counts toward tier thresholds.")


@strawberry.type
class Tier:
    id: strawberry.ID
    name: str
    rank: int = strawberry.field(description="1 for the lowest tier, by threshold order.")
    threshold: int = strawberry.field(description="Qualifying value over the rolling window.")
    earn_multiplier: float
    benefits: list[str]

    @classmethod
    def from_model(cls, tier: models.Tier, all_tiers: list[models.Tier]) -> Tier:
        return cls(
            id=strawberry.ID(str(tier.id)),
            name=tier.name,
            rank=rank_of(all_tiers, tier),
            threshold=tier.threshold,
            earn_multiplier=float(Decimal(tier.earn_multiplier)),
            benefits=list(tier.benefits),
        )


@strawberry.type
class TierProgress:
    basis: TierBasis
    qualifying_value: Long = strawberry.field(description="Points or spend in the window so far.")
    next_tier: Tier | None
    points_needed: Long = strawberry.field(
        description="Qualifying value still missing for the next tier (0 at the top)."
    )


@strawberry.type
class TierChangeRecord:
    from_tier: str | None
    to_tier: str | None
    reason: str = strawberry.field(description="upgrade or downgrade")
    qualifying_value: Long
    changed_at: datetime


@strawberry.type
class ProgramSettings:
    code: str
    name: str
    currency: str
    time_zone: str
    points_per_currency_unit: int
    points_expiry_months: int
    pending_days: int
    tier_basis: TierBasis
    tier_window_months: int
    tier_review_months: int
    redemption_cancel_minutes: int = strawberry.field(
        description="How long a member may cancel a redemption and get the points back."
    )
    referral_referrer_points: int = strawberry.field(description="Earned by the referrer when the friend first buys.")
    referral_referee_points: int = strawberry.field(description="Earned by the friend on their first qualifying purchase.")
    referral_min_purchase: int = strawberry.field(description="Minor units a first purchase must reach to count.")
    referral_cap: int = strawberry.field(description="Referrals a referrer is credited for, at most.")
    max_backdating_days: int = strawberry.field(
        description="How many days before now a reported purchase or activity may have occurred; older "
        "ones are InvalidInput on occurredAt. Up to 5 minutes ahead is allowed for clock drift."
    )

    @classmethod
    def from_model(cls, program: models.Program) -> ProgramSettings:
        return cls(
            code=program.code,
            name=program.name,
            currency=program.currency,
            time_zone=program.time_zone,
            points_per_currency_unit=program.points_per_currency_unit,
            points_expiry_months=program.points_expiry_months,
            pending_days=program.pending_days,
            tier_basis=program.tier_basis,
            tier_window_months=program.tier_window_months,
            tier_review_months=program.tier_review_months,
            redemption_cancel_minutes=program.redemption_cancel_minutes,
            referral_referrer_points=program.referral_referrer_points,
            referral_referee_points=program.referral_referee_points,
            referral_min_purchase=program.referral_min_purchase,
            referral_cap=program.referral_cap,
            max_backdating_days=program.max_backdating_days,
        )
