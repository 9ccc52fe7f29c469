"""Challenge goals and their evaluation (challenges.goals). Pure: no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenges.goals import Goal, GoalEvent, GoalType, Source, fold, goal_problems, measure, new_milestones

MONDAY = date(2026, 6, 1)


def activity(type_code: str = "RECYCLE", day: date = MONDAY, impact: int = 1, **attributes: object) -> GoalEvent:
    return GoalEvent("activity", day, activity_type=type_code, attributes=attributes, impact=impact)


def purchase(amount: int = 10_00, day: date = MONDAY, items: tuple = ()) -> GoalEvent:
    return GoalEvent("purchase", day, amount=amount, items=items)


def points(earned: int, day: date = MONDAY) -> GoalEvent:
    return GoalEvent("points", day, points=earned)


def run(goal: Goal, *events: GoalEvent) -> tuple[int, int, bool]:
    state: dict = {}
    for event in events:
        state = fold(goal, state, event)
    result = measure(goal, state)
    return result.value, result.percent, result.completed


def paths(goal: Goal) -> set[str]:
    return {p.path for p in goal_problems(goal)}


# --- each goal type ------------------------------------------------------------------------

def test_an_activity_count_counts_only_its_type():
    goal = Goal(GoalType.ACTIVITY_COUNT, 4, activity_type="RECYCLE")
    assert run(goal, activity(), activity("VISIT"), activity()) == (2, 50, False)


def test_an_attribute_filter_counts_only_matching_activities():
    goal = Goal(GoalType.ACTIVITY_COUNT, 2, activity_type="VISIT", attribute="store", equals="paris-1")
    events = [activity("VISIT", store="paris-1"), activity("VISIT", store="lyon-2"), activity("VISIT")]
    assert run(goal, *events) == (1, 50, False)


def test_a_category_filter_counts_activities_of_that_category():
    goal = Goal(GoalType.ACTIVITY_COUNT, 2, activity_type="REVIEW", category="coffee")
    assert run(goal, activity("REVIEW", category="coffee"), activity("REVIEW", category="tea")) == (1, 50, False)


def test_an_impact_measure_adds_up_each_activitys_impact():
    # the community recycles 10,000 bottles: 3 + 5 bottles
    goal = Goal(GoalType.ACTIVITY_COUNT, 10, activity_type="RECYCLE", measure="impact")
    assert run(goal, activity(impact=3), activity(impact=5)) == (8, 80, False)


def test_a_purchase_amount_sums_purchases_and_ignores_activities():
    goal = Goal(GoalType.PURCHASE_AMOUNT, 50_00)
    assert run(goal, purchase(20_00), activity(), purchase(30_00)) == (50_00, 100, True)


def test_a_purchase_amount_of_a_category_sums_only_those_items():
    goal = Goal(GoalType.PURCHASE_AMOUNT, 20_00, category="coffee")
    bought = purchase(30_00, items=(("coffee", 12_00), ("tea", 18_00), (None, 0)))
    assert run(goal, bought) == (12_00, 60, False)


def test_points_earned_adds_earned_points_only():
    goal = Goal(GoalType.POINTS_EARNED, 100)
    assert run(goal, points(40), purchase(), points(35)) == (75, 75, False)


def test_distinct_days_count_a_day_once():
    goal = Goal(GoalType.DISTINCT_DAYS, 3)
    events = [activity(day=MONDAY), activity("VISIT", day=MONDAY), activity(day=MONDAY + timedelta(days=5))]
    assert run(goal, *events) == (2, 66, False)


def test_distinct_days_of_purchases_ignore_activities():
    goal = Goal(GoalType.DISTINCT_DAYS, 2, source=Source.PURCHASE)
    assert run(goal, purchase(day=MONDAY), activity(day=MONDAY + timedelta(days=1))) == (1, 50, False)


def test_a_daily_streak_is_the_longest_run_of_consecutive_days():
    goal = Goal(GoalType.STREAK, 3, unit="day")
    days = [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)]  # a gap on Thursday
    assert run(goal, *(activity(day=d) for d in days)) == (2, 66, False)
    assert run(goal, *(activity(day=d) for d in [*days, MONDAY + timedelta(days=2)])) == (4, 100, True)


def test_a_weekly_streak_counts_weeks_from_monday_to_sunday():
    goal = Goal(GoalType.STREAK, 3, unit="week", source=Source.PURCHASE)
    sunday, next_monday = MONDAY + timedelta(days=6), MONDAY + timedelta(days=7)
    assert run(goal, purchase(day=MONDAY), purchase(day=sunday)) == (1, 33, False)
    assert run(goal, purchase(day=sunday), purchase(day=next_monday), purchase(day=MONDAY + timedelta(days=14))) == (
        3, 100, True)


def test_distinct_categories_count_item_categories_bought():
    goal = Goal(GoalType.DISTINCT_CATEGORIES, 3)
    first = purchase(items=(("coffee", 5_00), ("tea", 3_00)))
    second = purchase(items=(("coffee", 5_00), (None, 1_00)))
    assert run(goal, first, second) == (2, 66, False)


def test_an_event_a_goal_ignores_leaves_the_state_as_it_was():
    goal = Goal(GoalType.ACTIVITY_COUNT, 2, activity_type="RECYCLE")
    assert fold(goal, {"value": 1}, purchase()) == {"value": 1}


# --- multi-step ------------------------------------------------------------------------------

STEPS = Goal(GoalType.STEPS, 2, steps=(
    Goal(GoalType.ACTIVITY_COUNT, 2, activity_type="VISIT"),
    Goal(GoalType.PURCHASE_AMOUNT, 10_00),
))


def test_the_next_step_moves_only_after_the_previous_one_completes():
    # given a purchase before the visits are done: it counts for nothing
    assert run(STEPS, purchase(10_00), activity("VISIT")) == (0, 25, False)
    # then two visits complete step one, and a purchase step two
    assert run(STEPS, purchase(10_00), activity("VISIT"), activity("VISIT"), purchase(10_00)) == (2, 100, True)


def test_the_event_completing_a_step_does_not_count_toward_the_next():
    goal = Goal(GoalType.STEPS, 2, steps=(Goal(GoalType.PURCHASE_AMOUNT, 5_00), Goal(GoalType.PURCHASE_AMOUNT, 5_00)))
    assert run(goal, purchase(10_00)) == (1, 50, False)


def test_a_goal_survives_its_json_form():
    assert Goal.from_json(STEPS.to_json()) == STEPS


# --- properties ------------------------------------------------------------------------------

TYPES = st.sampled_from(["RECYCLE", "VISIT"])
EVENTS = st.one_of(
    st.builds(activity, TYPES, st.dates(MONDAY, MONDAY + timedelta(days=60)), st.integers(0, 50)),
    st.builds(purchase, st.integers(1, 100_00), st.dates(MONDAY, MONDAY + timedelta(days=60)),
              st.lists(st.tuples(st.sampled_from(["coffee", "tea", None]), st.integers(0, 50_00)), max_size=3).map(tuple)),
    st.builds(points, st.integers(1, 500)),
)
ADDITIVE_GOALS = st.one_of(
    st.builds(Goal, st.just(GoalType.ACTIVITY_COUNT), st.integers(1, 30), activity_type=TYPES,
              measure=st.sampled_from(["count", "impact"])),
    st.builds(Goal, st.just(GoalType.PURCHASE_AMOUNT), st.integers(1, 500_00)),
    st.builds(Goal, st.just(GoalType.POINTS_EARNED), st.integers(1, 2_000)),
    st.builds(Goal, st.just(GoalType.DISTINCT_DAYS), st.integers(1, 30), source=st.sampled_from(Source)),
    st.builds(Goal, st.just(GoalType.STREAK), st.integers(1, 10), unit=st.sampled_from(["day", "week"])),
    st.builds(Goal, st.just(GoalType.DISTINCT_CATEGORIES), st.integers(1, 3)),
)


@given(goal=ADDITIVE_GOALS, events=st.lists(EVENTS, max_size=25), data=st.data())
def test_the_order_of_events_does_not_matter(goal, events, data):
    shuffled = data.draw(st.permutations(events))
    assert run(goal, *events) == run(goal, *shuffled)


@given(goal=st.one_of(ADDITIVE_GOALS, st.just(STEPS)), events=st.lists(EVENTS, max_size=25))
def test_progress_never_goes_back_and_100_percent_means_completed(goal, events):
    state: dict = {}
    previous = measure(goal, state)
    for event in events:
        state = fold(goal, state, event)
        now = measure(goal, state)
        assert now.value >= previous.value and now.percent >= previous.percent
        assert 0 <= now.percent <= 100
        assert (now.percent == 100) == now.completed == (now.value >= now.target)
        previous = now


# --- milestones ------------------------------------------------------------------------------

def test_milestones_are_reached_once_each_lowest_first():
    assert new_milestones([50, 90, 100], [], 95) == [50, 90]
    assert new_milestones([50, 90, 100], [50, 90], 95) == []
    assert new_milestones([50, 90, 100], [50, 90], 100) == [100]
    assert new_milestones([25, 75], [], 10) == []


# --- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [0, -5, 10**9 + 1])
def test_a_goal_needs_a_positive_target(target):
    assert paths(Goal(GoalType.PURCHASE_AMOUNT, target)) == {"goal.target"}


def test_an_activity_count_needs_an_activity_type():
    assert paths(Goal(GoalType.ACTIVITY_COUNT, 3)) == {"goal.activityType"}


def test_filters_that_a_goal_type_cannot_apply_are_refused():
    goal = Goal(GoalType.POINTS_EARNED, 10, activity_type="VISIT", attribute="store", equals="x",
                measure="impact", category="coffee")
    assert paths(goal) == {"goal.activityType", "goal.attribute", "goal.measure", "goal.category"}


def test_an_attribute_filter_needs_a_value():
    assert paths(Goal(GoalType.ACTIVITY_COUNT, 3, activity_type="VISIT", attribute="store")) == {"goal.equals"}


def test_steps_are_checked_each_with_its_own_path():
    goal = Goal(GoalType.STEPS, 2, steps=(Goal(GoalType.PURCHASE_AMOUNT, 0), Goal(GoalType.ACTIVITY_COUNT, 1)))
    assert paths(goal) == {"goal.steps.0.target", "goal.steps.1.activityType"}


def test_steps_number_two_to_ten_and_do_not_nest():
    one = Goal(GoalType.STEPS, 1, steps=(Goal(GoalType.PURCHASE_AMOUNT, 1),))
    nested = Goal(GoalType.STEPS, 2, steps=(one, Goal(GoalType.PURCHASE_AMOUNT, 1)))
    assert paths(one) == {"goal.steps"}
    assert {"goal.steps.0.type"} <= paths(nested)
