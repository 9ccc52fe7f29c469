"""Challenge goals and their evaluation. Pure: no I/O, no clock.

A goal is stored as JSON on the challenge (Challenge.goal); progress toward it is a JSON
state on ChallengeProgress. `fold` adds one event to a state, `measure` reads a state as
value / percent / completed. Counting is additive, so events may arrive in any order
(a purchase reported late still counts where it belongs).

Replays never reach `fold`: a replayed purchase or activity publishes no event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from domain.errors import FieldProblem

MAX_TARGET = 10**9  # fits a GraphQL Int; 10 million euros in cents
MAX_STEPS = 10
DEFAULT_MILESTONES = (50, 90, 100)


class GoalType(StrEnum):
    ACTIVITY_COUNT = "activity_count"  # activities of a type, or their impact (measure=impact)
    PURCHASE_AMOUNT = "purchase_amount"  # minor units, optionally of one item category
    POINTS_EARNED = "points_earned"  # earn credits only: challenge rewards never count
    DISTINCT_DAYS = "distinct_days"  # days (program time zone) with a matching event
    STREAK = "streak"  # longest run of consecutive days or weeks with a matching event
    DISTINCT_CATEGORIES = "distinct_categories"  # item categories bought
    STEPS = "steps"  # sub-goals completed in order


class Source(StrEnum):
    ACTIVITY = "activity"
    PURCHASE = "purchase"


# Goals whose progress adds up across members: the only ones a community goal can have.
ADDITIVE = frozenset({GoalType.ACTIVITY_COUNT, GoalType.PURCHASE_AMOUNT, GoalType.POINTS_EARNED})
# Goals that look at what happened on which day (distinct days, streaks).
DAY_BASED = frozenset({GoalType.DISTINCT_DAYS, GoalType.STREAK})


@dataclass(frozen=True)
class Goal:
    type: GoalType
    target: int  # for STEPS: the number of steps
    activity_type: str | None = None  # None: any activity (distinct days, streaks)
    attribute: str | None = None  # with `equals`: only activities whose attribute matches
    equals: str | int | bool | None = None
    category: str | None = None  # purchase item category, or an activity's "category"
    measure: Literal["count", "impact"] = "count"  # ACTIVITY_COUNT: one each, or impact
    source: Source = Source.ACTIVITY  # DISTINCT_DAYS and STREAK: what marks a day
    unit: Literal["day", "week"] = "day"  # STREAK
    steps: tuple[Goal, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type.value, "target": self.target}
        for name in ("activity_type", "attribute", "equals", "category"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.type == GoalType.ACTIVITY_COUNT:
            data["measure"] = self.measure
        if self.type in DAY_BASED:
            data["source"] = self.source.value
        if self.type == GoalType.STREAK:
            data["unit"] = self.unit
        if self.steps:
            data["steps"] = [step.to_json() for step in self.steps]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Goal:
        steps = tuple(cls.from_json(s) for s in data.get("steps", ()))
        return cls(
            type=GoalType(data["type"]),
            target=len(steps) if steps else int(data["target"]),
            activity_type=data.get("activity_type"),
            attribute=data.get("attribute"),
            equals=data.get("equals"),
            category=data.get("category"),
            measure=data.get("measure", "count"),
            source=Source(data.get("source", Source.ACTIVITY.value)),
            unit=data.get("unit", "day"),
            steps=steps,
        )

    def activity_types(self) -> set[str]:
        """Activity types this goal names, for checking that they exist."""
        named = {self.activity_type} if self.activity_type else set()
        return named.union(*(step.activity_types() for step in self.steps))

    def listens_to(self, kind: str) -> bool:
        """Whether events of this kind ("activity", "purchase", "points") can move it."""
        if self.type == GoalType.STEPS:
            return any(step.listens_to(kind) for step in self.steps)
        return kind == _SOURCE_OF.get(self.type, self.source.value)


_SOURCE_OF = {
    GoalType.ACTIVITY_COUNT: "activity",
    GoalType.PURCHASE_AMOUNT: "purchase",
    GoalType.POINTS_EARNED: "points",
    GoalType.DISTINCT_CATEGORIES: "purchase",
}


@dataclass(frozen=True)
class GoalEvent:
    """What a goal needs to know of a purchase, an activity or an earn credit."""

    kind: Literal["activity", "purchase", "points"]
    day: date  # in the program's time zone
    activity_type: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    impact: int = 0
    amount: int = 0  # purchase total, minor units
    items: tuple[tuple[str | None, int], ...] = ()  # (category, line total) per item
    points: int = 0


@dataclass(frozen=True)
class Measure:
    value: int
    target: int
    percent: int  # 0..100, 100 only once completed
    completed: bool


def _matches(goal: Goal, event: GoalEvent) -> bool:
    if not goal.listens_to(event.kind):
        return False
    if event.kind != "activity":
        return True
    if goal.activity_type is not None and event.activity_type != goal.activity_type:
        return False
    if goal.attribute is not None and event.attributes.get(goal.attribute) != goal.equals:
        return False
    return goal.category is None or event.attributes.get("category") == goal.category


def _amount(goal: Goal, event: GoalEvent) -> int:
    if goal.category is None:
        return event.amount
    return sum(total for category, total in event.items if category == goal.category)


def _longest_run(units: list[int]) -> int:
    longest = run = 0
    previous: int | None = None
    for unit in sorted(set(units)):
        run = run + 1 if previous is not None and unit == previous + 1 else 1
        longest = max(longest, run)
        previous = unit
    return longest


def _unit_of(goal: Goal, day: date) -> int:
    # Weeks start on Monday: ordinal 1 (0001-01-01) is a Monday.
    return day.toordinal() if goal.unit == "day" else (day.toordinal() - 1) // 7


def fold(goal: Goal, state: Mapping[str, Any], event: GoalEvent) -> dict[str, Any]:
    """The state after `event`; an event the goal doesn't count leaves it as it was."""
    new = dict(state)
    if goal.type == GoalType.STEPS:
        return _fold_steps(goal, new, event)
    if not _matches(goal, event):
        return new
    value = int(new.get("value", 0))
    match goal.type:
        case GoalType.ACTIVITY_COUNT:
            new["value"] = value + (event.impact if goal.measure == "impact" else 1)
        case GoalType.PURCHASE_AMOUNT:
            new["value"] = value + _amount(goal, event)
        case GoalType.POINTS_EARNED:
            new["value"] = value + event.points
        case GoalType.DISTINCT_DAYS | GoalType.STREAK:
            units = sorted(set(new.get("units", [])) | {_unit_of(goal, event.day)})
            new["units"] = units
            new["value"] = len(units) if goal.type == GoalType.DISTINCT_DAYS else _longest_run(units)
        case GoalType.DISTINCT_CATEGORIES:
            seen = set(new.get("categories", []))
            seen.update(category for category, _ in event.items if category)
            new["categories"] = sorted(seen)
            new["value"] = len(seen)
    return new


def _fold_steps(goal: Goal, state: dict[str, Any], event: GoalEvent) -> dict[str, Any]:
    # The event that completes step i does not also count toward step i + 1: each step
    # asks for something done after the previous one was done.
    done = int(state.get("value", 0))
    if done >= len(goal.steps):
        return state
    step = goal.steps[done]
    step_state = fold(step, state.get("step", {}), event)
    if step_state == state.get("step", {}):
        return state
    if measure(step, step_state).completed:
        return {"value": done + 1, "step": {}}
    return {"value": done, "step": step_state}


def _percent(value: int, target: int) -> int:
    if value >= target:
        return 100
    return min(99, max(0, value * 100 // target))


def measure(goal: Goal, state: Mapping[str, Any]) -> Measure:
    value = int(state.get("value", 0))
    if goal.type != GoalType.STEPS or value >= goal.target:
        return Measure(value, goal.target, _percent(value, goal.target), value >= goal.target)
    current = measure(goal.steps[value], state.get("step", {}))
    # Steps weigh the same; inside the current one, its own share counts.
    share = (value * 100 + current.percent) // goal.target
    return Measure(value, goal.target, min(99, share), False)


def new_milestones(milestones: list[int], already: list[int], percent: int) -> list[int]:
    """Milestones reached at `percent` that were not reached before, lowest first."""
    return sorted(m for m in set(milestones) if m <= percent and m not in already)


# --- validation ---------------------------------------------------------------------------


def goal_problems(goal: Goal, path: str = "goal", in_steps: bool = False) -> list[FieldProblem]:
    """What is wrong with a goal's shape. Whether its activity types exist needs the
    database and is checked by the catalog."""
    problems: list[FieldProblem] = []

    def add(name: str, message: str) -> None:
        problems.append(FieldProblem(f"{path}.{name}", message))

    if goal.type == GoalType.STEPS:
        if in_steps:
            add("type", "a step can't have steps of its own")
        elif not 2 <= len(goal.steps) <= MAX_STEPS:
            add("steps", f"give 2 to {MAX_STEPS} steps")
        for i, step in enumerate(goal.steps):
            problems += goal_problems(step, f"{path}.steps.{i}", in_steps=True)
        return problems
    if goal.steps:
        add("steps", f"only a {GoalType.STEPS.value} goal has steps")
    if not 0 < goal.target <= MAX_TARGET:
        add("target", f"must be a positive number, at most {MAX_TARGET}")
    if goal.activity_type is not None and not goal.listens_to("activity"):
        add("activityType", f"a {goal.type.value} goal counts no activities")
    if goal.type == GoalType.ACTIVITY_COUNT and goal.activity_type is None:
        add("activityType", "is required for an activity count")
    if goal.attribute is not None and not goal.listens_to("activity"):
        add("attribute", "filters activities only")
    elif (goal.attribute is None) != (goal.equals is None):
        add("equals" if goal.attribute else "attribute", "an attribute filter needs both attribute and equals")
    elif goal.equals is not None and not isinstance(goal.equals, str | int | bool):
        add("equals", "must be a string, a whole number or a boolean")
    if goal.measure == "impact" and goal.type != GoalType.ACTIVITY_COUNT:
        add("measure", "impact is measured for an activity count only")
    if goal.category is not None and goal.type not in (GoalType.ACTIVITY_COUNT, GoalType.PURCHASE_AMOUNT):
        add("category", "filters an activity count or a purchase amount only")
    return problems
