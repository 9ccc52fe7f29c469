"""Badge rules, levels, weeks and streaks (challenges.badge_rules, challenges.activity_catalog).
Pure: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenges.activity_catalog import BUILT_IN, ImpactProblem
from challenges.badge_rules import (
    BadgeLevel,
    BadgeRule,
    RuleKind,
    current_streak,
    effective_levels,
    image_url_problem,
    level_problems,
    levels_reached,
    progress_toward_next,
    rule_problems,
    run_through,
    week_of,
)
from domain.errors import Problems

BRONZE_SILVER_GOLD = [BadgeLevel("Bronze", 1), BadgeLevel("Silver", 5), BadgeLevel("Gold", 10)]
MONDAY = date(2026, 6, 1)  # a Monday


def week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


def problems_of(check, value) -> dict[str, str]:
    problems = Problems()
    check(value, problems)
    return {p.path: p.message for p in problems.items}


# --- levels ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "reached"),
    [(0, []), (1, [0]), (4, [0]), (5, [0, 1]), (10, [0, 1, 2]), (999, [0, 1, 2])],
)
def test_a_value_reaches_every_level_whose_threshold_it_meets(value, reached):
    assert levels_reached(BRONZE_SILVER_GOLD, value) == reached


def test_progress_points_at_the_next_levels_threshold_and_at_nothing_once_all_are_earned():
    assert progress_toward_next(BRONZE_SILVER_GOLD, 0, 3).next_threshold == 5
    assert progress_toward_next(BRONZE_SILVER_GOLD, 1, 7).next_threshold == 10
    top = progress_toward_next(BRONZE_SILVER_GOLD, 2, 12)
    assert (top.current, top.next_threshold) == (12, None)


def test_a_badge_without_levels_has_one_reached_by_the_first_qualifying_action():
    assert effective_levels([], "First visit") == [BadgeLevel("First visit", 1)]
    assert effective_levels(BRONZE_SILVER_GOLD, "Eco") == BRONZE_SILVER_GOLD


def test_levels_out_of_order_are_named_by_the_path_of_the_offending_threshold():
    levels = [BadgeLevel("Bronze", 5), BadgeLevel("Silver", 10), BadgeLevel("Gold", 10), BadgeLevel("Star", 3)]
    found = problems_of(level_problems, levels)
    assert set(found) == {"levels.2.threshold", "levels.3.threshold"}
    assert "greater than the previous level's threshold (10)" in found["levels.2.threshold"]


def test_level_names_must_be_present_and_distinct_and_thresholds_positive():
    levels = [BadgeLevel(" ", 1), BadgeLevel("Gold", 2), BadgeLevel("gold", 3), BadgeLevel("Zero", 0)]
    assert set(problems_of(level_problems, levels)) == {"levels.0.name", "levels.2.name", "levels.3.threshold"}


def test_increasing_levels_have_no_problem():
    assert problems_of(level_problems, BRONZE_SILVER_GOLD) == {}


@given(st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=10))
def test_levels_pass_exactly_when_thresholds_strictly_increase(thresholds):
    levels = [BadgeLevel(f"L{i}", t) for i, t in enumerate(thresholds)]
    increasing = all(a < b for a, b in zip(thresholds, thresholds[1:], strict=False))
    assert (problems_of(level_problems, levels) == {}) == increasing


# --- rules ---------------------------------------------------------------------------------

def test_an_activity_count_counts_its_type_only_and_eco_actions_count_anything_with_an_impact():
    recycling = BadgeRule(RuleKind.ACTIVITY_COUNT, "RECYCLE")
    eco = BadgeRule(RuleKind.ECO_ACTION_COUNT)
    assert recycling.counts_activity("RECYCLE", "items_recycled")
    assert not recycling.counts_activity("VISIT", None)
    assert eco.counts_activity("REUSABLE_CUP", "co2_grams")
    assert not eco.counts_activity("VISIT", None)


def test_a_streak_without_a_type_counts_any_activity():
    assert BadgeRule(RuleKind.WEEKLY_STREAK).counts_activity("VISIT", None)
    assert not BadgeRule(RuleKind.WEEKLY_STREAK, "RECYCLE").counts_activity("VISIT", None)


def test_rules_round_trip_through_their_stored_form():
    for rule in (BadgeRule(RuleKind.ACTIVITY_COUNT, "RECYCLE"), BadgeRule(RuleKind.PURCHASE_COUNT)):
        assert BadgeRule.from_json(rule.to_json()) == rule
    assert BadgeRule.from_json(None) is None


def test_an_activity_count_needs_a_type_and_a_purchase_count_takes_none():
    assert set(problems_of(rule_problems, BadgeRule(RuleKind.ACTIVITY_COUNT))) == {"rule.activityType"}
    assert set(problems_of(rule_problems, BadgeRule(RuleKind.PURCHASE_COUNT, "VISIT"))) == {"rule.activityType"}
    assert problems_of(rule_problems, BadgeRule(RuleKind.WEEKLY_STREAK)) == {}


# --- weeks and streaks ---------------------------------------------------------------------

def test_weeks_start_on_monday_in_the_programs_time_zone():
    # Sunday 23:30 UTC is already Monday in Berlin: a new week there, the old one in UTC
    late_sunday = datetime(2026, 6, 7, 23, 30, tzinfo=UTC)
    assert week_of(late_sunday, "UTC") == date(2026, 6, 1)
    assert week_of(late_sunday, "Europe/Berlin") == date(2026, 6, 8)
    # and Monday 03:00 UTC is still Sunday evening in New York
    assert week_of(datetime(2026, 6, 8, 3, 0, tzinfo=UTC), "America/New_York") == date(2026, 6, 1)


def test_a_run_counts_consecutive_weeks_on_both_sides_of_the_given_week():
    weeks = {week(0), week(1), week(2), week(4), week(5)}
    assert run_through(weeks, week(1)) == 3
    assert run_through(weeks, week(5)) == 2
    assert run_through(weeks, week(3)) == 0  # the gap


def test_the_current_streak_survives_until_a_whole_week_passes_without_activity():
    weeks = {week(0), week(1), week(2)}
    assert current_streak(weeks, week(2)) == 3  # active this week
    assert current_streak(weeks, week(3)) == 3  # this week not over yet
    assert current_streak(weeks, week(4)) == 0  # a whole week missed


@given(st.sets(st.integers(min_value=0, max_value=30)), st.integers(min_value=0, max_value=30))
def test_a_run_is_never_longer_than_the_weeks_seen_and_positive_exactly_on_a_seen_week(offsets, probe):
    weeks = {week(n) for n in offsets}
    length = run_through(weeks, week(probe))
    assert 0 <= length <= len(weeks)
    assert (length > 0) == (probe in offsets)


# --- image URLs ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "url",
    ["http://cdn.example.com/a.png", "ftp://cdn.example.com/a.png", "https://", "javascript:alert(1)",
     "https://cdn.example.com/a b.png", "cdn.example.com/a.png", "https://[::1/a.png", "https://x/" + "a" * 500],
)
def test_badge_images_must_be_https_urls(url):
    assert image_url_problem(url) is not None


def test_an_https_image_url_is_fine():
    assert image_url_problem("https://cdn.example.com/badges/eco.png") is None


# --- the built-in activity catalog's impacts ------------------------------------------------

def test_built_in_impacts_come_from_attributes_where_natural():
    assert BUILT_IN["RECYCLE"].impact({}) == 1
    assert BUILT_IN["RECYCLE"].impact({"count": 6}) == 6
    assert BUILT_IN["REUSABLE_CUP"].impact({"count": 99}) == 30  # one cup an activity
    assert BUILT_IN["PUBLIC_TRANSPORT"].impact({"distanceKm": 12.5}) == 1250
    assert BUILT_IN["E_RECEIPT"].impact({}) == 3
    assert BUILT_IN["VISIT"].impact({}) == 0


@pytest.mark.parametrize(
    ("code", "attributes", "attribute"),
    [("RECYCLE", {"count": 0}, "count"), ("RECYCLE", {"count": "3"}, "count"), ("RECYCLE", {"count": True}, "count"),
     ("RECYCLE", {"count": 10_000}, "count"), ("PUBLIC_TRANSPORT", {}, "distanceKm"),
     ("PUBLIC_TRANSPORT", {"distanceKm": -4}, "distanceKm"), ("PUBLIC_TRANSPORT", {"distanceKm": 1e9}, "distanceKm")],
)
def test_impact_attributes_out_of_range_are_named(code, attributes, attribute):
    with pytest.raises(ImpactProblem) as raised:
        BUILT_IN[code].impact(attributes)
    assert raised.value.attribute == attribute
