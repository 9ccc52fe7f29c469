"""Charity and sustainability reward redemptions as donations and impact.

The events are published directly: the rewards context is their only producer."""

from __future__ import annotations

from datetime import timedelta

from domain.charity.impact import member_totals, program_totals
from domain.events import RedemptionCancelled, RewardRedeemed, event_bus
from domain.models import Donation, DonationStatus, LedgerEntry, Member, RewardKind
from domain.rewards.catalog import RewardSpec, create_reward
from domain.rewards.redemptions import cancel_redemption, redeem_reward
from tests import charity_factories, factories
from tests.factories import NOW


def redeemed(program, member, redemption_id: int, kind: str, points: int, charity_id=None, impact=None):
    return RewardRedeemed(program.id, str(member.id), redemption_id, reward_id=7, kind=kind, points=points,
                          charity_id=charity_id, impact=impact or {}, occurred_at=NOW)


async def test_a_charity_reward_becomes_a_donation_without_a_second_debit(program):
    # given a member whose 200-point redemption of a charity reward became final
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=500_00)
    charity = await charity_factories.charity(program)
    entries_before = await LedgerEntry.all().count()
    # when the rewards context says so (twice, as a retry might)
    event = redeemed(program, member, 31, "charity_donation", 200, charity_id=charity.id)
    await event_bus.publish(event)
    await event_bus.publish(event)
    # then one donation of 2.00 + 1.00 match (3 trees) exists, and no points moved here
    donation = await Donation.get(redemption_id=31)
    assert (donation.source, donation.points, donation.amount, donation.matched_amount, donation.impact_amount) == (
        "reward", 200, 2_00, 1_00, 3)
    assert await Donation.all().count() == 1
    assert await LedgerEntry.all().count() == entries_before
    assert (await Member.get(id=member.id)).points_balance == 500


async def test_a_sustainability_reward_counts_its_impact_until_cancelled(program):
    member = await factories.member(program)
    # when a tree-planting reward is redeemed
    await event_bus.publish(redeemed(program, member, 41, "sustainability_action", 100, impact={"trees_planted": 2}))
    # then the member planted 2 trees, and so did the program
    assert (await member_totals(str(member.id))).impact == {"trees_planted": 2}
    overall, _ = await program_totals(program.id)
    assert overall.impact == {"trees_planted": 2}
    # when the redemption is cancelled, the trees are no longer counted
    await event_bus.publish(RedemptionCancelled(program.id, str(member.id), 41, NOW + timedelta(minutes=5)))
    assert (await member_totals(str(member.id))).impact == {}


async def test_cancelling_a_charity_reward_undoes_its_donation(program):
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    await event_bus.publish(redeemed(program, member, 51, "charity_donation", 100, charity_id=charity.id))
    await event_bus.publish(RedemptionCancelled(program.id, str(member.id), 51, NOW))
    donation = await Donation.get(redemption_id=51)
    assert (donation.status, donation.cancelled_at) == (DonationStatus.CANCELLED, NOW)
    totals = await member_totals(str(member.id))
    assert (totals.donations, totals.donated_points, totals.impact) == (0, 0, {})


async def test_other_rewards_are_no_impact(program):
    member = await factories.member(program)
    await event_bus.publish(redeemed(program, member, 61, "discount", 100, impact={"trees_planted": 5}))
    assert (await member_totals(str(member.id))).impact == {}


async def test_end_to_end_with_the_rewards_service(program):
    # given a charity reward of 300 points for the tree charity and a member with 500
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=500_00)
    charity = await charity_factories.charity(program)
    reward = await create_reward(program, RewardSpec(name="Give 3.00 to trees", kind=RewardKind.CHARITY_DONATION,
                                                     cost_points=300, charity_id=charity.id), "marketer:test", NOW)
    # when the member redeems it: 3.00 + 1.50 matched, 4 trees, and the points went once
    redemption = await redeem_reward(program, str(member.id), reward.id, "redeem-1", NOW)
    totals = await member_totals(str(member.id))
    assert (totals.donated_points, totals.total_amount, totals.impact) == (300, 4_50, {"trees_planted": 4})
    assert (await Member.get(id=member.id)).points_balance == 200
    # when they cancel it within the window, the donation is undone with the refund
    await cancel_redemption(program, str(member.id), redemption.id, "cancel-1", NOW + timedelta(minutes=1))
    assert (await member_totals(str(member.id))).donations == 0
    assert (await Member.get(id=member.id)).points_balance == 500
