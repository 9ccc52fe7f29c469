"""What the eligibility rule needs to know, read from the database: a reward's terms and
a member's standing toward it (tier, segment, earlier redemptions, points)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from domain.errors import DomainError, NotFound
from domain.ledger import member_lots
from domain.lots import spendable_points
from domain.models import Member, Program, Redemption, Reward, Tier
from domain.models.reward import LIVE_STATUSES
from domain.rewards.eligibility import MemberStanding, RewardTerms, refusal
from domain.segments.membership import member_in_segment


def terms_of(reward: Reward, tiers: Sequence[Tier]) -> RewardTerms:
    min_tier = next((t for t in tiers if t.id == reward.min_tier_id), None)
    return RewardTerms(
        reward_id=reward.id,
        active=reward.active,
        cost_points=reward.cost_points,
        valid_from=reward.valid_from,
        valid_until=reward.valid_until,
        min_tier_name=min_tier.name if min_tier else None,
        min_tier_threshold=min_tier.threshold if min_tier else None,
        segment_id=reward.segment_id,
        per_member_limit=reward.per_member_limit,
        stock=reward.stock,
    )


def _tier_threshold(member: Member, tiers: Sequence[Tier]) -> int | None:
    return next((t.threshold for t in tiers if t.id == member.tier_id), None)


async def in_segment(program: Program, segment_id: int, member: Member, now: datetime) -> bool:
    """A reward for a segment that was since deleted admits nobody (rather than everyone)."""
    try:
        return await member_in_segment(program, segment_id, member, now)
    except NotFound:
        return False


async def live_redemptions(member_id: str, reward_id: int) -> int:
    return await Redemption.filter(member_id=member_id, reward_id=reward_id, status__in=LIVE_STATUSES).count()


async def standing_of(program: Program, member: Member, reward: Reward, tiers: Sequence[Tier], now: datetime) -> MemberStanding:
    """For a redemption: the caller holds the member lock, so the count can't move."""
    return MemberStanding(
        tier_threshold=_tier_threshold(member, tiers),
        live_redemptions=await live_redemptions(str(member.id), reward.id),
        in_segment=await in_segment(program, reward.segment_id, member, now) if reward.segment_id else True,
    )


async def previews(
    program: Program, member: Member, rewards: Sequence[Reward], now: datetime
) -> dict[int, DomainError | None]:
    """Each reward's refusal for this member (None: redeemable now), points included.
    A fixed number of queries for the page, plus one per distinct segment."""
    tiers = await Tier.filter(program_id=program.id)
    ids = [r.id for r in rewards]
    counts = Counter(
        await Redemption.filter(member_id=member.id, reward_id__in=ids, status__in=LIVE_STATUSES)
        .values_list("reward_id", flat=True)
    ) if ids else Counter()
    spendable = spendable_points(await member_lots(str(member.id)), now)
    segments: dict[int, bool] = {}
    for reward in rewards:
        if reward.segment_id and reward.segment_id not in segments:
            segments[reward.segment_id] = await in_segment(program, reward.segment_id, member, now)
    threshold = _tier_threshold(member, tiers)
    return {
        reward.id: refusal(
            terms_of(reward, tiers),
            MemberStanding(threshold, counts[reward.id], segments.get(reward.segment_id, True), spendable),
            now,
        )
        for reward in rewards
    }
