"""Rewards fulfilled at a partner's till: holds confirmed, released, timed out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import NotEligible, NotFound
from domain.events import RewardRedeemed, event_bus
from domain.models import Fulfilment, Member, Program, Redemption, RedemptionStatus, Reward, RewardKind
from domain.rewards.holds import confirm_redemption, release_expired_holds, release_redemption
from domain.rewards.redemptions import cancel_redemption
from tests import factories, reward_factories
from tests.reward_factories import balance
from tests.factories import NOW


@pytest.fixture
async def member(program: Program) -> Member:
    member = await factories.member(program)
    await reward_factories.give_points(program, member, 1000)
    return member


@pytest.fixture
async def cinema(program: Program) -> Reward:
    return await reward_factories.reward(program, name="Cinema", kind=RewardKind.PARTNER_OFFER, cost_points=800,
                                         fulfilment=Fulfilment.HOLD, hold_minutes=30, stock=10)


async def test_a_hold_reserves_the_points_without_being_final(program, member, cinema):
    with event_bus.recording() as published:
        held = await reward_factories.redeem(program, member, cinema)
    assert (held.status, held.hold_expires_at) == (RedemptionStatus.HELD, NOW + timedelta(minutes=30))
    assert await balance(member) == 200  # reserved points are not spendable
    assert not [e for e in published if isinstance(e, RewardRedeemed)]


async def test_the_till_confirms_a_hold_once(program, member, cinema):
    held = await reward_factories.redeem(program, member, cinema)
    # when the till confirms with the code as the cashier typed it
    with event_bus.recording() as published:
        confirmed = await confirm_redemption(program, held.code.lower().replace("-", ""), "till-1", NOW + timedelta(minutes=5))
    # then it is final, the points stay spent, and the event is out
    assert (confirmed.status, confirmed.closed_at) == (RedemptionStatus.CONFIRMED, NOW + timedelta(minutes=5))
    assert [e.redemption_id for e in published if isinstance(e, RewardRedeemed)] == [held.id]
    assert await balance(member) == 200
    # a second confirmation with another key is refused; the same key replays
    with pytest.raises(NotEligible):
        await confirm_redemption(program, held.code, "till-2", NOW + timedelta(minutes=6))
    assert (await confirm_redemption(program, held.code, "till-1", NOW + timedelta(minutes=6))).id == held.id


async def test_the_till_releases_a_failed_checkout(program, member, cinema):
    held = await reward_factories.redeem(program, member, cinema)
    released = await release_redemption(program, held.code, "till-1", NOW + timedelta(minutes=5))
    assert released.status == RedemptionStatus.RELEASED
    assert await balance(member) == 1000
    assert (await Reward.get(id=cinema.id)).stock == 10
    with pytest.raises(NotEligible):
        await confirm_redemption(program, held.code, "till-2", NOW + timedelta(minutes=6))


async def test_a_timed_out_hold_cannot_be_confirmed(program, member, cinema):
    held = await reward_factories.redeem(program, member, cinema)
    with pytest.raises(NotEligible) as raised:
        await confirm_redemption(program, held.code, "till-1", NOW + timedelta(minutes=30))
    assert raised.value.field == "holdExpiresAt"


async def test_an_unknown_code_is_not_found(program):
    with pytest.raises(NotFound):
        await confirm_redemption(program, "ZZZZ-ZZZZ", "till-1", NOW)


async def test_the_member_may_cancel_a_hold(program, member, cinema):
    held = await reward_factories.redeem(program, member, cinema)
    cancelled = await cancel_redemption(program, str(member.id), held.id, "undo", NOW + timedelta(hours=1))
    assert cancelled.status == RedemptionStatus.CANCELLED
    assert await balance(member) == 1000


async def test_the_timeout_job_releases_only_holds_past_their_time(program, member, cinema):
    # given two holds, taken 20 minutes apart, and an instant redemption
    first = await reward_factories.redeem(program, member, cinema, now=NOW)
    await reward_factories.give_points(program, member, 800)
    second = await reward_factories.redeem(program, member, cinema, now=NOW + timedelta(minutes=20))
    coffee = await reward_factories.reward(program, cost_points=100)
    await reward_factories.redeem(program, member, coffee)
    # when the job runs 35 minutes after the first
    released = await release_expired_holds(NOW + timedelta(minutes=35))
    # then only the first is released; running again does nothing more
    assert released == 1
    assert (await Redemption.get(id=first.id)).status == RedemptionStatus.RELEASED
    assert (await Redemption.get(id=second.id)).status == RedemptionStatus.HELD
    assert await release_expired_holds(NOW + timedelta(minutes=35)) == 0
    assert await balance(member) == 1000 + 800 - 800 - 100
    assert (await Reward.get(id=cinema.id)).stock == 9
