"""Leaderboard rules without Redis: ranking order, periods in the program's time zone,
expiry, key layout, and who stands around a member."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.crc import key_slot

from challenges.leaderboards import (
    MAX_SCORE,
    Board,
    BoardKind,
    Score,
    alias_problem,
    around,
    challenge_period,
    expires_at,
    fresher,
    live_periods,
    month_key,
    parse_sort_key,
    period_bounds,
    points_boards,
    sort_key,
    week_key,
)

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def score(points: int, at: datetime = T0, member: str = "a") -> Score:
    return Score(member, points, at)


def ranking(*scores: Score) -> list[str]:
    """Member ids in the order a board lists them: sort keys, lexicographically."""
    return [parse_sort_key(key).member_id for key in sorted(sort_key(s) for s in scores)]


# --- ranking order -------------------------------------------------------------------------

def test_more_points_rank_first():
    assert ranking(score(5, member="low"), score(50, member="high"), score(20, member="mid")) == ["high", "mid", "low"]


def test_a_tie_goes_to_whoever_reached_the_score_first_to_the_microsecond():
    first = score(40, T0, "late-name-but-first")
    second = score(40, T0 + timedelta(microseconds=1), "aaa-early-name")
    assert ranking(second, first) == ["late-name-but-first", "aaa-early-name"]


def test_a_tie_to_the_microsecond_is_still_a_total_order():
    assert ranking(score(40, member="b"), score(40, member="a")) == ["a", "b"]


def test_scores_beyond_double_precision_stay_distinct():
    # 2**53 + 1 is not a double: a sorted-set score would merge these two totals
    assert ranking(score(2**53, member="less"), score(2**53 + 1, member="more")) == ["more", "less"]


@given(
    st.lists(
        st.tuples(
            st.integers(0, MAX_SCORE),
            st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
            st.uuids(),
        ),
        max_size=30,
    )
)
def test_sort_keys_order_exactly_like_score_then_time_then_member(rows):
    scores = [Score(str(member), points, at) for points, at, member in rows]
    expected = sorted(scores, key=lambda s: (-s.score, s.reached_at, s.member_id))
    assert [parse_sort_key(k) for k in sorted(sort_key(s) for s in scores)] == expected


@pytest.mark.parametrize("points", [-1, MAX_SCORE + 1])
def test_a_score_outside_the_encodable_range_is_refused(points):
    with pytest.raises(ValueError, match="outside"):
        sort_key(score(points))


def test_more_points_are_the_later_state_whatever_order_reads_arrive_in():
    earlier, later = score(10, T0), score(25, T0 - timedelta(minutes=1))  # a late credit, backdated
    assert fresher(earlier, later) == later
    assert fresher(later, earlier) == later
    assert fresher(None, earlier) == earlier


# --- periods -------------------------------------------------------------------------------

def test_weeks_and_months_follow_the_program_time_zone():
    # Sunday 22:30 UTC is already Monday in Paris, and the 1st of July
    sunday_night = datetime(2026, 6, 30, 22, 30, tzinfo=UTC) - timedelta(days=2)  # Sun 28 June
    assert week_key(sunday_night, UTC) == "2026-W26"
    assert week_key(sunday_night, PARIS) == "2026-W27"
    last_evening = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    assert (month_key(last_evening, UTC), month_key(last_evening, PARIS)) == ("2026-06", "2026-07")


def test_new_years_eve_belongs_to_the_iso_week_of_its_thursday():
    assert week_key(datetime(2027, 1, 1, 12, tzinfo=UTC), UTC) == "2026-W53"
    assert week_key(datetime(2027, 1, 4, 12, tzinfo=UTC), UTC) == "2027-W01"


def test_a_week_with_the_clock_change_runs_monday_midnight_to_monday_midnight_local():
    start, end = period_bounds("2026-W13", PARIS)  # summer time starts Sunday 29 March
    assert start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert end - start == timedelta(days=7, hours=-1)


@pytest.mark.parametrize(("key", "start", "end"), [
    ("2026-12", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ("2026-06-01", datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)),
    ("2026-W23", datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC)),
])
def test_period_bounds_of_months_days_and_weeks(key, start, end):
    assert period_bounds(key, UTC) == (start, end)


def test_a_credit_counts_on_all_time_and_on_its_week_and_month():
    boards = points_boards(7, PARIS, datetime(2026, 5, 31, 22, 30, tzinfo=UTC))  # Monday 1 June in Paris
    assert [(b.kind, b.period) for b in boards] == [
        (BoardKind.ALL_TIME, "all"), (BoardKind.WEEKLY, "2026-W23"), (BoardKind.MONTHLY, "2026-06")]


def test_a_finished_period_is_kept_35_days_and_all_time_forever():
    assert expires_at("2026-06", UTC) == datetime(2026, 7, 1, tzinfo=UTC) + timedelta(days=35)
    assert expires_at("all", UTC) is None
    challenge_end = datetime(2026, 9, 1, tzinfo=UTC)
    assert expires_at("all", UTC, challenge_end) == challenge_end + timedelta(days=35)


def test_live_periods_are_the_current_one_and_those_ended_within_35_days():
    assert live_periods(BoardKind.WEEKLY, T0, UTC) == [
        "2026-W24", "2026-W23", "2026-W22", "2026-W21", "2026-W20", "2026-W19"]
    assert live_periods(BoardKind.MONTHLY, T0, UTC) == ["2026-06", "2026-05"]


def test_a_challenge_board_follows_its_recurrence():
    assert challenge_period({"kind": "recurring", "every": "weekly"}, T0, UTC) == "2026-W24"
    assert challenge_period({"kind": "recurring", "every": "daily"}, T0, PARIS) == "2026-06-10"
    assert challenge_period({"kind": "fixed", "starts_at": "2026-06-01T00:00:00+00:00"}, T0, UTC) == "all"


# --- keys ----------------------------------------------------------------------------------

def test_a_boards_keys_share_one_cluster_slot_and_name_the_board():
    board = Board(1, BoardKind.WEEKLY, "2026-W23")
    assert board.ranking_key == "lb:{program:1:weekly:2026-W23}:ranking"
    assert key_slot(board.ranking_key.encode()) == key_slot(board.entries_key.encode())
    challenge = Board(1, BoardKind.CHALLENGE, "2026-W23", challenge_id=4)
    assert challenge.entries_key == "lb:{program:1:challenge:4:2026-W23}:entries"


# --- around me -----------------------------------------------------------------------------

KEYS = [sort_key(score(100 - i, member=f"m{i}")) for i in range(10)]  # m0 first ... m9 last


def names(placed: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(rank, parse_sort_key(key).member_id) for rank, key in placed]


def test_a_listed_member_sees_k_members_on_each_side():
    me = KEYS[5]
    window = KEYS[3:8]  # what ZRANGE returns from index 3
    assert names(around(window, 3, me, 5, 2)) == [(4, "m3"), (5, "m4"), (6, "m5"), (7, "m6"), (8, "m7")]


def test_at_the_top_there_is_nobody_above():
    assert names(around(KEYS[0:3], 0, KEYS[0], 0, 2)) == [(1, "m0"), (2, "m1"), (3, "m2")]


def test_a_hidden_member_sees_where_they_would_stand_among_the_ranks_everyone_sees():
    hidden = sort_key(score(96, T0 + timedelta(seconds=1), "me"))  # after m4 (96 earlier), before m5
    window = KEYS[3:8]
    assert names(around(window, 3, hidden, 5, 2)) == [(4, "m3"), (5, "m4"), (6, "me"), (6, "m5"), (7, "m6")]


def test_with_no_neighbours_asked_only_the_member_is_shown():
    assert names(around(KEYS[5:6], 5, KEYS[5], 5, 0)) == [(6, "m5")]


# --- aliases -------------------------------------------------------------------------------

@pytest.mark.parametrize(("alias", "problem"), [
    ("   ", "blank"), ("x" * 33, "at most 32"), ("bad\nname", "control"), ("Latte Lover", None)])
def test_aliases_others_can_read(alias, problem):
    found = alias_problem(alias)
    assert (found is None) if problem is None else (problem in found)


def test_member_ids_in_sort_keys_survive_the_round_trip():
    member = str(uuid.uuid4())
    assert parse_sort_key(sort_key(score(7, member=member))) == score(7, member=member)
