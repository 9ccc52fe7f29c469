"""When a campaign runs, in the program's time zone. Pure: no I/O.

A campaign runs from `starts_at` (inclusive) to `ends_at` (exclusive, None = open), and
within that, on the given ISO weekdays (1 = Monday) and local time-of-day window. Days
and times are read on the local wall clock, so "Saturday" starts at Saturday 00:00 in
Amsterdam whatever the UTC offset is that weekend (DST changes included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CapPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"  # Monday to Sunday, local
    MONTH = "month"
    CAMPAIGN = "campaign"  # the whole life of the campaign


@dataclass(frozen=True)
class Schedule:
    starts_at: datetime
    ends_at: datetime | None = None
    days_of_week: tuple[int, ...] = ()  # empty: every day
    time_from: time | None = None  # with time_to: [from, to) local; to <= from wraps midnight
    time_to: time | None = None

    def miss(self, moment: datetime, tz: ZoneInfo) -> str | None:
        """Why the campaign is not running at `moment`, or None when it is."""
        if moment < self.starts_at:
            return f"outside schedule: starts {_local(self.starts_at, tz)}"
        if self.ends_at is not None and moment >= self.ends_at:
            return f"outside schedule: ended {_local(self.ends_at, tz)}"
        local = moment.astimezone(tz)
        if self.days_of_week and local.isoweekday() not in self.days_of_week:
            return f"outside schedule: campaign runs {describe_days(self.days_of_week)}"
        if self.time_from is not None and self.time_to is not None:
            if not in_window(local.time().replace(tzinfo=None), self.time_from, self.time_to):
                return f"outside time window {self.time_from:%H:%M}–{self.time_to:%H:%M}"
        return None

    def overlaps(self, other: Schedule) -> bool:
        """Date ranges overlap (days and time windows are ignored: a conservative check)."""
        self_end = self.ends_at or datetime.max.replace(tzinfo=self.starts_at.tzinfo)
        other_end = other.ends_at or datetime.max.replace(tzinfo=other.starts_at.tzinfo)
        return self.starts_at < other_end and other.starts_at < self_end


def in_window(moment: time, start: time, end: time) -> bool:
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # wraps midnight, e.g. 22:00–02:00


def describe_days(days: tuple[int, ...]) -> str:
    """'Sat–Sun' for a run of consecutive days, else 'Mon, Wed, Fri'."""
    ordered = sorted(set(days))
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0] - 1]}–{DAY_NAMES[ordered[-1] - 1]}"
    return ", ".join(DAY_NAMES[d - 1] for d in ordered)


def period_start(moment: datetime, period: CapPeriod, tz: ZoneInfo) -> datetime | None:
    """Start (UTC-aware) of the local cap period holding `moment`; None for CAMPAIGN."""
    local = moment.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    match period:
        case CapPeriod.DAY:
            start = midnight
        case CapPeriod.WEEK:
            start = midnight - timedelta(days=local.weekday())
        case CapPeriod.MONTH:
            start = midnight.replace(day=1)
        case _:
            return None
    # Rebuild from the wall clock so that the offset is the one valid on that day.
    return datetime(start.year, start.month, start.day, tzinfo=tz)


def local_year_month(moment: datetime, tz: ZoneInfo) -> tuple[int, int]:
    local = moment.astimezone(tz)
    return local.year, local.month


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
