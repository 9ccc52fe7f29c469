"""Leaderboard rules: which boards exist, their periods and Redis keys, and ranking order.

Pure functions, no I/O. The service (challenges.leaderboard_service) reads scores from the
database and stores them with these rules; the same rules rebuild every board, so a board
rebuilt from the database equals the one kept live.

Ranking order, exact for any score a BIGINT can hold: higher score first; among equal
scores, whoever reached the score first; then the member id, so that the order is total.
A Redis sorted-set score is a double (53 bits): too few to hold a large points total and a
timestamp fine enough to break ties. So every entry of a ranking has score 0 and sorts by
its member string, the *sort key* `<MAX_SCORE - score, 19 digits>:<reached at, µs, 17
digits>:<member id>`: lexicographic order is ranking order, ZRANK is rank - 1, and the
rank a hidden member would have is a ZLEXCOUNT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

MAX_SCORE = 10**19 - 1  # above the largest BIGINT, so every stored total fits
_SCORE_DIGITS = 19
_MICROS_DIGITS = 17  # microseconds since 1970 stay 17 digits until the year 5138
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# A finished period's board stays readable through the whole next month ("last month's
# winners"), then Redis drops it; the database can always rebuild it.
FINISHED_BOARD_KEPT_FOR = timedelta(days=35)

MAX_FIRST = 100  # longest top-N list
MAX_AROUND = 25  # neighbours shown on each side of the member
MAX_FOLLOWING = 1000  # a friends board is computed per query: keep it small
MAX_ALIAS = 32


class BoardKind(StrEnum):
    ALL_TIME = "all-time"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CHALLENGE = "challenge"


ALL_PERIODS = "all"  # the period key of boards that never roll over


@dataclass(frozen=True)
class Board:
    """One ranking: a kind, its period, and for challenge boards the challenge."""

    program_id: int
    kind: BoardKind
    period: str = ALL_PERIODS
    challenge_id: int | None = None

    @property
    def tag(self) -> str:
        """Redis Cluster hash tag: a board's keys share one slot, so a transaction over
        them is allowed, and different boards spread over the cluster."""
        if self.kind == BoardKind.CHALLENGE:
            return f"program:{self.program_id}:challenge:{self.challenge_id}:{self.period}"
        return f"program:{self.program_id}:{self.kind.value}:{self.period}"

    @property
    def ranking_key(self) -> str:
        """Sorted set of the sort keys of members listed on the board (score > 0, not hidden)."""
        return f"lb:{{{self.tag}}}:ranking"

    @property
    def entries_key(self) -> str:
        """Hash member id -> sort key for every member with a score, hidden ones included:
        how a member finds their own place, and what a change replaces."""
        return f"lb:{{{self.tag}}}:entries"

    @property
    def generation_key(self) -> str:
        """Counter a rebuild bumps when it swaps the board in: writes begun before abort."""
        return f"lb:{{{self.tag}}}:generation"

    def guard_key(self, member_id: str) -> str:
        """Short-lived counter every write of one member's entry bumps, so that two writes of
        the same member exclude each other while writes of different members never collide."""
        return f"lb:{{{self.tag}}}:writing:{member_id}"

    @property
    def stored_keys(self) -> tuple[str, str, str]:
        return self.ranking_key, self.entries_key, self.generation_key


def program_key_pattern(program_id: int) -> str:
    """SCAN pattern matching every key of a program's boards."""
    return f"lb:{{program:{program_id}:*"


def is_guard_key(key: str) -> bool:
    """Guards of writes in flight expire by themselves; a rebuild leaves them alone."""
    return ":writing:" in key


@dataclass(frozen=True)
class Score:
    member_id: str
    score: int
    reached_at: datetime  # when the member reached this score (UTC)

    @property
    def ranked(self) -> bool:
        """Nobody is listed for taking part without scoring."""
        return self.score > 0


def _micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("reached_at must carry a time zone")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def sort_key(entry: Score) -> str:
    if not 0 <= entry.score <= MAX_SCORE:
        raise ValueError(f"score {entry.score} outside 0..{MAX_SCORE}")
    inverted = MAX_SCORE - entry.score  # ascending strings, descending scores
    return f"{inverted:0{_SCORE_DIGITS}d}:{_micros(entry.reached_at):0{_MICROS_DIGITS}d}:{entry.member_id}"


def parse_sort_key(key: str) -> Score:
    inverted, micros, member_id = key.split(":", 2)
    reached = _EPOCH + timedelta(microseconds=int(micros))
    return Score(member_id=member_id, score=MAX_SCORE - int(inverted), reached_at=reached)


def fresher(current: Score | None, candidate: Score) -> Score:
    """Which of two reads of one member's points on one board describes the later state.

    Updates may arrive out of order (two requests of one member finishing together, a
    rebuild racing a purchase). Within a board, points only grow (credits are appended,
    never removed), so the read with more points is the later one; equal points mean the
    same credits, hence the same `reached_at`. Challenge values can fall (a broken streak)
    and their times can go backwards (a late activity), so this rule is for points only.
    """
    if current is None:
        return candidate
    if (candidate.score, candidate.reached_at) >= (current.score, current.reached_at):
        return candidate
    return current


# --- periods, in the program's time zone ---------------------------------------------------

def week_key(moment: datetime, zone: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def month_key(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.year}-{local.month:02d}"


def day_key(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def period_key(every: str, moment: datetime, zone: ZoneInfo) -> str:
    """The key of the period of a board (or recurring challenge) containing `moment`."""
    match every:
        case "daily":
            return day_key(moment, zone)
        case "weekly":
            return week_key(moment, zone)
        case "monthly":
            return month_key(moment, zone)
    return ALL_PERIODS


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def period_bounds(key: str, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """[start, end) in UTC of a period key ("2026-W23", "2026-06", "2026-06-01");
    None for boards without periods ("all")."""
    if key == ALL_PERIODS:
        return None
    if "-W" in key:
        year, week = key.split("-W")
        first = date.fromisocalendar(int(year), int(week), 1)
        last = first + timedelta(days=7)
    elif key.count("-") == 1:
        year, month = (int(part) for part in key.split("-"))
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1)
    else:
        first = date.fromisoformat(key)
        last = first + timedelta(days=1)
    # Whole local days, so a week spanning a DST change is still Monday to Monday.
    return _local_midnight(first, zone), _local_midnight(last, zone)


def expires_at(key: str, zone: ZoneInfo, window_end: datetime | None = None) -> datetime | None:
    """When Redis may drop a board: a while after its period (or its challenge) ends."""
    bounds = period_bounds(key, zone)
    end = bounds[1] if bounds else window_end
    return end + FINISHED_BOARD_KEPT_FOR if end else None


def points_boards(program_id: int, zone: ZoneInfo, earned_at: datetime) -> list[Board]:
    """The boards a credit earned at `earned_at` counts on."""
    return [
        Board(program_id, BoardKind.ALL_TIME),
        Board(program_id, BoardKind.WEEKLY, week_key(earned_at, zone)),
        Board(program_id, BoardKind.MONTHLY, month_key(earned_at, zone)),
    ]


def live_periods(kind: BoardKind, now: datetime, zone: ZoneInfo) -> list[str]:
    """Period keys of `kind` whose boards Redis still keeps at `now`, newest first."""
    if kind not in (BoardKind.WEEKLY, BoardKind.MONTHLY):
        raise ValueError(f"{kind} boards have no calendar periods")
    every = "weekly" if kind == BoardKind.WEEKLY else "monthly"
    keys: list[str] = []
    key = period_key(every, now, zone)
    while True:
        start, _ = period_bounds(key, zone) or (now, now)
        ends = expires_at(key, zone)
        if ends is None or ends <= now:
            return keys
        keys.append(key)
        key = period_key(every, start - timedelta(seconds=1), zone)


def challenge_period(window: Mapping[str, Any], now: datetime, zone: ZoneInfo) -> str:
    """The current period of a challenge: its recurrence's period, or "all" for a fixed window."""
    if window.get("kind") == "recurring":
        return period_key(str(window.get("every", "")), now, zone)
    return ALL_PERIODS


def window_end(window: Mapping[str, Any]) -> datetime | None:
    raw = window.get("ends_at")
    if not raw:
        return None
    try:
        end = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return end if end.tzinfo else end.replace(tzinfo=UTC)


def alias_problem(alias: str) -> str | None:
    """Why an alias can't be shown to other members, or None when it can."""
    if not alias.strip():
        return "must not be blank (send null to show your display name)"
    if len(alias.strip()) > MAX_ALIAS:
        return f"must be at most {MAX_ALIAS} characters"
    if not alias.isprintable():
        return "must not contain control characters"
    return None


def around(window: list[str], start: int, me: str, position: int, each_side: int) -> list[tuple[int, str]]:
    """(rank, sort key) of the members around `me`, and `me` itself, in ranking order.

    `window` is a slice of the listed ranking beginning at index `start`; `position` is how
    many listed members rank above `me`. A hidden member is not in the ranking but is shown
    to themself where they would stand; the others keep the ranks everyone sees.
    """
    others = [(start + offset + 1, key) for offset, key in enumerate(window) if key != me]
    above = [entry for entry in others if entry[0] <= position]
    below = [entry for entry in others if entry[0] > position]
    return [*(above[-each_side:] if each_side else []), (position + 1, me), *below[:each_side]]
