"""May this member redeem this reward now? A pure rule, no I/O.

Checks run in the order a member would want to hear about them: the reward is offered
at all, its window, the tier, the audience segment, the per-member limit, the stock and,
for previews only, the points. The first refusal wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import DomainError, Expired, InsufficientPoints, NotEligible, OutOfStock


@dataclass(frozen=True)
class RewardTerms:
    """What the rule needs of a reward."""

    reward_id: int
    active: bool
    cost_points: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    min_tier_name: str | None = None
    min_tier_threshold: int | None = None
    segment_id: int | None = None
    per_member_limit: int | None = None
    stock: int | None = None  # None: unlimited


@dataclass(frozen=True)
class MemberStanding:
    """What the rule needs of the member, for one reward."""

    tier_threshold: int | None  # threshold of the member's tier; None without a tier
    live_redemptions: int  # of this reward, not cancelled or released
    in_segment: bool = True  # only asked when the reward has a segment
    spendable: int | None = None  # for previews; a redemption lets the ledger decide


def refusal(terms: RewardTerms, member: MemberStanding, now: datetime) -> DomainError | None:
    """Why the member may not redeem, as the outcome the service raises; None if they may."""
    if not terms.active:
        return NotEligible("active", "this reward is no longer offered")
    if terms.valid_until is not None and now >= terms.valid_until:
        return Expired(terms.reward_id, terms.valid_until.isoformat())
    if terms.valid_from is not None and now < terms.valid_from:
        return NotEligible("validFrom", f"this reward opens at {terms.valid_from.isoformat()}")
    if terms.min_tier_threshold is not None and (
        member.tier_threshold is None or member.tier_threshold < terms.min_tier_threshold
    ):
        return NotEligible("minTier", f"this reward is for {terms.min_tier_name} members and above")
    if terms.segment_id is not None and not member.in_segment:
        return NotEligible("segment", "this reward is for a selected group of members")
    if terms.per_member_limit is not None and member.live_redemptions >= terms.per_member_limit:
        return NotEligible("perMemberLimit", f"at most {terms.per_member_limit} per member")
    if terms.stock is not None and terms.stock <= 0:
        return OutOfStock(terms.reward_id)
    if member.spendable is not None and member.spendable < terms.cost_points:
        return InsufficientPoints(terms.cost_points, member.spendable)
    return None


def refusal_field(error: DomainError) -> str:
    """The field a preview names for a refusal (the input or rule that decided it)."""
    match error:
        case NotEligible():
            return error.field
        case Expired():
            return "validUntil"
        case OutOfStock():
            return "stock"
        case InsufficientPoints():
            return "costPoints"
    return "rewardId"
