"""The worker's periodic jobs (api/scheduler.py): expiry and reminders on their beats,
idempotent across ticks, and one job's failure stopping nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.scheduler import Job, Schedule, worker_jobs
from challenges import wiring as challenges_wiring
from challenges.models import OutboxMessage
from domain.events import event_bus
from domain.models import EarnLot, LedgerEntry, LedgerKind, Member, TierChange
from domain.periods import add_months
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def gamification_handlers() -> None:
    challenges_wiring.register(event_bus)


async def test_a_tick_expires_due_lots_once_and_reminds_each_member_once(program):
    # given A's 10 points earned a year before NOW (due), B's 20 expiring in 3 days and
    # 30 in 5 days, C's 40 expiring in 3 months (no reminder yet)
    a, b, c = [await factories.member(program, name, NOW - timedelta(days=400)) for name in ("a", "b", "c")]
    await factories.purchase(program, a.id, 10_00, now=add_months(NOW, -12) - timedelta(hours=1))
    await factories.purchase(program, b.id, 20_00, now=add_months(NOW + timedelta(days=3), -12))
    await factories.purchase(program, b.id, 30_00, now=add_months(NOW + timedelta(days=5), -12))
    await factories.purchase(program, c.id, 40_00, now=add_months(NOW + timedelta(days=90), -12))
    schedule = Schedule(worker_jobs())
    # when the worker ticks at NOW
    first = await schedule.tick(NOW)
    # then every job ran: A's 10 points expired; B reminded for each of the two days
    assert first == {"release-holds": 0, "expire-points": 10, "remind-expiring": 2,
                     "settle-community-challenges": 0, "review-tiers": 0}
    assert await LedgerEntry.filter(kind=LedgerKind.EXPIRE).values_list("member_id", "points") == [(a.id, -10)]
    assert (await Member.get(id=a.id)).points_balance == 0
    reminders = await OutboxMessage.filter(category="expiry").order_by("id").values_list("member_id", "data")
    assert [(m, d["points"]) for m, d in reminders] == [(b.id, 20), (b.id, 30)]

    # when it ticks again a minute later: nothing is due yet
    assert await schedule.tick(NOW + timedelta(minutes=1)) == {}
    # when all jobs are due again a day later, and everything is run once more
    again = await schedule.tick(NOW + timedelta(days=1))
    forced = await schedule.run_all(NOW + timedelta(days=1, minutes=1))
    # then nothing more expired and nobody was reminded twice
    assert again == {"release-holds": 0, "expire-points": 0, "remind-expiring": 0,
                     "settle-community-challenges": 0, "review-tiers": 0}
    assert forced == again
    assert await LedgerEntry.filter(kind=LedgerKind.EXPIRE).count() == 1
    assert await OutboxMessage.filter(category="expiry").count() == 2
    assert await EarnLot.filter(member_id=c.id).values_list("remaining", flat=True) == [40]


async def test_each_job_keeps_its_own_beat():
    # given a job every hour and one every day, counting their runs
    runs: list[str] = []

    def job(name: str, every: timedelta) -> Job:
        async def run(now):
            runs.append(name)
            return 1
        return Job(name, every, run)

    schedule = Schedule([job("hourly", timedelta(hours=1)), job("daily", timedelta(days=1))])
    # when the worker ticks every 20 minutes for three hours
    for minutes in range(0, 181, 20):
        await schedule.tick(NOW + timedelta(minutes=minutes))
    # then the hourly job ran at 0, 60, 120 and 180 minutes, the daily one once
    assert runs.count("hourly") == 4
    assert runs.count("daily") == 1


async def test_a_failing_job_is_logged_and_retried_on_its_beat_while_the_others_run(caplog):
    # given a job that fails once and a job after it
    calls = {"flaky": 0, "steady": 0}

    async def flaky(now):
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("database went away")
        return 3

    async def steady(now):
        calls["steady"] += 1
        return 1

    schedule = Schedule([Job("flaky", timedelta(hours=1), flaky), Job("steady", timedelta(hours=1), steady)])
    # when it ticks, and again an hour later
    first = await schedule.tick(NOW)
    second = await schedule.tick(NOW + timedelta(hours=1))
    # then the failure was reported as None and logged, the other job ran, and the retry worked
    assert first == {"flaky": None, "steady": 1}
    assert second == {"flaky": 3, "steady": 1}
    assert "job flaky failed" in caplog.text


async def test_a_job_that_overruns_its_timeout_is_stopped():
    import asyncio

    async def slow(now):
        await asyncio.sleep(5)
        return 1

    schedule = Schedule([Job("slow", timedelta(hours=1), slow, timeout=timedelta(milliseconds=20))])
    assert await schedule.tick(NOW) == {"slow": None}


async def test_the_worker_downgrades_a_member_who_stopped_buying_once_their_review_is_due(program):
    # given a member lifted to Silver by one purchase a year and more ago, who bought nothing since
    await factories.standard_tiers(program)
    lapsed = await factories.member(program, "lapsed", NOW - timedelta(days=400))
    await factories.purchase(program, lapsed.id, amount=600_00, now=NOW - timedelta(days=390))
    assert (await Member.get(id=lapsed.id).prefetch_related("tier")).tier.name == "Silver"
    schedule = Schedule(worker_jobs())
    # when the worker ticks (nobody ran `loyalty review-tiers`)
    first = await schedule.tick(NOW)
    # then the due review moved them down, recorded once
    assert first["review-tiers"] == 1
    assert (await Member.get(id=lapsed.id).prefetch_related("tier")).tier.name == "Bronze"
    # and the job's next daily run, or a forced one, moves nobody again
    assert (await schedule.tick(NOW + timedelta(days=1)))["review-tiers"] == 0
    assert (await schedule.run_all(NOW + timedelta(days=1, minutes=1)))["review-tiers"] == 0
    assert await TierChange.filter(member_id=lapsed.id, reason="downgrade").count() == 1
