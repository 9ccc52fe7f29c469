"""The demo program's rewards catalog: one reward of most kinds, a partner offer fulfilled
as a hold, and a limited early-access experience for Gold members.

Idempotent: each reward is found by name before it is created.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.models import Fulfilment, Program, Reward, RewardKind, Tier
from domain.rewards.catalog import RewardSpec, create_reward

SEED_ACTOR = "seed:demo"


async def _reward(program: Program, spec: RewardSpec, now: datetime) -> Reward:
    existing = await Reward.get_or_none(program_id=program.id, name=spec.name)
    return existing or await create_reward(program, spec, SEED_ACTOR, now)


async def seed_rewards(program: Program, now: datetime) -> list[Reward]:
    gold = await Tier.get_or_none(program_id=program.id, name="Gold")
    return [
        await _reward(program, RewardSpec(
            name="Free coffee", kind=RewardKind.FREE_PRODUCT, cost_points=150,
            description="Any regular coffee, in store.", per_member_limit=5,
        ), now),
        await _reward(program, RewardSpec(
            name="10% off your next order", kind=RewardKind.DISCOUNT, cost_points=300,
            description="Show the code at the till or enter it online.",
        ), now),
        await _reward(program, RewardSpec(
            name="Plant a tree", kind=RewardKind.SUSTAINABILITY_ACTION, cost_points=100,
            description="We plant a tree with our reforestation partner.", impact={"trees_planted": 1},
        ), now),
        await _reward(program, RewardSpec(
            name="Cinema ticket at partner", kind=RewardKind.PARTNER_OFFER, cost_points=800,
            description="Points are reserved until the cinema's till confirms the ticket.",
            fulfilment=Fulfilment.HOLD, hold_minutes=30,
        ), now),
        await _reward(program, RewardSpec(
            name="Early access: winter blend tasting", kind=RewardKind.EXPERIENCE, cost_points=500,
            description="A tasting evening before the launch, 20 seats.", stock=20, per_member_limit=1,
            min_tier_id=gold.id if gold else None, valid_until=now + timedelta(days=60),
        ), now),
    ]
