"""Auto-donation applied to purchases, in the purchase's own transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.charity.catalog import CharitySpec, update_charity
from domain.errors import InvalidInput, NotEligible
from domain.models import Donation, DonationMode, DonationPreference, DonationStatus, LedgerEntry, Member
from domain.points import adjust_points
from tests import charity_factories, factories
from tests.factories import NOW


async def balance(member_id: object) -> int:
    member = await Member.get(id=member_id)
    assert member.points_balance == sum(e.points for e in await LedgerEntry.filter(member_id=member_id))
    return member.points_balance


async def test_a_share_of_each_purchase_goes_to_the_charity(program):
    # given a member giving 10 % of what they earn
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=10)
    # when a purchase earns 125 points
    outcome = await factories.purchase(program, member.id, amount=125_00)
    # then 12 points went to the charity with the purchase, and 113 stay
    donation = await Donation.get(member_id=member.id)
    assert (donation.source, donation.status, donation.points) == ("auto_share", DonationStatus.DONATED, 12)
    assert await balance(member.id) == 113
    # (the purchase's own answer predates the donation: see the report to the lead)
    assert outcome.points_earned == 125


async def test_round_up_leaves_the_balance_at_a_multiple(program):
    # given a member rounding up to 10 with 20 points
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=20_00)
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.ROUND_UP, round_up_to=10)
    # when they earn 37 points (57 in all)
    await factories.purchase(program, member.id, amount=37_00)
    # then 7 are given and 50 remain
    assert await Donation.filter(member_id=member.id).values_list("source", "points") == [("round_up", 7)]
    assert await balance(member.id) == 50


async def test_pending_points_are_not_given_and_the_purchase_still_counts(program):
    # given a 14-day return window and a member with no spendable points
    program.pending_days = 14
    await program.save()
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=50)
    # when a purchase earns 100 (pending) points
    outcome = await factories.purchase(program, member.id, amount=100_00)
    # then the purchase went through whole, and the skipped donation says why
    assert outcome.points_earned == 100
    assert await balance(member.id) == 100
    skipped = await Donation.get(member_id=member.id)
    assert (skipped.status, skipped.points, skipped.amount) == (DonationStatus.SKIPPED, 50, 0)
    assert "only 0 spendable" in skipped.note


async def test_spendable_older_points_pay_for_the_share_of_pending_ones(program):
    # given 100 spendable points from long ago and a 14-day window from now on
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=100_00, now=NOW - timedelta(days=30))
    program.pending_days = 14
    await program.save()
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=50)
    # when a purchase earns 40 pending points
    await factories.purchase(program, member.id, amount=40_00)
    # then 20 of the spendable ones are given
    assert await Donation.filter(member_id=member.id, status=DonationStatus.DONATED).values_list("points", flat=True) == [20]
    assert await balance(member.id) == 120


async def test_an_inactive_charity_is_skipped_without_failing_the_purchase(program):
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=10)
    await update_charity(program, charity.id, CharitySpec(active=False), "marketer:test", NOW)
    await factories.purchase(program, member.id, amount=100_00)
    assert await balance(member.id) == 100
    assert await Donation.filter(status=DonationStatus.SKIPPED).count() == 1


async def test_adjustments_are_not_shared(program):
    # given a member giving 50 % of earnings
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=50)
    # when an admin credits them
    await adjust_points(program, str(member.id), 100, "goodwill", "adj-1", "admin:test", NOW)
    # then nothing is given: only purchases' earnings are shared
    assert await Donation.all().count() == 0


async def test_mode_none_switches_it_off(program):
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=10)
    await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.NONE)
    await factories.purchase(program, member.id, amount=100_00)
    assert await Donation.all().count() == 0
    assert (await DonationPreference.get(member_id=member.id)).mode == DonationMode.NONE


async def test_a_setting_needs_an_active_charity_and_sane_numbers(program):
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    with pytest.raises(InvalidInput) as bad:
        await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.ROUND_UP, round_up_to=0)
    assert [p.path for p in bad.value.problems] == ["roundUpTo"]
    await update_charity(program, charity.id, CharitySpec(active=False), "marketer:test", NOW)
    with pytest.raises(NotEligible):
        await charity_factories.auto_donation(program, member.id, charity.id, DonationMode.SHARE, share_percent=5)
    assert await DonationPreference.all().count() == 0
