"""Tier moves over time: upgrades at once, downgrades only when a review is due."""

from __future__ import annotations

from datetime import timedelta

from domain.models import Member, TierChange
from domain.purchases import reverse_purchase
from domain.tiers import review_due_tiers, tier_history
from tests import factories
from tests.factories import NOW


async def tier_name(member_id: object) -> str | None:
    member = await Member.get(id=member_id).prefetch_related("tier")
    return member.tier.name if member.tier else None


async def test_new_member_starts_in_the_entry_tier(program):
    await factories.standard_tiers(program)
    member = await factories.member(program)
    assert await tier_name(member.id) == "Bronze"


async def test_downgrade_waits_for_the_review_then_happens(program):
    # given a member lifted to Silver by one big purchase (review due 12 months later)
    await factories.standard_tiers(program)
    member = await factories.member(program)
    big = await factories.purchase(program, member.id, amount=600_00)
    # when the purchase is returned, the qualifying value falls below Silver ...
    await reverse_purchase(program, big.purchase_id, "returned", "ret-1", "pos", NOW + timedelta(days=1))
    # ... yet they keep Silver until the review
    assert await tier_name(member.id) == "Silver"
    assert await review_due_tiers(program, NOW + timedelta(days=300)) == 0
    assert await tier_name(member.id) == "Silver"
    # and at the review they go down to the tier their value earns
    assert await review_due_tiers(program, NOW + timedelta(days=370)) == 1
    assert await tier_name(member.id) == "Bronze"
    history = await tier_history(member.id)
    assert [(c.from_tier.name, c.to_tier.name, c.reason) for c in history] == [
        ("Silver", "Bronze", "downgrade"),
        ("Bronze", "Silver", "upgrade"),
    ]


async def test_review_keeps_a_member_who_still_qualifies(program):
    await factories.standard_tiers(program)
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=600_00)
    # a purchase inside the window a year later keeps the value above Silver
    later = NOW + timedelta(days=360)
    await factories.purchase(program, member.id, amount=600_00, now=later)
    assert await review_due_tiers(program, NOW + timedelta(days=370)) == 0
    assert await tier_name(member.id) == "Silver"
    assert await TierChange.filter(member_id=member.id).count() == 1


async def test_purchases_outside_the_rolling_window_do_not_count(program):
    await factories.standard_tiers(program)
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=400_00)
    # 13 months later another 400 would make 800 only if the first still counted
    outcome = await factories.purchase(program, member.id, amount=400_00, now=NOW + timedelta(days=400))
    assert outcome.tier_change is None
    assert await tier_name(member.id) == "Bronze"
