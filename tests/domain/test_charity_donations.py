"""Donating points through the service, on the configured database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.charity.catalog import CharitySpec, update_charity
from domain.charity.donations import donate_points
from domain.errors import IdempotencyConflict, InsufficientPoints, InvalidInput, NotEligible, NotFound
from domain.events import PointsDonated, event_bus
from domain.models import Donation, IdempotencyRecord, LedgerEntry, LedgerKind, Member
from tests import charity_factories, factories
from tests.conftest import requires_postgres
from tests.factories import NOW


async def ledger_sum(member_id: object) -> int:
    return sum(e.points for e in await LedgerEntry.filter(member_id=member_id))


async def test_a_donation_debits_the_points_and_records_money_match_and_impact(program):
    # given a member with 500 points and a charity: 100 points = 1.00 EUR, 50 % match, 1 tree per 1.00
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=500_00)
    charity = await charity_factories.charity(program)
    # when they give 300 points
    with event_bus.recording() as published:
        outcome = await donate_points(program, str(member.id), charity.id, 300, "give-1", NOW)
    # then 3.00 EUR is given, the brand adds 1.50 and 4 trees are planted (4.50 EUR)
    assert (outcome.amount, outcome.matched_amount, outcome.impact_amount, outcome.currency) == (3_00, 1_50, 4, "EUR")
    assert outcome.balance == 200
    assert (await Member.get(id=member.id)).points_balance == await ledger_sum(member.id) == 200
    entry = await LedgerEntry.get(kind=LedgerKind.DONATE)
    assert entry.points == -300
    donation = await Donation.get(id=outcome.donation_id)
    assert (donation.source, donation.ledger_entry_id, donation.impact_unit) == ("member", entry.id, "trees_planted")
    # and the charity context told the others, in the transaction
    donated = [e for e in published if isinstance(e, PointsDonated)]
    assert [(e.points, e.amount, e.source) for e in donated] == [(300, 3_00, "member")]


async def test_donating_more_than_held_is_insufficient_points_and_writes_nothing(program):
    # given a member with 50 points
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=50_00)
    charity = await charity_factories.charity(program)
    # when they try to give 51
    with pytest.raises(InsufficientPoints) as refused:
        await donate_points(program, str(member.id), charity.id, 51, "give-too-much", NOW)
    # then they are told what is available, and nothing was written
    assert (refused.value.requested, refused.value.available) == (51, 50)
    assert await Donation.all().count() == 0
    assert await LedgerEntry.filter(kind=LedgerKind.DONATE).count() == 0
    assert await IdempotencyRecord.filter(operation="donatePoints").count() == 0
    assert (await Member.get(id=member.id)).points_balance == 50


async def test_pending_points_cannot_be_donated(program):
    # given points still in their 14-day return window
    program.pending_days = 14
    await program.save()
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=200_00)
    charity = await charity_factories.charity(program)
    # when the member tries to give them today, then there is nothing spendable
    with pytest.raises(InsufficientPoints) as refused:
        await donate_points(program, str(member.id), charity.id, 100, "give-pending", NOW)
    assert refused.value.available == 0
    # and after the window they can
    later = await donate_points(program, str(member.id), charity.id, 100, "give-later", NOW + timedelta(days=15))
    assert later.balance == 100


async def test_a_replay_returns_the_first_result_and_gives_nothing_twice(program):
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=500_00)
    charity = await charity_factories.charity(program)
    first = await donate_points(program, str(member.id), charity.id, 100, "give-once", NOW)
    # when the same request arrives again
    again = await donate_points(program, str(member.id), charity.id, 100, "give-once", NOW + timedelta(seconds=5))
    # then it is the same donation and the points went once
    assert again == first
    assert await Donation.all().count() == 1
    assert (await Member.get(id=member.id)).points_balance == 400
    # and the same key for another amount is a conflict
    with pytest.raises(IdempotencyConflict):
        await donate_points(program, str(member.id), charity.id, 200, "give-once", NOW)


async def test_two_members_may_use_the_same_key(program):
    # keys live in each member's own space: one member cannot block another's key
    a, b = await factories.member(program), await factories.member(program)
    await factories.purchase(program, a.id, amount=100_00)
    await factories.purchase(program, b.id, amount=100_00)
    charity = await charity_factories.charity(program)
    await donate_points(program, str(a.id), charity.id, 10, "same", NOW)
    await donate_points(program, str(b.id), charity.id, 20, "same", NOW)
    assert sorted(await Donation.all().values_list("points", flat=True)) == [10, 20]


async def test_unknown_and_inactive_charities_are_refused(program):
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=100_00)
    charity = await charity_factories.charity(program)
    await update_charity(program, charity.id, CharitySpec(active=False), "marketer:test", NOW)
    with pytest.raises(NotFound):
        await donate_points(program, str(member.id), 999_999, 10, "give-unknown", NOW)
    with pytest.raises(NotEligible) as inactive:
        await donate_points(program, str(member.id), charity.id, 10, "give-inactive", NOW)
    assert inactive.value.field == "charityId"
    assert (await Member.get(id=member.id)).points_balance == 100


@pytest.mark.parametrize("points", [0, -5, 10**9 + 1])
async def test_points_out_of_range_name_the_field(program, points):
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    with pytest.raises(InvalidInput) as bad:
        await donate_points(program, str(member.id), charity.id, points, "give-bad", NOW)
    assert [p.path for p in bad.value.problems] == ["points"]


async def test_a_blank_key_is_refused(program):
    member = await factories.member(program)
    charity = await charity_factories.charity(program)
    with pytest.raises(InvalidInput) as bad:
        await donate_points(program, str(member.id), charity.id, 1, " ", NOW)
    assert [p.path for p in bad.value.problems] == ["idempotencyKey"]


@requires_postgres
async def test_parallel_donations_never_give_more_than_held(program):
    # given a member with 100 points and ten donations of 30 arriving at once
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=100_00)
    charity = await charity_factories.charity(program)
    results = await asyncio.gather(
        *(donate_points(program, str(member.id), charity.id, 30, f"parallel-{i}", NOW) for i in range(10)),
        return_exceptions=True,
    )
    # then exactly three went through, the rest were refused, and the ledger adds up
    assert sum(not isinstance(r, Exception) for r in results) == 3
    assert all(isinstance(r, InsufficientPoints) for r in results if isinstance(r, Exception))
    assert await Donation.all().count() == 3
    assert (await Member.get(id=member.id)).points_balance == await ledger_sum(member.id) == 10
