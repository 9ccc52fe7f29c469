"""The demo program's charities (trees, meals and ocean plastic) and a first-donation badge.

Idempotent: each charity is found by name, the badge by code, before it is created.
"""

from __future__ import annotations

from datetime import datetime

from challenges.badge_rules import BadgeRule, RuleKind
from challenges.badges import BadgeSpec, create_badge
from challenges.models import Badge
from domain.charity.catalog import CharitySpec, create_charity
from domain.models import Charity, Program

SEED_ACTOR = "seed:demo"

DEMO_CHARITIES = [
    CharitySpec(
        name="One Tree Planted", cause="reforestation", points_per_currency_unit=100, matching_percent=50,
        description="Every 1.00 plants a tree; we add half of what you give.",
        impact_unit="trees_planted", impact_per_step=1, impact_step_amount=100,
    ),
    CharitySpec(
        name="Food bank", cause="hunger", points_per_currency_unit=100, matching_percent=25,
        description="Every 2.50 provides a meal to a family nearby.",
        impact_unit="meals_provided", impact_per_step=1, impact_step_amount=250,
    ),
    CharitySpec(
        name="Ocean Cleanup", cause="ocean plastic", points_per_currency_unit=100, matching_percent=0,
        description="Every 1.00 removes 100 g of plastic from the ocean.",
        impact_unit="plastic_removed_grams", impact_per_step=100, impact_step_amount=100,
    ),
]


async def seed_charity(program: Program, now: datetime) -> list[Charity]:
    charities = []
    for spec in DEMO_CHARITIES:
        existing = await Charity.get_or_none(program_id=program.id, name=spec.name)
        charities.append(existing or await create_charity(program, spec, SEED_ACTOR, now))
    if not await Badge.exists(program_id=program.id, code="first-donation"):
        await create_badge(program, BadgeSpec(
            code="first-donation", name="First donation", description="Gave points to a charity for the first time.",
            rule=BadgeRule(RuleKind.DONATION_COUNT),
        ), SEED_ACTOR, now)
    return charities
