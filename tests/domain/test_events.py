"""Domain events: published inside the transaction that causes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.events import PointsEarned, PurchaseRecorded, TierChanged, event_bus
from domain.models import LedgerEntry, Purchase
from tests import factories


@pytest.fixture
def heard() -> Iterator[list[object]]:
    events: list[object] = []

    async def listen(event: object) -> None:
        events.append(event)

    kinds = (PurchaseRecorded, PointsEarned, TierChanged)
    for kind in kinds:
        event_bus.subscribe(kind, listen)
    yield events
    for kind in kinds:
        event_bus.unsubscribe(kind, listen)


async def test_a_purchase_that_lifts_the_tier_publishes_three_events(program, heard):
    await factories.standard_tiers(program)
    member = await factories.member(program)
    outcome = await factories.purchase(program, member.id, amount=600_00)
    assert [type(e) for e in heard] == [PointsEarned, PurchaseRecorded, TierChanged]
    earned, recorded, changed = heard
    assert (earned.member_id, earned.points) == (str(member.id), 600)
    assert recorded.purchase_id == outcome.purchase_id
    assert (changed.from_tier, changed.to_tier, changed.reason) == ("Bronze", "Silver", "upgrade")


async def test_a_replayed_purchase_publishes_nothing(program, heard):
    member = await factories.member(program)
    await factories.purchase(program, member.id, key="receipt-9")
    heard.clear()
    await factories.purchase(program, member.id, key="receipt-9")
    assert heard == []


async def test_a_failing_handler_rolls_back_the_purchase_that_caused_it(program):
    # given a subscriber that fails (as a broken challenge handler would)
    async def broken(event: object) -> None:
        raise RuntimeError("handler failed")

    member = await factories.member(program)
    event_bus.subscribe(PurchaseRecorded, broken)
    try:
        # when a purchase is recorded
        with pytest.raises(RuntimeError):
            await factories.purchase(program, member.id)
    finally:
        event_bus.unsubscribe(PurchaseRecorded, broken)
    # then nothing of it was committed: handlers share the purchase's transaction
    assert await Purchase.filter(member_id=member.id).count() == 0
    assert await LedgerEntry.filter(member_id=member.id).count() == 0
