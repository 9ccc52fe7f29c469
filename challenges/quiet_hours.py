"""Quiet hours: a member-local window in which pushes wait instead of buzzing a phone.

Pure arithmetic, no I/O. A window is two wall-clock times in the member's time zone;
`22:00-07:00` crosses midnight. A push that falls inside the window is held until the
window ends, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_clock(text: str) -> time | None:
    """`"22:00"` -> 22:00; None when the text is not a 24-hour `HH:MM`."""
    match = _CLOCK.match(text)
    return time(int(match[1]), int(match[2])) if match else None


def zone(name: str) -> ZoneInfo:
    """The member's zone; UTC when the stored name is unknown (never block a push on it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            # An empty window and a 24-hour one would both be spelled this way: refuse.
            raise ValueError("quiet hours must start and end at different times")

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, local: time) -> bool:
        if self.crosses_midnight:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def held_until(self, now: datetime, time_zone: str) -> datetime | None:
        """The UTC moment the window ends if `now` is inside it, else None.

        The end is the first moment the member's wall clock shows `end` after `now`. On
        a spring-forward day an end inside the skipped hour resolves to the same instant
        shifted by the gap (02:30 -> 03:30 CEST); on a fall-back day to its first
        occurrence. Either way the result is later than `now`.
        """
        tz = zone(time_zone)
        local_now = now.astimezone(tz)
        if not self.contains(local_now.time().replace(tzinfo=None)):
            return None
        end_day = local_now.date()
        if self.crosses_midnight and local_now.time().replace(tzinfo=None) >= self.start:
            end_day += timedelta(days=1)
        # fold=0: in a repeated hour, the first occurrence; in a skipped one, the
        # pre-transition offset, which lands just after the gap. When `now` is already in
        # the repeated hour past the first occurrence, the second one (fold=1) is next.
        for fold in (0, 1):
            end_utc = datetime.combine(end_day, self.end, tzinfo=tz).replace(fold=fold).astimezone(UTC)
            if end_utc > now:
                return end_utc
        return None  # unreachable with real zone data; never hold backwards
