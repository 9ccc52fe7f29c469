"""The demo program's gamification: badges and challenges a newcomer can play with.

Idempotent: each badge is found by code and each challenge by name before it is created.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from challenges.activities import seed_catalog
from challenges.badge_rules import BadgeLevel, BadgeRule, RuleKind
from challenges.badges import BadgeSpec, create_badge
from challenges.challenge_catalog import ChallengeSpec, ChallengeStatus, create_challenge, set_status
from challenges.challenge_periods import Recurrence, Window
from challenges.goals import Goal, GoalType
from challenges.models import Badge, Challenge
from domain.models import Program

SEED_ACTOR = "seed:demo"


async def _badge(program: Program, spec: BadgeSpec, now: datetime) -> Badge:
    existing = await Badge.get_or_none(program_id=program.id, code=spec.code)
    return existing or await create_badge(program, spec, SEED_ACTOR, now)


async def _published_challenge(program: Program, spec: ChallengeSpec, now: datetime) -> Challenge:
    challenge = await Challenge.get_or_none(program_id=program.id, name=spec.name)
    if challenge is None:
        challenge = await create_challenge(program, spec, SEED_ACTOR, now)
    return await set_status(program, challenge.id, ChallengeStatus.PUBLISHED, SEED_ACTOR, now)


async def seed_gamification(program: Program, now: datetime) -> list[Challenge]:
    await seed_catalog(program.id)
    await _badge(program, BadgeSpec(
        code="eco-hero", name="Eco Hero", description="Sustainable actions: recycling, reusable cups, transit.",
        image_url="https://example.com/badges/eco-hero.png",
        levels=[BadgeLevel("Bronze", 1), BadgeLevel("Silver", 5), BadgeLevel("Gold", 10)],
        rule=BadgeRule(RuleKind.ECO_ACTION_COUNT),
    ), now)
    recycler = await _badge(program, BadgeSpec(
        code="weekly-recycler", name="Weekly Recycler", description="Recycled three times in one week.",
        image_url="https://example.com/badges/weekly-recycler.png", levels=[],
    ), now)
    since = now - timedelta(days=1)
    return [
        await _published_challenge(program, ChallengeSpec(
            name="Recycle 3 times this week",
            description="Bring bottles or cups back to any store three times this week.",
            goal=Goal(GoalType.ACTIVITY_COUNT, 3, activity_type="RECYCLE"),
            window=Window(since, None, Recurrence.WEEKLY),
            reward_points=50, reward_badge_id=recycler.id, max_completions=52,
        ), now),
        await _published_challenge(program, ChallengeSpec(
            name="Community: recycle 1,000 items this month",
            description="Every item anyone recycles counts toward one shared goal.",
            goal=Goal(GoalType.ACTIVITY_COUNT, 1000, activity_type="RECYCLE", measure="impact"),
            window=Window(since, None, Recurrence.MONTHLY),
            community=True,
        ), now),
    ]
