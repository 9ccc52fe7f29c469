"""When a reported purchase or activity may say it happened (domain/occurrence.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.occurrence import occurred_at_problem

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("occurred_at", [NOW, NOW - timedelta(days=30), NOW + timedelta(minutes=5),
                                         datetime(2026, 6, 1, 16, 59, tzinfo=timezone(timedelta(hours=5)))])
def test_recent_times_and_a_little_clock_drift_are_fine(occurred_at):
    assert occurred_at_problem(occurred_at, NOW, 30) is None


@pytest.mark.parametrize(("occurred_at", "days", "problem"), [
    (NOW - timedelta(days=30, seconds=1), 30, "must be within the last 30 days"),
    (NOW - timedelta(days=1, seconds=1), 1, "must be within the last 1 days"),
    (NOW + timedelta(minutes=5, seconds=1), 30, "must not be in the future (more than 5 minutes ahead)"),
    (datetime(1900, 5, 1, tzinfo=UTC), 3650, "must be after 2000-01-01"),
    (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), 3650, "must be after 2000-01-01"),
    (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))), 30, "must not be in the future"),
    (datetime(2026, 6, 1, 11, 0), 30, "must carry a UTC offset"),
])
def test_old_future_and_unanchored_times_are_named(occurred_at, days, problem):
    found = occurred_at_problem(occurred_at, NOW, days)
    assert (found is None) if problem is None else found.startswith(problem)
