"""When a challenge runs: its window, and the periods of a recurring one. Pure.

Periods follow the PROGRAM's calendar (Program.time_zone): a daily challenge of a Paris
coffee chain resets at midnight in Paris, not in UTC. A period's key comes from the local
date, so a day with a DST change is still one period (23 or 25 hours long). Boundaries
are computed as local midnights converted to UTC: on a day whose midnight falls in a DST
gap the period starts at the first instant that exists (zoneinfo resolves a missing
local time with the offset before the change, which lands exactly there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import FieldProblem

FIXED_PERIOD_KEY = "all"  # a fixed window is a single period


class Recurrence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # ISO weeks, Monday to Sunday
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Window:
    """Fixed when `every` is None (then `ends_at` is required); recurring otherwise,
    open-ended unless `ends_at` is given."""

    starts_at: datetime
    ends_at: datetime | None
    every: Recurrence | None = None

    @property
    def recurring(self) -> bool:
        return self.every is not None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "recurring" if self.recurring else "fixed",
            "starts_at": self.starts_at.astimezone(UTC).isoformat(),
            "ends_at": self.ends_at.astimezone(UTC).isoformat() if self.ends_at else None,
        }
        if self.every is not None:
            data["every"] = self.every.value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Window:
        ends_at = data.get("ends_at")
        every = data.get("every")
        return cls(
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(ends_at) if ends_at else None,
            every=Recurrence(every) if every else None,
        )


@dataclass(frozen=True)
class Period:
    key: str  # "all", "2026-06-01", "2026-W23", "2026-06"
    starts_at: datetime  # UTC, inclusive
    ends_at: datetime  # UTC, exclusive


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _natural_period(every: Recurrence, day: date, tz: ZoneInfo) -> Period:
    match every:
        case Recurrence.DAILY:
            return Period(day.isoformat(), _midnight(day, tz), _midnight(day + timedelta(days=1), tz))
        case Recurrence.WEEKLY:
            monday = day - timedelta(days=day.weekday())
            iso = day.isocalendar()
            key = f"{iso.year}-W{iso.week:02d}"
            return Period(key, _midnight(monday, tz), _midnight(monday + timedelta(days=7), tz))
        case Recurrence.MONTHLY:
            first = day.replace(day=1)
            return Period(f"{day:%Y-%m}", _midnight(first, tz), _midnight(_first_of_next_month(first), tz))
    raise AssertionError(every)


def period_at(window: Window, moment: datetime, tz: ZoneInfo) -> Period | None:
    """The period of `window` that `moment` falls in, clipped to the window; None outside."""
    if moment < window.starts_at or (window.ends_at is not None and moment >= window.ends_at):
        return None
    if window.every is None:
        assert window.ends_at is not None, "a fixed window has an end (see window_problems)"
        return Period(FIXED_PERIOD_KEY, window.starts_at, window.ends_at)
    natural = _natural_period(window.every, local_day(moment, tz), tz)
    ends_at = min(natural.ends_at, window.ends_at) if window.ends_at else natural.ends_at
    return Period(natural.key, max(natural.starts_at, window.starts_at), ends_at)


def window_problems(window: Window, now: datetime, path: str = "window") -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    aware = True
    for name, value in (("startsAt", window.starts_at), ("endsAt", window.ends_at)):
        if value is not None and value.tzinfo is None:
            problems.append(FieldProblem(f"{path}.{name}", "must carry a UTC offset"))
            aware = False
    if window.ends_at is None:
        if not window.recurring:
            problems.append(FieldProblem(f"{path}.endsAt", "is required for a fixed window"))
        return problems
    if not aware:
        return problems
    if window.ends_at <= window.starts_at:
        problems.append(FieldProblem(f"{path}.endsAt", "must be after startsAt"))
    elif window.ends_at <= now:
        problems.append(FieldProblem(f"{path}.endsAt", "must be in the future"))
    return problems
