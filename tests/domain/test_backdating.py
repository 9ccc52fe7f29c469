"""The back-dating window (a program's maxBackdatingDays) through the services: a new
request older than the window is refused and writes nothing; a replay of one recorded in
time returns its first result whenever it comes (invariant 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from challenges.models import Activity
from domain.errors import InvalidInput
from domain.models import IdempotencyRecord, Purchase
from domain.purchases import record_purchase
from tests import factories
from tests.factories import NOW


async def test_a_purchase_older_than_the_window_is_refused_and_writes_nothing(program):
    someone = await factories.member(program)
    with pytest.raises(InvalidInput) as refused:
        await record_purchase(program, factories.report(someone.id, occurred_at=NOW - timedelta(days=31)), NOW)
    assert [p.path for p in refused.value.problems] == ["occurredAt"]
    assert (await Purchase.all().count(), await IdempotencyRecord.all().count()) == (0, 0)


async def test_a_replay_after_the_window_returns_the_first_result(program):
    # given a purchase recorded a minute after it happened
    someone = await factories.member(program)
    report = factories.report(someone.id, occurred_at=NOW - timedelta(minutes=1))
    first = await record_purchase(program, report, NOW)
    # when the till replays the same request two months later
    replay = await record_purchase(program, report, NOW + timedelta(days=60))
    # then it gets the first result, and nothing is written twice
    assert replay == first
    assert await Purchase.all().count() == 1


async def test_an_activity_replayed_after_the_window_returns_the_first_result(program):
    someone = await factories.member(program)
    first = await factories.activity(program, someone.id, "VISIT", key="visit-1")
    replay = await factories.activity(program, someone.id, "VISIT", key="visit-1", occurred_at=NOW - timedelta(minutes=1),
                                      now=NOW + timedelta(days=60))
    assert replay == first
    assert await Activity.all().count() == 1


async def test_an_activity_older_than_the_window_is_refused(program):
    someone = await factories.member(program)
    with pytest.raises(InvalidInput) as refused:
        await factories.activity(program, someone.id, "VISIT", occurred_at=NOW - timedelta(days=45))
    assert [p.path for p in refused.value.problems] == ["occurredAt"]
    assert await Activity.all().count() == 0
