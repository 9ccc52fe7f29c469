"""When a reported fact (a purchase, an activity) may say it happened: the one rule for both.

- It carries a UTC offset: a time without one is a different instant in every zone.
- Not after `now` by more than MAX_CLOCK_SKEW: tills' and phones' clocks drift by
  seconds or minutes; a later time is a bad timestamp, not drift.
- Not before `now` minus the program's `max_backdating_days`: a till that was offline
  reports late, but a purchase from last year (or year 1900, a typo) earning points now
  is a fraud or a bug, and would also land in periods that were already reported.
- Never before EARLIEST_OCCURRED_AT: older times are typos (year 0026), and date
  arithmetic (weeks, periods) overflows near year 1.

Only client input goes through this rule; the demo seed and tests writing history report
each fact as of its own time. The back-dating window is checked only for a request that is
new: a replay of a recorded one (same idempotency key) returns its first result at any
later time, as every replay does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.errors import InvalidInput

MAX_CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
DEFAULT_MAX_BACKDATING_DAYS = 30
MIN_BACKDATING_DAYS = 1  # a till offline overnight still reports
MAX_BACKDATING_DAYS = 3650  # the highest a program may set: ten years of history to import


def occurred_at_problem(occurred_at: datetime, now: datetime, max_backdating_days: int | None) -> str | None:
    """What is wrong with `occurred_at`, for the field `occurredAt`; None when nothing.
    `max_backdating_days` None: the window is checked later (check_backdating)."""
    if occurred_at.utcoffset() is None:
        return "must carry a UTC offset"
    try:
        at = occurred_at.astimezone(UTC)
    except OverflowError:  # year 1 at +14:00, year 9999 at -14:00: no UTC form
        at = EARLIEST_OCCURRED_AT - timedelta(days=1) if occurred_at.year < 2000 else datetime.max.replace(tzinfo=UTC)
    if at > now + MAX_CLOCK_SKEW:
        return f"must not be in the future (more than {_minutes(MAX_CLOCK_SKEW)} minutes ahead)"
    if at < EARLIEST_OCCURRED_AT:
        return f"must be after {EARLIEST_OCCURRED_AT.date().isoformat()}"
    if max_backdating_days is not None:
        return backdating_problem(at, now, max_backdating_days)
    return None


def backdating_problem(occurred_at: datetime, now: datetime, max_backdating_days: int) -> str | None:
    if occurred_at < now - timedelta(days=max_backdating_days):
        return (f"must be within the last {max_backdating_days} days (the program's maxBackdatingDays); "
                "older purchases and activities earn nothing now")
    return None


def check_backdating(occurred_at: datetime, now: datetime, max_backdating_days: int) -> None:
    """In a use case's transaction, once it knows the request is not a replay."""
    if (message := backdating_problem(occurred_at, now, max_backdating_days)) is not None:
        raise InvalidInput.one("occurredAt", message)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
