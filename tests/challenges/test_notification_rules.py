"""Quiet hours, preferences and retry backoff: the pure rules of push notifications.
No database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenges.delivery.backoff import RetryPolicy
from challenges.notification_preferences import (
    NotificationCategory,
    Preference,
    decide,
    validate,
)
from challenges.quiet_hours import QuietHours, parse_clock
from domain.errors import InvalidInput

BERLIN = "Europe/Berlin"
NIGHT = QuietHours(time(22, 0), time(7, 0))


def at(local: str, tz: str = BERLIN) -> datetime:
    """A member-local wall-clock moment, as the UTC instant the server sees."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local(instant: datetime, tz: str = BERLIN) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


# --- quiet hours --------------------------------------------------------------------------

def test_late_evening_in_a_window_across_midnight_is_held_until_the_next_morning():
    assert local(NIGHT.held_until(at("2026-06-01 23:15"), BERLIN)) == "2026-06-02 07:00 CEST"


def test_small_hours_are_held_until_the_same_morning():
    assert local(NIGHT.held_until(at("2026-06-02 03:00"), BERLIN)) == "2026-06-02 07:00 CEST"


@pytest.mark.parametrize("clock", ["2026-06-01 07:00", "2026-06-01 12:00", "2026-06-01 21:59"])
def test_daytime_is_not_held(clock):
    assert NIGHT.held_until(at(clock), BERLIN) is None


def test_the_window_starts_on_its_first_minute_and_is_over_on_its_last():
    assert NIGHT.held_until(at("2026-06-01 22:00"), BERLIN) is not None
    assert NIGHT.held_until(at("2026-06-02 06:59"), BERLIN) is not None
    assert NIGHT.held_until(at("2026-06-02 07:00"), BERLIN) is None


def test_a_window_within_one_day_holds_only_inside_it():
    lunch = QuietHours(time(12, 0), time(14, 0))
    assert local(lunch.held_until(at("2026-06-01 13:00"), BERLIN)) == "2026-06-01 14:00 CEST"
    assert lunch.held_until(at("2026-06-01 23:00"), BERLIN) is None


def test_quiet_hours_follow_the_members_zone_not_the_servers():
    # given 03:00 UTC, which is 23:00 the evening before in New York
    now = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    # then a New Yorker's night holds it until 07:00 New York time, a Berliner's (05:00) too
    assert local(NIGHT.held_until(now, "America/New_York"), "America/New_York") == "2026-06-02 07:00 EDT"
    assert local(NIGHT.held_until(now, BERLIN)) == "2026-06-02 07:00 CEST"
    # and a Tokyo member (12:00) is not held
    assert NIGHT.held_until(now, "Asia/Tokyo") is None


def test_a_night_that_loses_an_hour_to_daylight_saving_ends_at_seven_local():
    # given Berlin springs forward at 02:00 on 2026-03-29: the night is an hour shorter
    held = NIGHT.held_until(at("2026-03-28 23:00"), BERLIN)
    assert local(held) == "2026-03-29 07:00 CEST"
    assert held - at("2026-03-28 23:00") == timedelta(hours=7)


def test_a_night_that_gains_an_hour_ends_at_seven_local_not_an_hour_early():
    # given Berlin falls back at 03:00 on 2026-10-25: the night is an hour longer
    held = NIGHT.held_until(at("2026-10-24 23:00"), BERLIN)
    assert local(held) == "2026-10-25 07:00 CET"
    assert held - at("2026-10-24 23:00") == timedelta(hours=9)


def test_an_end_inside_the_skipped_hour_resolves_to_just_after_the_gap():
    # given quiet hours ending 02:30, a time Berlin skips on 2026-03-29
    short = QuietHours(time(23, 0), time(2, 30))
    held = short.held_until(at("2026-03-29 01:30"), BERLIN)
    # then the push waits until the clock has passed 02:30, i.e. 03:30 summer time
    assert local(held) == "2026-03-29 03:30 CEST"
    assert held > at("2026-03-29 01:30")


def test_inside_the_repeated_hour_the_second_occurrence_of_the_end_is_the_release():
    # given quiet hours 01:00-02:30 and Berlin's repeated hour 02:00-03:00 on 2026-10-25
    early = QuietHours(time(1, 0), time(2, 30))
    second_two_oclock = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 02:00 CET, after 02:30 CEST passed
    # then the push waits for the wall clock's second 02:30, half an hour later
    assert early.held_until(second_two_oclock, BERLIN) == second_two_oclock + timedelta(minutes=30)


def test_an_unknown_stored_zone_falls_back_to_utc_rather_than_blocking_pushes():
    now = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)
    assert NIGHT.held_until(now, "Mars/Olympus") == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError):
        QuietHours(time(7, 0), time(7, 0))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
       st.sampled_from([BERLIN, "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]),
       st.times(), st.times())
def test_a_push_is_held_exactly_when_inside_the_window_and_released_within_a_day(now, tz, start, end):
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    if start == end:
        return
    window = QuietHours(start, end)
    held = window.held_until(now, tz)
    inside = window.contains(now.astimezone(ZoneInfo(tz)).time())
    assert (held is not None) == inside
    if held is not None:
        assert now < held <= now + timedelta(hours=25)


@pytest.mark.parametrize("text, parsed", [("22:00", time(22, 0)), ("07:05", time(7, 5)), ("00:00", time(0, 0)),
                                          ("23:59", time(23, 59))])
def test_clock_times_are_24_hour_hh_mm(text, parsed):
    assert parse_clock(text) == parsed


@pytest.mark.parametrize("text", ["24:00", "7:00", "07:60", "10pm", "", "07:00:00", " 07:00"])
def test_other_spellings_are_not_clock_times(text):
    assert parse_clock(text) is None


# --- preferences --------------------------------------------------------------------------

def test_a_switched_off_category_is_not_sent():
    off = Preference(NotificationCategory.BADGE, enabled=False)
    assert decide(off, BERLIN, at("2026-06-01 12:00")).send is False


def test_a_category_with_quiet_hours_is_sent_but_held_at_night():
    quiet = Preference(NotificationCategory.BADGE, True, "22:00", "07:00")
    decision = decide(quiet, BERLIN, at("2026-06-01 23:00"))
    assert decision.send and local(decision.held_until) == "2026-06-02 07:00 CEST"
    assert decide(quiet, BERLIN, at("2026-06-01 12:00")).held_until is None


def paths(changes: list[Preference]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        validate(changes)
    return {p.path: p.message for p in raised.value.problems}


def test_every_bad_preference_field_is_named_with_its_index():
    problems = paths([
        Preference(NotificationCategory.BADGE, True, "22:00", None),
        Preference(NotificationCategory.TIER, True, "25:00", "07:00"),
        Preference(NotificationCategory.BADGE, False),
        Preference(NotificationCategory.POINTS_EXPIRY, True, "07:00", "07:00"),
    ])
    assert set(problems) == {"input.0.quietEnd", "input.1.quietStart", "input.2.category", "input.3.quietEnd"}
    assert "both" in problems["input.0.quietEnd"]
    assert "BADGE appears more than once" in problems["input.2.category"]


def test_an_empty_preference_list_is_refused():
    assert set(paths([])) == {"input"}


# --- retry backoff ------------------------------------------------------------------------

POLICY = RetryPolicy(max_attempts=5, base=timedelta(seconds=30), cap=timedelta(minutes=10))


def test_the_ceiling_doubles_per_attempt_up_to_the_cap():
    assert [POLICY.ceiling(n).total_seconds() for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]


def test_jitter_keeps_each_delay_between_half_and_all_of_its_ceiling():
    assert POLICY.delay(3, lambda: 0.0) == timedelta(seconds=60)
    assert POLICY.delay(3, lambda: 0.999999) == pytest.approx(timedelta(seconds=120), abs=timedelta(seconds=0.001))


@given(st.integers(min_value=1, max_value=10_000), st.floats(min_value=0, max_value=1, exclude_max=True))
def test_a_delay_is_never_beyond_the_cap_even_after_absurd_attempt_counts(attempts, unit):
    assert timedelta(seconds=15) <= POLICY.delay(attempts, lambda: unit) <= POLICY.cap


def test_the_message_is_dead_once_attempts_reach_the_maximum():
    assert [POLICY.exhausted(n) for n in (1, 4, 5, 6)] == [False, False, True, True]


def test_a_policy_that_could_never_deliver_is_refused():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base=timedelta(minutes=5), cap=timedelta(minutes=1))

