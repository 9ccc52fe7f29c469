"""Challenges for a segment's members: the audience kind SEGMENT (challenges.enrolment)."""

from __future__ import annotations

import pytest

from challenges import progress
from challenges.challenge_catalog import Audience, ChallengeSpec, create_challenge
from challenges.challenge_periods import Window
from challenges.enrolment import NotEligible, join_challenge
from challenges.goals import Goal, GoalType
from challenges.member_challenges import MemberChallengeStatus, member_challenges
from challenges.models import ChallengeProgress
from domain.errors import InvalidInput
from domain.events import event_bus
from domain.models import Member, Program
from domain.tags import TagChange, tag_member
from tests import factories, segment_factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def wired() -> None:
    progress.register(event_bus)  # as the app does at start-up; idempotent


async def coffee_lover(program: Program) -> Member:
    member = await factories.member(program)
    await tag_member(program.id, TagChange(str(member.id), ["coffee"], []), "integration", NOW)
    return await Member.get(id=member.id)


async def test_only_segment_members_progress_in_a_segment_challenge(program: Program) -> None:
    # given a challenge for the "coffee" segment
    coffee = await segment_factories.segment(program, segment_factories.tag_rule("coffee"))
    challenge = await factories.challenge(program, audience=Audience(segment_id=coffee.id))
    tagged, other = await coffee_lover(program), await factories.member(program)
    # when both buy
    await factories.purchase(program, tagged.id, 20_00)
    await factories.purchase(program, other.id, 20_00)
    # then only the segment member progresses, and only they see it as active
    progressed = await ChallengeProgress.filter(challenge_id=challenge.id).values_list("member_id", flat=True)
    assert [str(m) for m in progressed] == [str(tagged.id)]
    active = await member_challenges(program, tagged, MemberChallengeStatus.ACTIVE, NOW)
    assert [v.challenge.id for v in active] == [challenge.id]
    assert await member_challenges(program, other, MemberChallengeStatus.ACTIVE, NOW) == []
    assert await member_challenges(program, other, MemberChallengeStatus.AVAILABLE, NOW) == []


async def test_joining_an_opt_in_segment_challenge_needs_membership(program: Program) -> None:
    coffee = await segment_factories.segment(program, segment_factories.tag_rule("coffee"))
    challenge = await factories.challenge(program, audience=Audience(segment_id=coffee.id), opt_in=True)
    outsider = await factories.member(program)
    with pytest.raises(NotEligible) as refused:
        await join_challenge(program, str(outsider.id), challenge.id, NOW)
    assert refused.value.field == "audience"
    # once tagged, the same member may join
    await tag_member(program.id, TagChange(str(outsider.id), ["coffee"], []), "marketer:1", NOW)
    await join_challenge(program, str(outsider.id), challenge.id, NOW)


async def test_tier_and_everyone_audiences_are_unchanged(program: Program) -> None:
    assert Audience().admits(None) and Audience().everyone
    assert Audience((1, 2)).admits(2) and not Audience((1, 2)).admits(3)
    assert Audience.from_json(Audience(segment_id=7).to_json()) == Audience(segment_id=7)
    assert not Audience(segment_id=7).admits(None) and Audience(segment_id=7).admits(None, {7})


async def test_an_unknown_segment_or_tiers_with_a_segment_are_rejected(program: Program) -> None:
    tiers = await factories.standard_tiers(program)
    spec = ChallengeSpec(
        name="Bad", goal=Goal(GoalType.PURCHASE_AMOUNT, 10_00), window=Window(NOW, None, None),
        audience=Audience((tiers[0].id,), segment_id=424242),
    )
    with pytest.raises(InvalidInput) as bad:
        await create_challenge(program, spec, "marketer:1", NOW)
    assert "audience.segmentId" in {p.path for p in bad.value.problems}
