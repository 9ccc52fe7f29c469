"""Push intents: queued with their cause, per the member's preferences, one per cause;
triggered by badges, tier upgrades and points about to expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from challenges import notification_triggers, outbox, wiring
from challenges.badges import award_badge
from challenges.events import NotificationQueued
from challenges.models import Badge, NotificationPreference, OutboxMessage
from domain import ledger
from domain.points import spend_points
from domain.events import EventBus, event_bus
from domain.models import LedgerKind, Member
from tests import factories

NOW = factories.NOW


@pytest.fixture
def wired() -> Iterator[None]:
    """The handlers the app registers at start-up (idempotent, so safe per test)."""
    wiring.register(event_bus)
    yield


async def intents(member: Member) -> list[OutboxMessage]:
    return await OutboxMessage.filter(member_id=member.id).order_by("id")


async def queue(program, member: Member, key: str = "badge:1", category: str = "badge") -> OutboxMessage | None:
    return await outbox.enqueue(program.id, str(member.id), category, "Title", "Body", {}, key, NOW)


# --- enqueue --------------------------------------------------------------------------------

async def test_one_cause_queues_one_intent_however_often_it_is_reported(program):
    member = await factories.member(program)
    first = await queue(program, member)
    again = await queue(program, member)
    assert first is not None and again is None
    assert len(await intents(member)) == 1


async def test_a_switched_off_category_queues_nothing_and_the_others_still_queue(program):
    member = await factories.member(program)
    await NotificationPreference.create(member_id=member.id, category="badge", enabled=False)
    assert await queue(program, member, "badge:1", "badge") is None
    assert await queue(program, member, "tier:1", "tier") is not None
    assert [m.category for m in await intents(member)] == ["tier"]


async def test_an_intent_rolls_back_with_the_change_that_caused_it(program):
    # given a use case that queues an intent and then fails
    member = await factories.member(program)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await queue(program, member)
            raise RuntimeError("the purchase failed after the intent was queued")
    # then no intent survives to be pushed
    assert await intents(member) == []


async def test_a_queued_intent_is_announced_for_live_subscribers_even_when_held(program):
    # given a member asleep in UTC quiet hours at NOW (12:00 UTC)
    member = await factories.member(program)
    await NotificationPreference.create(member_id=member.id, category="badge", enabled=True,
                                        quiet_start="11:00", quiet_end="13:00")
    with EventBus.recording() as published:
        message = await queue(program, member)
    assert message.next_attempt_at == NOW + timedelta(hours=1)
    assert published == [NotificationQueued(program.id, str(member.id), message.id, "badge", "Title", "Body", {}, NOW)]


async def test_an_unknown_category_is_a_bug_not_a_silent_drop(program):
    member = await factories.member(program)
    with pytest.raises(ValueError):
        await queue(program, member, category="gossip")


async def test_an_intent_for_a_member_of_another_program_is_not_queued(program):
    member = await factories.member(program)
    assert await outbox.enqueue(program.id + 1, str(member.id), "badge", "T", "B", {}, "k", NOW) is None


# --- badge and tier triggers ----------------------------------------------------------------

async def test_earning_a_badge_level_queues_a_push_naming_badge_and_level(program, wired):
    member = await factories.member(program)
    badge = await Badge.create(program=program, code="recycler", name="Recycler",
                               levels=[{"name": "Bronze", "threshold": 1}, {"name": "Silver", "threshold": 5}])
    async with in_transaction():
        await award_badge(program.id, str(member.id), badge.id, 1, NOW)
    [push] = await intents(member)
    assert (push.category, push.title, push.body) == ("badge", "New badge earned", "You earned the Recycler (Silver) badge.")
    assert push.data == {"kind": "badge_earned", "badge_id": str(badge.id), "level": 1, "level_name": "Silver"}
    assert push.dedupe_key == f"badge:{member.id}:{badge.id}:1"


async def test_a_tier_upgrade_queues_a_push_and_a_downgrade_does_not(program, wired):
    # given Bronze/Silver/Gold and a Bronze member
    await factories.standard_tiers(program)
    member = await factories.member(program)
    # when a purchase lifts them to Silver
    await factories.purchase(program, member.id, amount=600_00)
    # then one tier push says so
    [push] = await intents(member)
    assert (push.category, push.title) == ("tier", "Welcome to Silver")
    assert push.data == {"kind": "tier_up", "from_tier": "Bronze", "to_tier": "Silver"}
    # and another upgrade is another push
    await factories.purchase(program, member.id, amount=1500_00)
    assert [p.title for p in await intents(member)] == ["Welcome to Silver", "Welcome to Gold"]


async def test_no_tier_push_when_the_member_switched_tier_news_off(program, wired):
    await factories.standard_tiers(program)
    member = await factories.member(program)
    await NotificationPreference.create(member_id=member.id, category="tier", enabled=False)
    await factories.purchase(program, member.id, amount=600_00)
    assert await intents(member) == []
    assert (await Member.get(id=member.id)).tier_id is not None  # the upgrade itself happened


async def test_registering_the_handlers_twice_still_queues_once(program, wired):
    wiring.register(event_bus)
    await factories.standard_tiers(program)
    member = await factories.member(program)
    await factories.purchase(program, member.id, amount=600_00)
    assert len(await intents(member)) == 1


# --- points expiring --------------------------------------------------------------------------

async def lot(member: Member, points: int, expires_at) -> None:
    async with in_transaction():
        locked = await ledger.lock_member(member.program_id, str(member.id))
        terms = ledger.LotTerms(available_at=NOW - timedelta(days=300), expires_at=expires_at)
        await ledger.credit(locked, points, LedgerKind.ADJUST, "test lot", NOW - timedelta(days=300), terms)


async def test_points_expiring_within_seven_days_get_one_reminder_per_day_with_the_days_total(program):
    # given lots expiring in 3 days (100 + 50), in 6 days (20), in 8 days (70), and yesterday
    member = await factories.member(program)
    soon = NOW + timedelta(days=3)
    for points, expires_at in ((100, soon), (50, soon + timedelta(hours=1)), (20, NOW + timedelta(days=6)),
                               (70, NOW + timedelta(days=8)), (40, NOW - timedelta(days=1))):
        await lot(member, points, expires_at)
    # when the reminder job runs, twice
    queued = [await notification_triggers.remind_expiring_points(NOW) for _ in range(2)]
    # then two reminders were queued the first time and none the second
    assert queued == [2, 0]
    assert [(p.category, p.body) for p in await intents(member)] == [
        ("expiry", "150 points expire on 2026-06-04. Use them before they go."),
        ("expiry", "20 points expire on 2026-06-07. Use them before they go."),
    ]


async def test_the_expiry_day_is_the_members_own(program):
    # given two lots expiring at 23:30 and 00:30 UTC: one day in Berlin, two days in UTC
    berliner, londoner = await factories.member(program), await factories.member(program)
    await Member.filter(id=berliner.id).update(time_zone="Europe/Berlin")
    night = NOW.replace(hour=23, minute=30) + timedelta(days=2)
    for member in (berliner, londoner):
        await lot(member, 10, night)
        await lot(member, 5, night + timedelta(hours=1))
    await notification_triggers.remind_expiring_points(NOW)
    assert [p.data["expires_on"] for p in await intents(berliner)] == ["2026-06-04"]
    assert [(p.data["expires_on"], p.data["points"]) for p in await intents(londoner)] == [
        ("2026-06-03", 10), ("2026-06-04", 5)]


async def test_spent_points_and_switched_off_reminders_queue_nothing(program):
    spent, quiet = await factories.member(program), await factories.member(program)
    await lot(spent, 30, NOW + timedelta(days=2))
    await spend_points(program, str(spent.id), 30, "a free latte", "redeem-1", NOW)
    await lot(quiet, 30, NOW + timedelta(days=2))
    await NotificationPreference.create(member_id=quiet.id, category="expiry", enabled=False)
    assert await notification_triggers.remind_expiring_points(NOW) == 0
