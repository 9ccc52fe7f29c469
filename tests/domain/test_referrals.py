"""Referrals end to end through the real services: enrol with a code, buy, both credited once."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.events import ReferralCompleted, event_bus
from domain.members import Enrollment, enroll_member
from domain.models import LedgerEntry, Member, Program, Referral, ReferralStatus
from domain.referrals import referral_summary
from tests import factories
from tests.factories import NOW


async def refer(program: Program, referrer: Member, **fields: object) -> Member:
    enrollment = Enrollment(
        external_id=factories.next_key("friend"),
        display_name=str(fields.pop("display_name", "A Friend")),
        referral_code=str(fields.pop("code", referrer.referral_code)),
        **fields,  # type: ignore[arg-type]
    )
    return await enroll_member(program, enrollment, NOW)


async def balance(member: Member) -> int:
    return (await Member.get(id=member.id)).points_balance


async def configure(program: Program, referrer: int = 200, referee: int = 100, minimum: int = 20_00, cap: int = 10) -> None:
    program.referral_referrer_points, program.referral_referee_points = referrer, referee
    program.referral_min_purchase, program.referral_cap = minimum, cap
    await program.save()


async def test_both_are_credited_once_after_the_first_qualifying_purchase(program: Program) -> None:
    await configure(program, referrer=200, referee=100, minimum=20_00)
    program.points_per_currency_unit = 0  # only referral points move balances here
    await program.save()
    alice = await factories.member(program)
    bob = await refer(program, alice)
    completed: list[ReferralCompleted] = []

    async def seen(event: ReferralCompleted) -> None:
        completed.append(event)

    event_bus.subscribe(ReferralCompleted, seen)
    try:
        # given a first purchase below the minimum: nothing yet
        await factories.purchase(program, bob.id, 19_99)
        assert (await balance(alice), await balance(bob)) == (0, 0)
        assert (await Referral.get(referee_id=bob.id)).status == ReferralStatus.PENDING
        # when bob buys for the minimum
        bought = await factories.purchase(program, bob.id, 20_00, key="qualifying")
        # then both are credited, as earnings
        assert (await balance(alice), await balance(bob)) == (200, 100)
        referral = await Referral.get(referee_id=bob.id)
        assert (referral.status, referral.purchase_id) == (ReferralStatus.COMPLETED, bought.purchase_id)
        assert [(e.referrer_id, e.referee_id) for e in completed] == [(str(alice.id), str(bob.id))]
        # and a replay of that purchase or a later purchase credits nothing again
        await factories.purchase(program, bob.id, 20_00, key="qualifying")
        await factories.purchase(program, bob.id, 50_00)
        assert (await balance(alice), await balance(bob)) == (200, 100)
        assert len(completed) == 1
    finally:
        event_bus.unsubscribe(ReferralCompleted, seen)
    summary = await referral_summary(alice)
    assert (summary.code, summary.completed_count, summary.pending_count, summary.points_earned) == (
        alice.referral_code, 1, 0, 200,
    )


async def test_past_the_cap_only_the_referee_is_credited(program: Program) -> None:
    await configure(program, referrer=200, referee=100, minimum=1_00, cap=2)
    program.points_per_currency_unit = 0
    await program.save()
    alice = await factories.member(program)
    friends = [await refer(program, alice) for _ in range(3)]
    for friend in friends:
        await factories.purchase(program, friend.id, 5_00)
    assert await balance(alice) == 400
    assert [await balance(f) for f in friends] == [100, 100, 100]
    capped = await Referral.filter(referrer_id=alice.id, capped=True).values_list("referee_id", flat=True)
    assert [str(c) for c in capped] == [str(friends[2].id)]
    summary = await referral_summary(alice)
    assert (summary.completed_count, summary.points_earned) == (3, 400)


async def test_an_unknown_code_is_rejected_and_nothing_is_written(program: Program) -> None:
    before = await Member.all().count()
    with pytest.raises(InvalidInput) as bad:
        await enroll_member(program, Enrollment("new", "New Member", referral_code="NOPE2345"), NOW)
    assert [p.path for p in bad.value.problems] == ["referralCode"]
    assert await Member.all().count() == before
    assert await Referral.all().count() == 0


async def test_codes_are_matched_ignoring_case_and_spaces(program: Program) -> None:
    alice = await factories.member(program)
    bob = await refer(program, alice, code=f"  {alice.referral_code.lower()} ")
    assert await Referral.filter(referrer_id=alice.id, referee_id=bob.id).exists()


async def test_the_same_person_cannot_refer_a_second_account(program: Program) -> None:
    # given Alice, born 1990-04-01
    alice = await enroll_member(program, Enrollment("alice-1", "Alice Martin", birthday=date(1990, 4, 1)), NOW)
    # when "alice martin" with the same birthday enrols with Alice's code: refused, nothing written
    with pytest.raises(InvalidInput) as bad:
        await refer(program, alice, display_name="alice  MARTIN", birthday=date(1990, 4, 1))
    assert [p.path for p in bad.value.problems] == ["referralCode"]
    assert await Member.all().count() == 1
    # a namesake born another day is a different person
    await refer(program, alice, display_name="Alice Martin", birthday=date(1985, 4, 1))
    assert await Referral.filter(referrer_id=alice.id).count() == 1


async def test_an_erased_members_code_no_longer_refers(program: Program) -> None:
    alice = await factories.member(program)
    await Member.filter(id=alice.id).update(erased_at=NOW)
    with pytest.raises(InvalidInput):
        await refer(program, alice)


async def test_referral_points_are_ledger_entries_the_balance_agrees_with(program: Program) -> None:
    await configure(program, minimum=1_00)
    alice = await factories.member(program)
    bob = await refer(program, alice)
    await factories.purchase(program, bob.id, 10_00)
    for member in (alice, bob):
        entries = await LedgerEntry.filter(member_id=member.id).values_list("points", flat=True)
        assert sum(entries) == await balance(member)
