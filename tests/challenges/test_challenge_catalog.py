"""The challenge catalog (challenges.challenge_catalog): what marketers configure, and
who may join (challenges.enrolment). On the database; a rejected request writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from challenges.challenge_catalog import (
    Audience,
    ChallengeSpec,
    ChallengeStatus,
    create_challenge,
    list_challenges,
    set_status,
    update_challenge,
)
from challenges.challenge_periods import Recurrence, Window
from challenges.enrolment import NotEligible, join_challenge, leave_challenge
from challenges.goals import Goal, GoalType
from challenges.models import ActivityType, Challenge, ChallengeParticipation
from domain.errors import InvalidInput, NotFound
from domain.models import AuditEntry
from tests import factories
from tests.factories import NOW

ACTOR = "marketer:test"


def spec(**changes: object) -> ChallengeSpec:
    fields: dict = {
        "name": "Recycle 5 bottles",
        "goal": Goal(GoalType.ACTIVITY_COUNT, 5, activity_type="RECYCLE"),
        "window": Window(NOW, NOW + timedelta(days=30)),
        **changes,
    }
    return ChallengeSpec(**fields)


async def rejected(program, the_spec: ChallengeSpec) -> set[str]:
    """The field paths of the rejection, after checking that nothing was written."""
    with pytest.raises(InvalidInput) as caught:
        await create_challenge(program, the_spec, ACTOR, NOW)
    assert await Challenge.all().count() == 0
    assert await AuditEntry.all().count() == 0
    return {p.path for p in caught.value.problems}


async def test_a_new_challenge_is_an_audited_draft_with_default_milestones(program):
    challenge = await create_challenge(program, spec(reward_points=200), ACTOR, NOW)
    assert (challenge.status, challenge.version, challenge.milestones) == ("draft", 1, [50, 90, 100])
    assert (challenge.reward_points, challenge.max_completions, challenge.community_target) == (200, 1, None)
    audit = await AuditEntry.get(target=f"challenge:{challenge.id}")
    assert (audit.action, audit.actor) == ("createChallenge", ACTOR)


async def test_an_empty_or_reversed_window_is_refused(program):
    assert await rejected(program, spec(window=Window(NOW, NOW))) == {"window.endsAt"}
    assert await rejected(program, spec(window=Window(NOW, NOW - timedelta(days=1)))) == {"window.endsAt"}


async def test_a_goal_of_zero_is_refused(program):
    assert await rejected(program, spec(goal=Goal(GoalType.PURCHASE_AMOUNT, 0))) == {"goal.target"}


async def test_an_unknown_activity_type_is_refused_with_its_path(program):
    goal = Goal(GoalType.STEPS, 2, steps=(Goal(GoalType.ACTIVITY_COUNT, 1, activity_type="VISIT"),
                                          Goal(GoalType.ACTIVITY_COUNT, 1, activity_type="JUGGLING")))
    assert await rejected(program, spec(goal=goal)) == {"goal.steps.1.activityType"}


async def test_a_custom_activity_type_of_the_program_is_known(program):
    await ActivityType.create(program=program, code="BEACH_CLEANUP", name="Beach clean-up", custom=True)
    challenge = await create_challenge(
        program, spec(goal=Goal(GoalType.ACTIVITY_COUNT, 2, activity_type="BEACH_CLEANUP")), ACTOR, NOW)
    assert challenge.goal["activity_type"] == "BEACH_CLEANUP"


async def test_unknown_tiers_and_badges_are_refused(program):
    tiers = await factories.standard_tiers(program)
    paths = await rejected(program, spec(audience=Audience((tiers[0].id, 9_999)), reward_badge_id=4_242))
    assert paths == {"audience.tierIds.1", "rewardBadgeId"}


async def test_every_problem_is_reported_at_once(program):
    bad = ChallengeSpec(name=" ", goal=Goal(GoalType.PURCHASE_AMOUNT, -1), window=Window(NOW, NOW),
                        reward_points=-5, max_completions=0, milestones=[50, 150])
    assert await rejected(program, bad) == {
        "name", "goal.target", "window.endsAt", "rewardPoints", "maxCompletions", "milestones.1"}


async def test_a_community_goal_must_add_up_and_may_reward_its_contributors(program):
    streak = Goal(GoalType.STREAK, 5)
    assert await rejected(program, spec(goal=streak, community=True, reward_points=10)) == {"goal.type"}
    challenge = await create_challenge(program, spec(community=True, reward_points=10, goal=Goal(
        GoalType.ACTIVITY_COUNT, 10_000, activity_type="RECYCLE", measure="impact")), ACTOR, NOW)
    assert (challenge.community_target, challenge.reward_points) == (10_000, 10)


async def test_a_fixed_window_is_completed_once(program):
    assert await rejected(program, spec(max_completions=3)) == {"maxCompletions"}
    weekly = Window(NOW, None, Recurrence.WEEKLY)
    assert (await create_challenge(program, spec(window=weekly, max_completions=3), ACTOR, NOW)).max_completions == 3


async def test_an_update_bumps_the_version_and_is_audited(program):
    challenge = await create_challenge(program, spec(), ACTOR, NOW)
    updated = await update_challenge(program, challenge.id, ChallengeSpec(name="Recycle 6", reward_points=50), ACTOR, NOW)
    assert (updated.name, updated.reward_points, updated.version) == ("Recycle 6", 50, 2)
    assert updated.goal == challenge.goal  # left as it was
    assert await AuditEntry.filter(action="updateChallenge").count() == 1


async def test_what_counts_cannot_change_once_published_but_the_rest_can(program):
    challenge = await create_challenge(program, spec(), ACTOR, NOW)
    await set_status(program, challenge.id, ChallengeStatus.PUBLISHED, ACTOR, NOW)
    with pytest.raises(InvalidInput) as caught:
        await update_challenge(program, challenge.id, ChallengeSpec(goal=Goal(GoalType.PURCHASE_AMOUNT, 1)), ACTOR, NOW)
    assert [p.path for p in caught.value.problems] == ["goal"]
    renamed = await update_challenge(program, challenge.id, ChallengeSpec(name="Renamed"), ACTOR, NOW)
    assert (renamed.name, renamed.version) == ("Renamed", 3)


async def test_an_archived_challenge_stays_archived(program):
    challenge = await create_challenge(program, spec(), ACTOR, NOW)
    archived = await set_status(program, challenge.id, ChallengeStatus.ARCHIVED, ACTOR, NOW)
    assert archived.status == "archived"
    with pytest.raises(InvalidInput):
        await set_status(program, challenge.id, ChallengeStatus.PUBLISHED, ACTOR, NOW)
    with pytest.raises(InvalidInput):
        await update_challenge(program, challenge.id, ChallengeSpec(name="Back"), ACTOR, NOW)


async def test_an_unknown_challenge_is_not_found(program):
    with pytest.raises(NotFound):
        await set_status(program, 4_242, ChallengeStatus.PUBLISHED, ACTOR, NOW)


async def test_challenges_list_by_status_newest_first(program):
    first = await factories.challenge(program)
    draft = await factories.challenge(program, publish=False)
    second = await factories.challenge(program)
    assert [c.id for c in await list_challenges(program.id, ChallengeStatus.PUBLISHED, 10, None)] == [second.id, first.id]
    assert [c.id for c in await list_challenges(program.id, None, 1, None)] == [second.id, draft.id]  # one extra row


# --- joining and leaving ---------------------------------------------------------------------

async def test_a_member_joins_an_opt_in_challenge_once_and_may_leave(program):
    member = await factories.member(program)
    challenge = await factories.challenge(program, opt_in=True)
    await join_challenge(program, str(member.id), challenge.id, NOW)
    await join_challenge(program, str(member.id), challenge.id, NOW)  # harmless
    assert await ChallengeParticipation.filter(member_id=member.id, left_at__isnull=True).count() == 1
    await leave_challenge(program, str(member.id), challenge.id, NOW + timedelta(hours=1))
    assert (await ChallengeParticipation.get(member_id=member.id)).left_at == NOW + timedelta(hours=1)


async def test_joining_an_unpublished_challenge_is_not_eligible_and_writes_nothing(program):
    member = await factories.member(program)
    draft = await factories.challenge(program, publish=False, opt_in=True)
    with pytest.raises(NotEligible) as caught:
        await join_challenge(program, str(member.id), draft.id, NOW)
    assert caught.value.field == "challengeId"
    assert await ChallengeParticipation.all().count() == 0


async def test_joining_outside_the_audience_is_not_eligible(program):
    bronze, _, gold = await factories.standard_tiers(program)
    member = await factories.member(program)  # enrolled in Bronze
    challenge = await factories.challenge(program, opt_in=True, audience=Audience((gold.id,)))
    with pytest.raises(NotEligible) as caught:
        await join_challenge(program, str(member.id), challenge.id, NOW)
    assert caught.value.field == "audience"
    assert await ChallengeParticipation.all().count() == 0
