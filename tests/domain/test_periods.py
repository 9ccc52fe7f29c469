"""Calendar arithmetic for expiry dates and tier windows (domain.periods). Pure."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.periods import add_months


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 18, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (at(2026, 1, 15), 1, at(2026, 2, 15)),
        (at(2027, 1, 31), 1, at(2027, 2, 28)),  # no 31 February: the month's last day
        (at(2028, 1, 31), 1, at(2028, 2, 29)),  # leap year
        (at(2026, 5, 31), 1, at(2026, 6, 30)),
        (at(2028, 2, 29), 12, at(2029, 2, 28)),  # a leap day a year on
        (at(2026, 1, 31), 2, at(2026, 3, 31)),  # clamping is not carried into later months
    ],
)
def test_adding_months_keeps_the_day_or_clamps_to_the_months_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (at(2026, 3, 31), -1, at(2026, 2, 28)),
        (at(2028, 3, 31), -1, at(2028, 2, 29)),
        (at(2026, 1, 15), -1, at(2025, 12, 15)),  # back across the year
        (at(2026, 6, 1), -12, at(2025, 6, 1)),  # a rolling tier window of a year
        (at(2026, 2, 10), -13, at(2025, 1, 10)),
        (at(2026, 1, 1), -25, at(2023, 12, 1)),
    ],
)
def test_negative_months_go_back(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (at(2026, 11, 15), 3, at(2027, 2, 15)),
        (at(2026, 12, 31), 1, at(2027, 1, 31)),
        (at(2026, 12, 1), 12, at(2027, 12, 1)),
        (at(2026, 1, 1), 120, at(2036, 1, 1)),  # the longest expiry a program may set
    ],
)
def test_adding_months_wraps_the_year(start, months, expected):
    assert add_months(start, months) == expected


def test_time_of_day_and_offset_are_kept():
    cet = timezone(timedelta(hours=1))
    start = datetime(2026, 1, 31, 23, 59, 59, 999_999, tzinfo=cet)
    assert add_months(start, 1) == datetime(2026, 2, 28, 23, 59, 59, 999_999, tzinfo=cet)
    assert add_months(start, 1).tzinfo is cet


@given(
    start=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)),
    months=st.integers(-240, 240),
)
def test_the_result_is_months_away_on_the_same_or_last_day(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)
    assert (result.time(), result.tzinfo) == (start.time(), start.tzinfo)
