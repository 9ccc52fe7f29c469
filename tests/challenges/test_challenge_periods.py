"""Challenge windows and periods in the program's time zone (challenges.challenge_periods). Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenges.challenge_periods import Period, Recurrence, Window, period_at, window_problems

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2030, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def every(recurrence: Recurrence, ends_at: datetime | None = None) -> Window:
    return Window(START, ends_at, recurrence)


def test_a_fixed_window_is_one_period_from_start_to_end():
    window = Window(utc(2026, 6, 1), utc(2026, 6, 30))
    assert period_at(window, utc(2026, 6, 15), PARIS) == Period("all", utc(2026, 6, 1), utc(2026, 6, 30))


@pytest.mark.parametrize("moment", [utc(2026, 5, 31, 23, 59), utc(2026, 6, 30), utc(2026, 7, 2)])
def test_outside_the_window_there_is_no_period(moment):
    assert period_at(Window(utc(2026, 6, 1), utc(2026, 6, 30)), moment, PARIS) is None


def test_a_daily_period_turns_at_midnight_in_the_programs_time_zone():
    # 23:30 UTC on 1 June is already 2 June in Paris (UTC+2 in summer)
    period = period_at(every(Recurrence.DAILY), utc(2026, 6, 1, 23, 30), PARIS)
    assert period == Period("2026-06-02", utc(2026, 6, 1, 22), utc(2026, 6, 2, 22))
    assert period_at(every(Recurrence.DAILY), utc(2026, 6, 1, 23, 30), ZoneInfo("UTC")).key == "2026-06-01"


def test_a_weekly_period_is_an_iso_week_from_monday():
    # Sunday 3 January 2027 belongs to ISO week 53 of 2026
    period = period_at(every(Recurrence.WEEKLY, ends_at=utc(2028, 1, 1)), utc(2027, 1, 3, 12), PARIS)
    assert period == Period("2026-W53", utc(2026, 12, 27, 23), utc(2027, 1, 3, 23))


def test_a_monthly_period_is_a_calendar_month():
    period = period_at(every(Recurrence.MONTHLY), utc(2026, 2, 14), NEW_YORK)
    assert period == Period("2026-02", utc(2026, 2, 1, 5), utc(2026, 3, 1, 5))


def test_the_day_clocks_spring_forward_is_one_23_hour_period():
    period = period_at(every(Recurrence.DAILY), utc(2026, 3, 29, 12), PARIS)
    assert period.key == "2026-03-29"
    assert period.ends_at - period.starts_at == timedelta(hours=23)


def test_the_day_clocks_fall_back_is_one_25_hour_period():
    period = period_at(every(Recurrence.DAILY), utc(2026, 11, 1, 12), NEW_YORK)
    assert period.key == "2026-11-01"
    assert period.ends_at - period.starts_at == timedelta(hours=25)


def test_a_day_whose_midnight_does_not_exist_starts_at_its_first_instant():
    # Santiago springs forward at midnight: 6 September 2026 begins at 01:00 local (04:00 UTC)
    period = period_at(every(Recurrence.DAILY), utc(2026, 9, 6, 12), ZoneInfo("America/Santiago"))
    assert (period.key, period.starts_at) == ("2026-09-06", utc(2026, 9, 6, 4))


def test_periods_are_clipped_to_the_window():
    window = Window(utc(2026, 6, 3, 10), utc(2026, 6, 20, 12), Recurrence.MONTHLY)
    assert period_at(window, utc(2026, 6, 10), PARIS) == Period("2026-06", utc(2026, 6, 3, 10), utc(2026, 6, 20, 12))


def test_a_window_survives_its_json_form():
    window = Window(utc(2026, 6, 1), None, Recurrence.WEEKLY)
    assert Window.from_json(window.to_json()) == window


ZONES = st.sampled_from([PARIS, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC")])
MOMENTS = st.datetimes(datetime(2026, 1, 2), datetime(2026, 12, 30), timezones=st.just(UTC))


@given(moment=MOMENTS, tz=ZONES, recurrence=st.sampled_from(Recurrence))
def test_every_moment_lies_in_its_period_and_the_periods_tile_time(moment, tz, recurrence):
    window = every(recurrence, END)
    period = period_at(window, moment, tz)
    assert period.starts_at <= moment < period.ends_at
    # the period's first instant has its key; its end begins the next period
    assert period_at(window, period.starts_at, tz).key == period.key
    following = period_at(window, period.ends_at, tz)
    assert following.key > period.key and following.starts_at == period.ends_at


@given(earlier=MOMENTS, later=MOMENTS, tz=ZONES, recurrence=st.sampled_from(Recurrence))
def test_keys_follow_time(earlier, later, tz, recurrence):
    earlier, later = sorted((earlier, later))
    assert period_at(every(recurrence, END), earlier, tz).key <= period_at(every(recurrence, END), later, tz).key


# --- validation ------------------------------------------------------------------------------

NOW = utc(2026, 6, 1)


def paths(window: Window) -> set[str]:
    return {p.path for p in window_problems(window, NOW)}


def test_an_empty_or_reversed_window_is_refused():
    assert paths(Window(utc(2026, 7, 1), utc(2026, 7, 1))) == {"window.endsAt"}
    assert paths(Window(utc(2026, 7, 1), utc(2026, 6, 15))) == {"window.endsAt"}


def test_a_fixed_window_needs_an_end_and_a_recurring_one_does_not():
    assert paths(Window(utc(2026, 7, 1), None)) == {"window.endsAt"}
    assert paths(Window(utc(2026, 7, 1), None, Recurrence.WEEKLY)) == set()


def test_a_window_that_has_already_ended_is_refused():
    assert paths(Window(utc(2026, 1, 1), utc(2026, 2, 1))) == {"window.endsAt"}


def test_times_without_an_offset_are_refused():
    assert paths(Window(datetime(2026, 7, 1), datetime(2026, 8, 1))) == {"window.startsAt", "window.endsAt"}
