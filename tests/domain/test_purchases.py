"""Recording purchases and returns through the service, on the configured database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import AlreadyReversed, IdempotencyConflict, InvalidInput, NotFound
from domain.models import LedgerEntry, Member, Purchase
from domain.purchases import PurchaseItem, record_purchase, reverse_purchase
from tests import factories
from tests.factories import NOW


async def ledger_sum(member_id: object) -> int:
    return sum(e.points for e in await LedgerEntry.filter(member_id=member_id))


async def test_purchase_earns_base_points_per_whole_currency_unit(program):
    # given a member in a program earning 1 point per euro
    member = await factories.member(program)
    # when they spend 12.99 EUR
    outcome = await factories.purchase(program, member.id, amount=12_99)
    # then they earn 12 points and the balance shows them
    assert outcome.points_earned == 12
    assert outcome.breakdown == [{"rule": "base", "description": "1 point(s) per currency unit", "points": 12}]
    assert outcome.balance == 12
    assert (await Member.get(id=member.id)).points_balance == await ledger_sum(member.id) == 12


async def test_tier_multiplier_adds_a_bonus_line_and_upgrades_happen_at_once(program):
    # given tiers Bronze/Silver(500, x1.25)/Gold and a Bronze member
    await factories.standard_tiers(program)
    member = await factories.member(program)
    # when a purchase lifts them past 500 points
    first = await factories.purchase(program, member.id, amount=600_00)
    # then they move to Silver at once and the next purchase earns the Silver bonus
    assert first.tier_change == {"from_tier": "Bronze", "to_tier": "Silver", "reason": "upgrade"}
    second = await factories.purchase(program, member.id, amount=100_00)
    assert [line["rule"] for line in second.breakdown] == ["base", "tier"]
    assert second.points_earned == 125


async def test_replay_returns_first_result_and_writes_nothing(program):
    member = await factories.member(program)
    first = await factories.purchase(program, member.id, amount=50_00, key="receipt-1")
    again = await factories.purchase(program, member.id, amount=50_00, key="receipt-1", now=NOW)
    assert again == first
    assert await Purchase.filter(member_id=member.id).count() == 1
    assert await ledger_sum(member.id) == 50


async def test_same_key_with_different_payload_is_a_conflict(program):
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=50_00, key="receipt-1")
    with pytest.raises(IdempotencyConflict):
        await factories.purchase(program, member.id, amount=60_00, key="receipt-1")
    assert await ledger_sum(member.id) == 50


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -100}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "USD"}, "currency"),
        ({"member_id": "not-a-uuid"}, "memberId"),
        ({"occurred_at": NOW + timedelta(days=1)}, "occurredAt"),
        ({"items": [PurchaseItem("SKU", 1, 100)] * 501}, "items"),
        ({"items": [PurchaseItem("SKU", 0, 100)]}, "items.0.quantity"),
        ({"items": [PurchaseItem(" ", 1, 100)]}, "items.0.sku"),
        ({"items": [PurchaseItem("SKU", 1, -1)]}, "items.0.unitPrice"),
        ({"idempotency_key": ""}, "idempotencyKey"),
    ],
)
async def test_bad_purchase_names_the_field_and_writes_nothing(program, change, path):
    member = await factories.member(program)
    bad = factories.report(member.id).__class__(**{**factories.report(member.id).__dict__, **change})
    with pytest.raises(InvalidInput) as rejected:
        await record_purchase(program, bad, NOW)
    assert path in [p.path for p in rejected.value.problems]
    assert await Purchase.all().count() == 0
    assert await LedgerEntry.all().count() == 0


async def test_unknown_member_is_not_found_and_writes_nothing(program):
    with pytest.raises(NotFound):
        await factories.purchase(program, "6f1c1d1e-0000-4000-8000-000000000000")
    assert await Purchase.all().count() == 0


async def test_return_takes_back_unspent_points(program):
    member = await factories.member(program)
    outcome = await factories.purchase(program, member.id, amount=80_00)
    reversal = await reverse_purchase(program, outcome.purchase_id, "damaged", "return-1", "pos", NOW)
    assert (reversal.points_reversed, reversal.points_written_off, reversal.balance) == (80, 0, 0)
    assert await ledger_sum(member.id) == 0
    with pytest.raises(AlreadyReversed):
        await reverse_purchase(program, outcome.purchase_id, "again", "return-2", "pos", NOW)


async def test_return_of_spent_points_takes_other_points_then_writes_off(program):
    # given a member who earned 80 then 30, and spent 100
    from domain.points import spend_points

    member = await factories.member(program)
    big = await factories.purchase(program, member.id, amount=80_00)
    await factories.purchase(program, member.id, amount=30_00, now=NOW + timedelta(seconds=1))
    await spend_points(program, str(member.id), 100, "reward", "spend-1", NOW + timedelta(seconds=2))
    # when the 80-point purchase is returned
    reversal = await reverse_purchase(program, big.purchase_id, "return", "return-1", "pos", NOW + timedelta(seconds=3))
    # then the 10 points left are taken and 70 are written off; the balance is 0, not negative
    assert (reversal.points_reversed, reversal.points_written_off, reversal.balance) == (10, 70, 0)
    assert await ledger_sum(member.id) == 0 == (await Member.get(id=member.id)).points_balance
