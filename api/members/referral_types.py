"""A member's referrals as the app shows them (`me { referral { ... } }`)."""

from __future__ import annotations

import strawberry

from api.long_int import Long
from domain import referrals


@strawberry.type
class ReferralSummary:
    code: str = strawberry.field(description="Share it: a friend enrolling with it earns both of you points.")
    completed_count: int = strawberry.field(description="Friends who made their first qualifying purchase.")
    pending_count: int = strawberry.field(description="Friends enrolled, no qualifying purchase yet.")
    points_earned: Long = strawberry.field(description="Points earned as the referrer.")

    @classmethod
    def from_summary(cls, summary: referrals.ReferralSummary) -> ReferralSummary:
        return cls(
            code=summary.code,
            completed_count=summary.completed_count,
            pending_count=summary.pending_count,
            points_earned=summary.points_earned,
        )
