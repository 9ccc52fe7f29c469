"""Redeeming and cancelling rewards through the service, on the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import Expired, IdempotencyConflict, InsufficientPoints, NotEligible, NotFound, OutOfStock
from domain.events import RedemptionCancelled, RewardRedeemed, event_bus
from domain.models import EarnLot, LedgerEntry, LedgerKind, Member, Program, Redemption, RedemptionStatus, Reward, RewardKind
from domain.periods import add_months
from domain.rewards.redemptions import cancel_redemption, redeem_reward
from domain.segments.catalog import SegmentSpec, create_segment
from tests import factories, reward_factories
from tests.reward_factories import balance
from tests.factories import NOW, next_key


@pytest.fixture
async def rich(program: Program) -> Member:
    member = await factories.member(program)
    await reward_factories.give_points(program, member, 1000)
    return member


async def test_redeeming_spends_the_points_and_issues_a_code(program, rich):
    # given a coffee for 150 points
    coffee = await reward_factories.reward(program, cost_points=150)
    # when the member redeems it
    with event_bus.recording() as published:
        redemption = await reward_factories.redeem(program, rich, coffee)
    # then the points are spent, the redemption final, with a code, and the event out
    assert await balance(rich) == 850
    assert (redemption.status, redemption.points, len(redemption.code)) == (RedemptionStatus.REDEEMED, 150, 9)
    entry = await LedgerEntry.get(id=redemption.debit_entry_id)
    assert (entry.kind, entry.points) == (LedgerKind.REDEEM, -150)
    redeemed = [e for e in published if isinstance(e, RewardRedeemed)]
    assert [(e.redemption_id, e.points, e.kind) for e in redeemed] == [(redemption.id, 150, "free_product")]


async def test_a_sustainability_action_carries_its_impact(program, rich):
    tree = await reward_factories.reward(program, kind=RewardKind.SUSTAINABILITY_ACTION, cost_points=100,
                                         impact={"trees_planted": 1})
    with event_bus.recording() as published:
        await reward_factories.redeem(program, rich, tree)
    assert [e.impact for e in published if isinstance(e, RewardRedeemed)] == [{"trees_planted": 1}]


async def test_codes_differ_between_redemptions(program, rich):
    coffee = await reward_factories.reward(program, cost_points=10)
    made = [await reward_factories.redeem(program, rich, coffee) for _ in range(5)]
    assert len({r.code for r in made}) == 5


async def test_a_replay_returns_the_first_redemption_and_spends_once(program, rich):
    coffee = await reward_factories.reward(program, cost_points=150)
    first = await reward_factories.redeem(program, rich, coffee, key="tap-1")
    again = await reward_factories.redeem(program, rich, coffee, key="tap-1")
    assert (again.id, again.code) == (first.id, first.code)
    assert await balance(rich) == 850


async def test_the_same_key_for_another_reward_is_a_conflict(program, rich):
    coffee = await reward_factories.reward(program, cost_points=150)
    tea = await reward_factories.reward(program, cost_points=100)
    await reward_factories.redeem(program, rich, coffee, key="tap-1")
    with pytest.raises(IdempotencyConflict):
        await reward_factories.redeem(program, rich, tea, key="tap-1")


async def test_not_enough_points_writes_nothing_and_keeps_the_stock(program):
    member = await factories.member(program)
    await reward_factories.give_points(program, member, 100)
    coffee = await reward_factories.reward(program, cost_points=150, stock=3)
    with pytest.raises(InsufficientPoints) as raised:
        await reward_factories.redeem(program, member, coffee)
    assert (raised.value.requested, raised.value.available) == (150, 100)
    assert (await Reward.get(id=coffee.id)).stock == 3
    assert await Redemption.all().count() == 0
    assert await balance(member) == 100


async def test_the_last_unit_goes_once_then_out_of_stock(program, rich):
    mug = await reward_factories.reward(program, cost_points=10, stock=1)
    await reward_factories.redeem(program, rich, mug)
    with pytest.raises(OutOfStock):
        await reward_factories.redeem(program, rich, mug)
    assert (await Reward.get(id=mug.id)).stock == 0
    assert await balance(rich) == 990


async def test_the_per_member_limit_counts_live_redemptions_only(program, rich):
    # given a reward limited to 2 per member, redeemed twice
    mug = await reward_factories.reward(program, cost_points=10, per_member_limit=2)
    first = await reward_factories.redeem(program, rich, mug)
    await reward_factories.redeem(program, rich, mug)
    # then a third is refused
    with pytest.raises(NotEligible) as raised:
        await reward_factories.redeem(program, rich, mug)
    assert raised.value.field == "perMemberLimit"
    # and once one is cancelled, the allowance comes back
    await cancel_redemption(program, str(rich.id), first.id, next_key("cancel"), NOW + timedelta(minutes=1))
    await reward_factories.redeem(program, rich, mug)


async def test_window_tier_and_activity_decide(program, rich):
    tiers = await factories.standard_tiers(program)
    closed = await reward_factories.reward(program, valid_until=NOW)
    later = await reward_factories.reward(program, valid_from=NOW + timedelta(days=1))
    gold = await reward_factories.reward(program, min_tier_id=tiers[2].id)
    off = await reward_factories.reward(program, active=False)
    with pytest.raises(Expired):
        await reward_factories.redeem(program, rich, closed)
    for reward, field in ((later, "validFrom"), (gold, "minTier"), (off, "active")):
        with pytest.raises(NotEligible) as raised:
            await reward_factories.redeem(program, rich, reward)
        assert raised.value.field == field
    assert await balance(rich) == 1000


async def test_an_unknown_reward_is_not_found(program, rich):
    with pytest.raises(NotFound):
        await redeem_reward(program, str(rich.id), 4242, "k", NOW)


async def test_cancelling_in_the_window_refunds_points_and_stock(program, rich):
    # given a mug redeemed at NOW (window: 30 minutes by default)
    mug = await reward_factories.reward(program, cost_points=150, stock=5)
    redemption = await reward_factories.redeem(program, rich, mug)
    # when the member cancels 29 minutes later
    with event_bus.recording() as published:
        cancelled = await cancel_redemption(program, str(rich.id), redemption.id, "undo-1",
                                            NOW + timedelta(minutes=29))
    # then points and stock are back, and the impact is undone
    assert cancelled.status == RedemptionStatus.CANCELLED
    assert await balance(rich) == 1000
    assert (await Reward.get(id=mug.id)).stock == 5
    refund = await LedgerEntry.get(id=cancelled.refund_entry_id)
    assert (refund.kind, refund.points) == (LedgerKind.REFUND, 150)
    assert [type(e) for e in published if isinstance(e, RedemptionCancelled)] == [RedemptionCancelled]


async def test_cancelling_after_the_window_is_refused(program, rich):
    await Program.filter(id=program.id).update(redemption_cancel_minutes=10)
    program = await Program.get(id=program.id)
    mug = await reward_factories.reward(program, cost_points=150)
    redemption = await reward_factories.redeem(program, rich, mug)
    with pytest.raises(NotEligible) as raised:
        await cancel_redemption(program, str(rich.id), redemption.id, "undo", NOW + timedelta(minutes=10))
    assert raised.value.field == "redemptionCancelMinutes"
    assert await balance(rich) == 850


async def test_a_redemption_keeps_the_cancel_deadline_it_was_given(program, rich):
    # given a mug redeemed at NOW under a 10-minute window
    await Program.filter(id=program.id).update(redemption_cancel_minutes=10)
    program = await Program.get(id=program.id)
    mug = await reward_factories.reward(program, cost_points=150)
    redemption = await reward_factories.redeem(program, rich, mug)
    assert redemption.cancel_until == NOW + timedelta(minutes=10)
    # when the marketer widens the window to a day, and the member cancels 20 minutes later
    await Program.filter(id=program.id).update(redemption_cancel_minutes=24 * 60)
    program = await Program.get(id=program.id)
    with pytest.raises(NotEligible) as raised:
        await cancel_redemption(program, str(rich.id), redemption.id, "undo", NOW + timedelta(minutes=20))
    # then the old redemption stays closed: its deadline was the one it was given
    assert raised.value.field == "redemptionCancelMinutes"
    assert await balance(rich) == 850
    # and one made now gets the new day-long window
    later = await reward_factories.redeem(program, rich, mug, now=NOW + timedelta(minutes=30))
    assert later.cancel_until == NOW + timedelta(minutes=30, days=1)


async def test_a_shorter_window_does_not_cut_a_given_deadline(program, rich):
    # given a mug redeemed under the default 30 minutes, then the window closed to 0
    mug = await reward_factories.reward(program, cost_points=150)
    redemption = await reward_factories.redeem(program, rich, mug)
    await Program.filter(id=program.id).update(redemption_cancel_minutes=0)
    program = await Program.get(id=program.id)
    # when the member cancels 29 minutes later, then they still may
    cancelled = await cancel_redemption(program, str(rich.id), redemption.id, "undo", NOW + timedelta(minutes=29))
    assert cancelled.status == RedemptionStatus.CANCELLED
    assert await balance(rich) == 1000


async def test_cancelling_twice_is_refused_and_refunds_once(program, rich):
    mug = await reward_factories.reward(program, cost_points=150)
    redemption = await reward_factories.redeem(program, rich, mug)
    await cancel_redemption(program, str(rich.id), redemption.id, "undo-1", NOW)
    with pytest.raises(NotEligible) as raised:
        await cancel_redemption(program, str(rich.id), redemption.id, "undo-2", NOW)
    assert raised.value.field == "status"
    assert await balance(rich) == 1000


async def test_another_members_redemption_is_not_found(program, rich):
    other = await factories.member(program)
    mug = await reward_factories.reward(program, cost_points=150)
    redemption = await reward_factories.redeem(program, rich, mug)
    with pytest.raises(NotFound):
        await cancel_redemption(program, str(other.id), redemption.id, "undo", NOW)
    assert await balance(rich) == 850


async def test_refunded_points_keep_the_latest_expiry_of_the_lots_spent(program):
    # given 100 points earned on day 0 and 100 on day 1 (each expiring 12 months later)
    member = await factories.member(program)
    await reward_factories.give_points(program, member, 100, NOW)
    await reward_factories.give_points(program, member, 100, NOW + timedelta(days=1))
    # when 150 are redeemed (all of day 0's lot, half of day 1's) and cancelled
    mug = await reward_factories.reward(program, cost_points=150)
    later = NOW + timedelta(days=2)
    redemption = await reward_factories.redeem(program, member, mug, now=later)
    cancelled = await cancel_redemption(program, str(member.id), redemption.id, "undo", later)
    # then the refunded lot expires with day 1's lot, not a day later
    refund_lot = await EarnLot.get(entry_id=cancelled.refund_entry_id)
    assert refund_lot.expires_at == add_months(NOW + timedelta(days=1), 12)
    assert (refund_lot.remaining, refund_lot.available_at) == (150, later)
    assert await balance(member) == 200


async def test_a_segment_reward_admits_only_members_in_the_segment(program, rich):
    # given a reward for the segment "balance of 500 or more"
    segment = await create_segment(program, SegmentSpec(name="Savers", rule={
        "match": "ALL", "conditions": [{"field": "BALANCE", "op": "GTE", "value": 500}]}), "marketer:ann", NOW)
    vip = await reward_factories.reward(program, cost_points=50, segment_id=segment.id)
    poor = await factories.member(program)
    await reward_factories.give_points(program, poor, 100)
    # when both try it
    await reward_factories.redeem(program, rich, vip)
    with pytest.raises(NotEligible) as raised:
        await reward_factories.redeem(program, poor, vip)
    # then only the member in the segment got it
    assert raised.value.field == "segment"
    assert (await balance(rich), await balance(poor)) == (950, 100)
