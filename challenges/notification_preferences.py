"""What a member wants to be told, and when: per-category switches and quiet hours.

A category without a stored row is enabled with no quiet hours, so new members get
pushes without a set-up step and a new category needs no data migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from challenges.models import NotificationPreference
from challenges.quiet_hours import QuietHours, parse_clock
from domain.errors import NotFound, Problems
from domain.models import Member


class NotificationCategory(StrEnum):
    CHALLENGE_PROGRESS = "challenge_progress"
    BADGE = "badge"
    TIER = "tier"
    POINTS_EXPIRY = "expiry"


@dataclass(frozen=True)
class Preference:
    category: NotificationCategory
    enabled: bool = True
    quiet_start: str | None = None  # "HH:MM", member-local
    quiet_end: str | None = None

    @property
    def quiet_hours(self) -> QuietHours | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        start, end = parse_clock(self.quiet_start), parse_clock(self.quiet_end)
        if start is None or end is None or start == end:
            return None  # stored before validation existed: deliver rather than guess
        return QuietHours(start, end)

    @classmethod
    def from_row(cls, row: NotificationPreference) -> Preference:
        return cls(NotificationCategory(row.category), row.enabled, row.quiet_start, row.quiet_end)


@dataclass(frozen=True)
class Decision:
    """What to do with a push for this member right now."""

    send: bool  # False: the member switched the category off
    held_until: datetime | None = None  # inside quiet hours: wait until then


def decide(preference: Preference, time_zone: str, now: datetime) -> Decision:
    if not preference.enabled:
        return Decision(send=False)
    quiet = preference.quiet_hours
    return Decision(send=True, held_until=quiet.held_until(now, time_zone) if quiet else None)


async def preference_of(member_id: str, category: NotificationCategory) -> Preference:
    row = await NotificationPreference.get_or_none(member_id=member_id, category=category.value)
    return Preference.from_row(row) if row else Preference(category)


async def preferences_of(member_id: str) -> list[Preference]:
    """Every category, stored or default, in the enum's order."""
    rows = await NotificationPreference.filter(member_id=member_id)
    stored = {row.category: Preference.from_row(row) for row in rows}
    return [stored.get(c.value, Preference(c)) for c in NotificationCategory]


def validate(changes: Sequence[Preference]) -> None:
    """Paths are `input.<index>.<field>`: the mutation takes the list as its input."""
    problems = Problems()
    if not changes:
        problems.add("input", "name at least one category")
    seen: set[NotificationCategory] = set()
    for i, change in enumerate(changes):
        path = f"input.{i}"
        if change.category in seen:
            problems.add(f"{path}.category", f"{change.category.name} appears more than once")
        seen.add(change.category)
        start, end = change.quiet_start, change.quiet_end
        for field, value in (("quietStart", start), ("quietEnd", end)):
            if value is not None and parse_clock(value) is None:
                problems.add(f"{path}.{field}", f"{value!r} is not a 24-hour time like 22:00")
        if (start is None) != (end is None):
            missing = "quietEnd" if end is None else "quietStart"
            problems.add(f"{path}.{missing}", "set both quietStart and quietEnd, or neither")
        elif start is not None and start == end:
            problems.add(f"{path}.quietEnd", "must differ from quietStart")
    problems.raise_if_any()


async def update_preferences(
    program_id: int, member_id: str, changes: Sequence[Preference]
) -> list[Preference]:
    """Replace the named categories' settings; the others keep theirs."""
    validate(changes)
    async with in_transaction():
        if not await Member.exists(id=member_id, program_id=program_id, erased_at=None):
            raise NotFound("member", member_id)
        for change in changes:
            values = {"enabled": change.enabled, "quiet_start": change.quiet_start,
                      "quiet_end": change.quiet_end}
            # update_or_create locks the row on PostgreSQL; the unique pair decides races.
            await NotificationPreference.update_or_create(
                defaults=values, member_id=member_id, category=change.category.value
            )
    return await preferences_of(member_id)
