"""Badge rules and levels: pure functions over counts and weeks, no I/O.

A badge's levels are thresholds on one number its rule measures (activities of a type,
eco actions, purchases, weeks in a row). Reaching a threshold earns that level, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from domain.errors import Problems

MAX_LEVELS = 10
MAX_THRESHOLD = 1_000_000
MAX_IMAGE_URL = 500
# Ten years in a row is already beyond any program's life; it also bounds how far back
# a streak is counted.
MAX_STREAK_WEEKS = 520


class RuleKind(StrEnum):
    ACTIVITY_COUNT = "activity_count"  # activities of one type, all time
    ECO_ACTION_COUNT = "eco_action_count"  # activities with a sustainability impact
    WEEKLY_STREAK = "weekly_streak"  # weeks in a row with an activity (of a type)
    PURCHASE_COUNT = "purchase_count"  # purchases not returned
    DONATION_COUNT = "donation_count"  # donations to charities made (threshold 1: first donation)


@dataclass(frozen=True)
class BadgeRule:
    kind: RuleKind
    activity_type: str | None = None

    @property
    def about_purchases(self) -> bool:
        return self.kind is RuleKind.PURCHASE_COUNT

    @property
    def about_donations(self) -> bool:
        return self.kind is RuleKind.DONATION_COUNT

    def counts_activity(self, type_code: str, impact_unit: str | None) -> bool:
        match self.kind:
            case RuleKind.ACTIVITY_COUNT:
                return type_code == self.activity_type
            case RuleKind.ECO_ACTION_COUNT:
                return impact_unit is not None
            case RuleKind.WEEKLY_STREAK:
                return self.activity_type in (None, type_code)
        return False

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "activity_type": self.activity_type}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> BadgeRule | None:
        if not raw:
            return None
        return cls(RuleKind(raw["kind"]), raw.get("activity_type"))


@dataclass(frozen=True)
class BadgeLevel:
    name: str
    threshold: int


def rule_problems(rule: BadgeRule, problems: Problems) -> None:
    needs_type = rule.kind is RuleKind.ACTIVITY_COUNT
    takes_type = rule.kind in (RuleKind.ACTIVITY_COUNT, RuleKind.WEEKLY_STREAK)
    if needs_type and not rule.activity_type:
        problems.add("rule.activityType", "is required for an activity count")
    elif rule.activity_type is not None and not takes_type:
        problems.add("rule.activityType", f"is not used by a {rule.kind.value} rule")


def level_problems(levels: list[BadgeLevel], problems: Problems) -> None:
    if len(levels) > MAX_LEVELS:
        problems.add("levels", f"at most {MAX_LEVELS} levels")
        return
    names: set[str] = set()
    for i, level in enumerate(levels):
        name = level.name.strip()
        if not 0 < len(name) <= 100:
            problems.add(f"levels.{i}.name", "must be 1 to 100 characters")
        elif name.casefold() in names:
            problems.add(f"levels.{i}.name", f"another level is named {name!r}")
        names.add(name.casefold())
        if not 1 <= level.threshold <= MAX_THRESHOLD:
            problems.add(f"levels.{i}.threshold", f"must be from 1 to {MAX_THRESHOLD}")
        elif i > 0 and level.threshold <= levels[i - 1].threshold:
            problems.add(
                f"levels.{i}.threshold",
                f"must be greater than the previous level's threshold ({levels[i - 1].threshold}): levels go in increasing order",
            )


def streak_problems(rule: BadgeRule | None, levels: list[BadgeLevel], problems: Problems) -> None:
    if rule is None or rule.kind is not RuleKind.WEEKLY_STREAK:
        return
    for i, level in enumerate(levels):
        if level.threshold > MAX_STREAK_WEEKS:
            problems.add(f"levels.{i}.threshold", f"a streak counts at most {MAX_STREAK_WEEKS} weeks")


def image_url_problem(url: str) -> str | None:
    if len(url) > MAX_IMAGE_URL:
        return f"must be at most {MAX_IMAGE_URL} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a URL"
    # Shown in the app: plain http would be blocked (ATS) or leak what members look at.
    if parts.scheme != "https" or not host or any(c.isspace() for c in url):
        return "must be an https:// URL, e.g. https://cdn.example.com/badges/eco.png"
    return None


def effective_levels(levels: list[BadgeLevel], badge_name: str) -> list[BadgeLevel]:
    """A badge without levels has one, reached at the first qualifying action."""
    return levels or [BadgeLevel(badge_name, 1)]


def levels_reached(levels: list[BadgeLevel], value: int) -> list[int]:
    return [i for i, level in enumerate(levels) if value >= level.threshold]


@dataclass(frozen=True)
class Progress:
    current: int
    next_threshold: int | None  # None: every level is earned


def progress_toward_next(levels: list[BadgeLevel], held_level: int, value: int) -> Progress:
    following = levels[held_level + 1] if held_level + 1 < len(levels) else None
    return Progress(value, following.threshold if following else None)


def week_of(moment: datetime, time_zone: str) -> date:
    """Monday of the moment's week in the program's time zone (ISO weeks)."""
    local = moment.astimezone(ZoneInfo(time_zone)).date()
    return local - timedelta(days=local.weekday())


def run_through(weeks: Iterable[date], week: date) -> int:
    """How many weeks in a row, with `week` among them, have an activity; 0 without it."""
    seen = set(weeks)
    if week not in seen:
        return 0
    one = timedelta(weeks=1)
    before = after = 0
    while week - (before + 1) * one in seen:
        before += 1
    while week + (after + 1) * one in seen:
        after += 1
    return before + 1 + after


def current_streak(weeks: Iterable[date], this_week: date) -> int:
    """The streak still alive now: it may end this week or last (this week isn't over)."""
    seen = set(weeks)
    last = this_week if this_week in seen else this_week - timedelta(weeks=1)
    return run_through((w for w in seen if w <= last), last)
