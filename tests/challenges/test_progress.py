"""Challenge progress moved by purchases, earn credits and activities (challenges.progress),
in the transaction of its cause, through the real services."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from challenges import progress
from challenges.challenge_catalog import Audience
from challenges.enrolment import join_challenge, leave_challenge
from challenges.challenge_periods import Recurrence, Window
from challenges.events import ChallengeCompleted, ChallengeProgressed
from challenges.goals import Goal, GoalType, Source
from challenges.models import ChallengeProgress, CommunityProgress, MemberBadge, OutboxMessage
from domain.events import event_bus
from domain.models import LedgerEntry, Member
from domain.purchases import PurchaseItem, record_purchase
from tests import factories
from tests.conftest import requires_postgres
from tests.factories import NOW


@pytest.fixture(autouse=True)
def wired() -> None:
    progress.register(event_bus)  # as the app does at start-up; idempotent


@pytest.fixture
def heard() -> Iterator[list[object]]:
    events: list[object] = []

    async def listen(event: object) -> None:
        events.append(event)

    for kind in (ChallengeProgressed, ChallengeCompleted):
        event_bus.subscribe(kind, listen)
    yield events
    for kind in (ChallengeProgressed, ChallengeCompleted):
        event_bus.unsubscribe(kind, listen)


async def row(challenge, member, period_key: str = "all") -> ChallengeProgress | None:
    return await ChallengeProgress.get_or_none(challenge_id=challenge.id, member_id=member.id, period_key=period_key)


async def balance(member) -> int:
    return (await Member.get(id=member.id)).points_balance


async def test_a_purchase_moves_a_spend_challenge_and_announces_it(program, heard):
    member = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 50_00))
    await factories.purchase(program, member.id, amount=20_00)
    saved = await row(challenge, member)
    assert (saved.value, saved.percent, saved.completed_at) == (20_00, 40, None)
    assert [(type(e), e.value, e.percent) for e in heard] == [(ChallengeProgressed, 20_00, 40)]


async def test_completing_grants_points_and_badge_once_and_notifies_the_furthest_milestone(program, heard):
    # given a challenge rewarding 300 points and a badge
    member = await factories.member(program)
    badge = await factories.badge(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 50_00), reward_points=300,
                                          reward_badge_id=badge.id)
    # when the member spends 30.00, then 25.00, then 10.00 more
    await factories.purchase(program, member.id, amount=30_00)
    await factories.purchase(program, member.id, amount=25_00)
    await factories.purchase(program, member.id, amount=10_00)
    # then the challenge completed on the second purchase, with its reward
    saved = await row(challenge, member)
    assert (saved.percent, saved.completed_at, saved.milestones_reached) == (100, NOW - timedelta(minutes=1), [50, 90, 100])
    reward = await LedgerEntry.get(reason=f"challenge {challenge.name}")
    assert (reward.kind, reward.points) == ("earn", 300)
    assert await balance(member) == 30 + 25 + 10 + 300
    assert await MemberBadge.filter(member_id=member.id, badge_id=badge.id).count() == 1
    assert [type(e) for e in heard].count(ChallengeCompleted) == 1
    # and each update queued one push, for the furthest milestone it crossed (50, then
    # 100 rather than 90 and 100 together), with a key that makes repeats harmless
    keys = sorted(await OutboxMessage.filter(member_id=member.id, category="challenge_progress")
                  .values_list("dedupe_key", flat=True))
    assert keys == [f"progress:{challenge.id}:{member.id}:all:{m}" for m in (100, 50)]


async def test_a_replayed_purchase_or_activity_never_counts_twice(program):
    member = await factories.member(program)
    spend = await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 50_00))
    visits = await factories.challenge(program, goal=Goal(GoalType.ACTIVITY_COUNT, 5, activity_type="VISIT"))
    for _ in range(2):
        await factories.purchase(program, member.id, amount=20_00, key="till-1-receipt-7")
        await factories.activity(program, member.id, "VISIT", key="door-sensor-42")
    assert (await row(spend, member)).value == 20_00
    assert (await row(visits, member)).value == 1


async def test_challenge_rewards_do_not_count_toward_points_goals(program):
    # given a challenge rewarding 500 points, and another counting points earned
    member = await factories.member(program)
    await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 10_00), reward_points=500)
    points_goal = await factories.challenge(program, goal=Goal(GoalType.POINTS_EARNED, 1_000))
    # when a purchase earns 10 points and completes the first challenge
    await factories.purchase(program, member.id, amount=10_00)
    # then only the purchase's 10 points count
    assert (await row(points_goal, member)).value == 10
    assert await balance(member) == 510


async def test_activities_count_with_their_attribute_filter(program):
    member = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.ACTIVITY_COUNT, 3, activity_type="VISIT",
                                                             attribute="store", equals="paris-1"))
    await factories.activity(program, member.id, "VISIT", {"store": "paris-1"})
    await factories.activity(program, member.id, "VISIT", {"store": "lyon-2"})
    await factories.activity(program, member.id, "CHECK_IN", {"store": "paris-1"})
    assert ((await row(challenge, member)).value, (await row(challenge, member)).percent) == (1, 33)


async def test_days_are_counted_in_the_programs_time_zone(program):
    # given a Paris program: 22:30 UTC on 31 May is already 1 June there
    program.time_zone = "Europe/Paris"
    await program.save()
    member = await factories.member(program)
    window = Window(NOW - timedelta(days=5), NOW + timedelta(days=30))
    challenge = await factories.challenge(program, goal=Goal(GoalType.STREAK, 2, unit="day"), window=window)
    # when the member visits at 09:00 UTC on 31 May and at 22:30 UTC the same day
    await factories.activity(program, member.id, "VISIT", occurred_at=datetime(2026, 5, 31, 9, tzinfo=UTC))
    await factories.activity(program, member.id, "VISIT", occurred_at=datetime(2026, 5, 31, 22, 30, tzinfo=UTC))
    # then that is two days in a row
    assert (await row(challenge, member)).completed_at is not None


async def test_a_weekly_challenge_starts_afresh_each_week_up_to_its_cap(program):
    member = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 10_00), every=Recurrence.WEEKLY,
                                          max_completions=2, reward_points=100)
    for week in range(3):  # NOW is Monday 1 June 2026 (ISO week 23)
        await factories.purchase(program, member.id, amount=10_00, now=NOW + timedelta(weeks=week))
    rows = await ChallengeProgress.filter(challenge_id=challenge.id).order_by("period_key")
    assert [(r.period_key, r.completed_at is not None) for r in rows] == [("2026-W23", True), ("2026-W24", True)]
    assert await LedgerEntry.filter(reason=f"challenge {challenge.name}").count() == 2


async def test_a_completed_period_takes_no_more_progress(program, heard):
    member = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 10_00))
    await factories.purchase(program, member.id, amount=10_00)
    heard.clear()
    await factories.purchase(program, member.id, amount=10_00)
    assert (await row(challenge, member)).value == 10_00
    assert heard == []


async def test_opt_in_challenges_count_only_between_joining_and_leaving(program):
    member = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.ACTIVITY_COUNT, 10, activity_type="VISIT"), opt_in=True)
    await factories.activity(program, member.id, "VISIT")
    await join_challenge(program, str(member.id), challenge.id, NOW)
    await factories.activity(program, member.id, "VISIT")
    await leave_challenge(program, str(member.id), challenge.id, NOW)
    await factories.activity(program, member.id, "VISIT")
    assert (await row(challenge, member)).value == 1


async def test_members_outside_the_audience_make_no_progress(program):
    _, silver, _ = await factories.standard_tiers(program)
    member = await factories.member(program)  # Bronze
    challenge = await factories.challenge(program, audience=Audience((silver.id,)))
    await factories.purchase(program, member.id, amount=10_00)
    assert await row(challenge, member) is None


async def test_drafts_and_purchases_outside_the_window_count_for_nothing(program):
    member = await factories.member(program)
    draft = await factories.challenge(program, publish=False)
    later = await factories.challenge(program, window=Window(NOW + timedelta(days=2), NOW + timedelta(days=9)))
    await factories.purchase(program, member.id, amount=10_00)
    assert await row(draft, member) is None and await row(later, member) is None


async def test_steps_complete_in_order(program):
    member = await factories.member(program)
    goal = Goal(GoalType.STEPS, 2, steps=(Goal(GoalType.ACTIVITY_COUNT, 1, activity_type="VISIT"),
                                          Goal(GoalType.DISTINCT_CATEGORIES, 2)))
    challenge = await factories.challenge(program, goal=goal)
    items = [PurchaseItem("BEANS", 1, 12_00, "coffee"), PurchaseItem("MUG", 1, 8_00, "kitchen")]
    await record_purchase(program, factories.report(member.id, 20_00, items=items), NOW)
    assert (await row(challenge, member)) is None  # the visit comes first
    await factories.activity(program, member.id, "VISIT")
    await record_purchase(program, factories.report(member.id, 20_00, items=items), NOW)
    assert (await row(challenge, member)).completed_at is not None


async def test_a_community_goal_adds_up_contributions_and_completes_once(program, heard):
    # given the community recycles 10 bottles, two members
    goal = Goal(GoalType.ACTIVITY_COUNT, 10, activity_type="RECYCLE", measure="impact")
    challenge = await factories.challenge(program, goal=goal, community=True)
    ana, ben = await factories.member(program), await factories.member(program)
    # when Ana recycles 6 and Ben 3 then 2
    await factories.activity(program, ana.id, "RECYCLE", {"count": 6})
    await factories.activity(program, ben.id, "RECYCLE", {"count": 3})
    await factories.activity(program, ben.id, "RECYCLE", {"count": 2})
    # then each member's contribution is kept and the collective total crossed the goal once
    assert ((await row(challenge, ana)).value, (await row(challenge, ben)).value) == (6, 5)
    total = await CommunityProgress.get(challenge_id=challenge.id)
    assert (total.value, total.completed_at is not None) == (11, True)
    assert [(type(e), e.member_id) for e in heard if isinstance(e, ChallengeCompleted)] == [(ChallengeCompleted, str(ben.id))]
    # and each contributor hears of a collective milestone once, with their next contribution
    assert (await row(challenge, ben)).milestones_reached == [50, 90, 100]
    assert (await row(challenge, ana)).milestones_reached == [50]


@requires_postgres
async def test_concurrent_contributions_to_a_community_goal_all_count(program):
    goal = Goal(GoalType.ACTIVITY_COUNT, 20, activity_type="VISIT")
    challenge = await factories.challenge(program, goal=goal, community=True)
    members = [await factories.member(program) for _ in range(8)]
    await asyncio.gather(*(factories.activity(program, m.id, "VISIT") for m in members))
    assert (await CommunityProgress.get(challenge_id=challenge.id)).value == 8


async def test_distinct_days_of_purchases(program):
    member = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.DISTINCT_DAYS, 3, source=Source.PURCHASE))
    for days in (0, 0, 1):
        await factories.purchase(program, member.id, now=NOW + timedelta(days=days))
    assert (await row(challenge, member)).value == 2
