"""Community challenges settled by their job (challenges.community_settlement): every
contributor hears of the reached goal and receives the reward, once, whoever crossed it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from challenges import progress
from challenges.community_settlement import settle_community_challenges
from challenges.goals import Goal, GoalType
from challenges.models import ChallengeProgress, CommunityProgress, MemberBadge, OutboxMessage
from domain.events import event_bus
from domain.models import LedgerEntry, Member
from tests import factories
from tests.conftest import requires_postgres
from tests.factories import NOW

RECYCLE_10 = Goal(GoalType.ACTIVITY_COUNT, 10, activity_type="RECYCLE", measure="impact")
LATER = NOW + timedelta(minutes=5)


@pytest.fixture(autouse=True)
def wired() -> None:
    progress.register(event_bus)  # as the app does at start-up; idempotent


async def balance(member: Member) -> int:
    return (await Member.get(id=member.id)).points_balance


async def completion_pushes(member: Member) -> int:
    return await OutboxMessage.filter(member_id=member.id, title="Challenge complete!").count()


async def test_every_contributor_is_rewarded_and_told_once_the_goal_is_reached(program):
    # given a community goal of 10 recycled bottles worth 25 points and a badge to each contributor
    badge = await factories.badge(program)
    challenge = await factories.challenge(program, goal=RECYCLE_10, community=True, reward_points=25,
                                          reward_badge_id=badge.id)
    ana, ben, cleo = [await factories.member(program) for _ in range(3)]
    # when Ana gives 6, Ben 3, and Cleo crosses the line with 2
    await factories.activity(program, ana.id, "RECYCLE", {"count": 6})
    await factories.activity(program, ben.id, "RECYCLE", {"count": 3})
    await factories.activity(program, cleo.id, "RECYCLE", {"count": 2})
    # then nobody is paid inside the contributions' transactions
    assert [await balance(m) for m in (ana, ben, cleo)] == [0, 0, 0]
    # when the settlement job runs
    assert await settle_community_challenges(LATER) == 3
    # then each contributor has the points and the badge
    assert [await balance(m) for m in (ana, ben, cleo)] == [25, 25, 25]
    assert await MemberBadge.filter(badge_id=badge.id).count() == 3
    # and each heard "Challenge complete!" exactly once (Cleo with her own contribution)
    assert [await completion_pushes(m) for m in (ana, ben, cleo)] == [1, 1, 1]


async def test_settling_twice_pays_nobody_twice(program):
    # given a reached community goal, settled once
    challenge = await factories.challenge(program, goal=RECYCLE_10, community=True, reward_points=25)
    ana = await factories.member(program)
    await factories.activity(program, ana.id, "RECYCLE", {"count": 10})
    await settle_community_challenges(LATER)
    # when the job runs again
    settled_again = await settle_community_challenges(LATER + timedelta(minutes=1))
    # then nothing more is paid or sent
    assert settled_again == 0
    assert await balance(ana) == 25
    assert await LedgerEntry.filter(member_id=ana.id, reason=f"challenge {challenge.name}").count() == 1
    assert await completion_pushes(ana) == 1


async def test_a_contributor_after_the_goal_was_settled_is_settled_by_the_next_run(program):
    # given a goal reached and settled
    await factories.challenge(program, goal=RECYCLE_10, community=True, reward_points=25)
    ana, late = await factories.member(program), await factories.member(program)
    await factories.activity(program, ana.id, "RECYCLE", {"count": 10})
    await settle_community_challenges(LATER)
    # when another member contributes in the same period
    await factories.activity(program, late.id, "RECYCLE", {"count": 1})
    # then the next run pays them, and only them
    assert await settle_community_challenges(LATER + timedelta(minutes=1)) == 1
    assert (await balance(ana), await balance(late)) == (25, 25)


async def test_members_who_gave_nothing_and_goals_not_reached_are_left_alone(program):
    # given a goal not reached yet
    await factories.challenge(program, goal=RECYCLE_10, community=True, reward_points=25)
    ana = await factories.member(program)
    await factories.activity(program, ana.id, "RECYCLE", {"count": 9})
    # when the job runs
    settled = await settle_community_challenges(LATER)
    # then nobody is paid and the total stays open
    assert settled == 0 and await balance(ana) == 0
    assert (await CommunityProgress.get()).settled_at is None
    assert (await ChallengeProgress.get(member_id=ana.id)).rewarded_at is None


@requires_postgres
async def test_settlement_runs_alongside_the_contributors_purchases_without_deadlock(program):
    # given a reached goal with eight contributors
    await factories.challenge(program, goal=RECYCLE_10, community=True, reward_points=25)
    members = [await factories.member(program) for _ in range(8)]
    for m in members:
        await factories.activity(program, m.id, "RECYCLE", {"count": 2})
    # when two settlement runs and a purchase by every contributor happen at once
    results = await asyncio.wait_for(asyncio.gather(
        settle_community_challenges(LATER), settle_community_challenges(LATER),
        *(factories.purchase(program, m.id, amount=10_00) for m in members),
    ), timeout=60)
    # then every contributor was paid exactly once, and every purchase went through
    assert results[0] + results[1] == 8
    assert [await LedgerEntry.filter(member_id=m.id, reason__startswith="challenge ").count() for m in members] == [1] * 8
