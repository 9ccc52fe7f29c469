"""The rewards catalog on the database: create, update, list, and what bad input writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import InvalidInput, NotFound
from domain.models import AuditEntry, Reward, RewardKind
from domain.rewards.catalog import RewardSpec, create_reward, list_rewards, update_reward
from tests import factories, reward_factories
from tests.factories import NOW


async def test_a_created_reward_is_stored_and_audited(program):
    # given a marketer's reward for Silver members and above
    tiers = await factories.standard_tiers(program)
    spec = RewardSpec(name=" Cinema ticket ", kind=RewardKind.PARTNER_OFFER, cost_points=800,
                      min_tier_id=tiers[1].id, stock=20, per_member_limit=1)
    # when it is created
    reward = await create_reward(program, spec, "marketer:ann", NOW)
    # then it is stored as given (name trimmed) and the change audited
    stored = await Reward.get(id=reward.id)
    assert (stored.name, stored.cost_points, stored.min_tier_id, stored.stock, stored.active) == (
        "Cinema ticket", 800, tiers[1].id, 20, True)
    audit = await AuditEntry.get(action="createReward")
    assert (audit.actor, audit.target, audit.details["cost_points"]) == ("marketer:ann", f"reward:{reward.id}", 800)


async def test_a_negative_cost_is_named_and_nothing_is_written(program):
    spec = RewardSpec(name="Broken", kind=RewardKind.DISCOUNT, cost_points=-10)
    with pytest.raises(InvalidInput) as raised:
        await create_reward(program, spec, "marketer:ann", NOW)
    assert [p.path for p in raised.value.problems] == ["costPoints"]
    assert await Reward.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_a_tier_of_nowhere_is_refused(program):
    spec = RewardSpec(name="Gold only", kind=RewardKind.EXPERIENCE, cost_points=10, min_tier_id=999)
    with pytest.raises(InvalidInput) as raised:
        await create_reward(program, spec, "marketer:ann", NOW)
    assert [p.path for p in raised.value.problems] == ["minTierId"]


async def test_segments_and_charities_of_nowhere_are_refused(program):
    spec = RewardSpec(name="Give", kind=RewardKind.CHARITY_DONATION, cost_points=10, segment_id=77, charity_id=88)
    with pytest.raises(InvalidInput) as raised:
        await create_reward(program, spec, "marketer:ann", NOW)
    assert [p.path for p in raised.value.problems] == ["segmentId", "charityId"]


async def test_an_update_changes_only_the_given_fields_and_can_clear_one(program):
    # given a limited reward
    reward = await reward_factories.reward(program, name="Mug", stock=5, per_member_limit=2)
    # when the marketer raises the price and lifts the per-member limit
    updated = await update_reward(program, reward.id, {"cost_points": 200, "per_member_limit": None}, "marketer:ann", NOW)
    # then those change, the rest stays
    assert (updated.name, updated.cost_points, updated.per_member_limit, updated.stock) == ("Mug", 200, None, 5)
    audit = await AuditEntry.get(action="updateReward")
    assert audit.details == {"changed": {"cost_points": 200, "per_member_limit": None}}


async def test_an_update_is_checked_against_the_whole_reward(program):
    # given a reward open from NOW
    reward = await reward_factories.reward(program, valid_from=NOW)
    # when only its end is moved before its start
    with pytest.raises(InvalidInput) as raised:
        await update_reward(program, reward.id, {"valid_until": NOW - timedelta(days=1)}, "marketer:ann", NOW)
    # then it is refused and the reward unchanged
    assert [p.path for p in raised.value.problems] == ["validUntil"]
    assert (await Reward.get(id=reward.id)).valid_until is None


async def test_updating_an_unknown_reward_is_not_found(program):
    with pytest.raises(NotFound):
        await update_reward(program, 4242, {"name": "X"}, "marketer:ann", NOW)


async def test_members_list_shows_active_rewards_open_now_newest_first(program):
    # given rewards: open, inactive, not yet open, closed, open with an end ahead
    open_ = await reward_factories.reward(program, name="open")
    await reward_factories.reward(program, name="inactive", active=False)
    await reward_factories.reward(program, name="soon", valid_from=NOW + timedelta(days=1))
    await reward_factories.reward(program, name="closed", valid_until=NOW)
    ending = await reward_factories.reward(program, name="ending", valid_until=NOW + timedelta(days=1))
    # when a member's list and a marketer's full list are read
    members = await list_rewards(program.id, 10, None, include_inactive=False, open_at=NOW)
    everything = await list_rewards(program.id, 10, None, include_inactive=True, open_at=None)
    # then
    assert [r.name for r in members] == [ending.name, open_.name]
    assert [r.name for r in everything] == ["ending", "closed", "soon", "inactive", "open"]
