"""Which earn lots a spend consumes (domain.lots.plan_spend): pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InsufficientPoints
from domain.lots import LotView, Take, plan_spend, spend_order, spendable_points

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def lot(
    id: int,
    remaining: int,
    earned_days_ago: int = 10,
    expires_in_days: int = 30,
    available_in_days: int = -1,
) -> LotView:
    return LotView(
        id=id,
        remaining=remaining,
        earned_at=NOW - earned_days_ago * DAY,
        available_at=NOW + available_in_days * DAY,
        expires_at=NOW + expires_in_days * DAY,
    )


def test_soonest_expiring_points_are_spent_first():
    # given an older lot that expires late and a newer one that expires soon
    old_late = lot(1, 100, earned_days_ago=60, expires_in_days=300)
    new_soon = lot(2, 100, earned_days_ago=5, expires_in_days=10)
    # when 30 points are spent, then they come from the lot about to expire
    assert plan_spend([old_late, new_soon], 30, NOW) == [Take(2, 30)]


def test_among_equal_expiry_the_oldest_points_go_first():
    newer = lot(1, 50, earned_days_ago=3, expires_in_days=30)
    older = lot(2, 50, earned_days_ago=9, expires_in_days=30)
    assert plan_spend([newer, older], 70, NOW) == [Take(2, 50), Take(1, 20)]


def test_a_spend_drains_lots_in_order_and_leaves_later_lots_alone():
    lots = [lot(1, 40, expires_in_days=10), lot(2, 40, expires_in_days=20), lot(3, 40, expires_in_days=30)]
    # exactly two lots' worth touches no third lot (no zero-point takes)
    assert plan_spend(lots, 80, NOW) == [Take(1, 40), Take(2, 40)]
    assert plan_spend(lots, 81, NOW) == [Take(1, 40), Take(2, 40), Take(3, 1)]


def test_pending_points_are_not_spendable_until_the_return_window_closes():
    # given 100 available points and 500 still in their pending period
    available = lot(1, 100)
    pending = lot(2, 500, earned_days_ago=1, available_in_days=13)
    # when the member tries to spend 150, then only the 100 count
    with pytest.raises(InsufficientPoints) as short:
        plan_spend([available, pending], 150, NOW)
    assert (short.value.requested, short.value.available) == (150, 100)
    # and once the pending period is over, the same spend goes through
    assert sum(t.points for t in plan_spend([available, pending], 150, NOW + 13 * DAY)) == 150


def test_points_become_spendable_at_the_exact_end_of_the_pending_period():
    becoming_available = lot(1, 10, available_in_days=0)
    assert plan_spend([becoming_available], 10, NOW) == [Take(1, 10)]


def test_expired_points_are_never_spendable_even_before_the_expiry_job_runs():
    # a lot whose expiry moment is now is already gone; one a day past it too
    expiring_now = lot(1, 100, expires_in_days=0)
    expired = lot(2, 100, expires_in_days=-1)
    fresh = lot(3, 20, expires_in_days=90)
    with pytest.raises(InsufficientPoints) as short:
        plan_spend([expiring_now, expired, fresh], 21, NOW)
    assert short.value.available == 20
    assert plan_spend([expiring_now, expired, fresh], 20, NOW) == [Take(3, 20)]


def test_insufficient_points_reports_what_is_requested_and_available():
    with pytest.raises(InsufficientPoints) as short:
        plan_spend([lot(1, 30), lot(2, 12)], 50, NOW)
    assert (short.value.requested, short.value.available) == (50, 42)
    assert "50 points requested, 42 available" in str(short.value)


def test_a_member_without_points_has_nothing_available():
    with pytest.raises(InsufficientPoints) as short:
        plan_spend([lot(1, 0)], 1, NOW)
    assert short.value.available == 0


@pytest.mark.parametrize("points", [0, -5])
def test_a_spend_must_be_positive(points):
    with pytest.raises(ValueError):
        plan_spend([lot(1, 100)], points, NOW)


# --- properties -------------------------------------------------------------------------

@st.composite
def lot_views(draw) -> list[LotView]:
    """Lots around NOW: some pending, some expired, some drained, many sharing dates."""
    count = draw(st.integers(0, 8))
    days = st.integers(-5, 5)  # a narrow range so that ties of expiry and earning are common
    return [
        LotView(
            id=i,
            remaining=draw(st.integers(0, 60)),
            earned_at=NOW + draw(st.integers(-5, 0)) * DAY,
            available_at=NOW + draw(days) * DAY,
            expires_at=NOW + draw(days) * DAY,
        )
        for i in draw(st.permutations(range(1, count + 1)))
    ]


@settings(max_examples=300)
@given(lots=lot_views(), data=st.data())
def test_a_possible_spend_takes_exactly_the_points_from_a_prefix_of_the_fefo_order(lots, data):
    available = spendable_points(lots, NOW)
    if available == 0:
        return
    points = data.draw(st.integers(1, available), label="points")
    takes = plan_spend(lots, points, NOW)
    by_id = {lot.id: lot for lot in lots}
    # exactly the requested points, each take positive and within the lot's remainder
    assert sum(t.points for t in takes) == points
    assert all(0 < t.points <= by_id[t.lot_id].remaining for t in takes)
    # only spendable lots: never pending, never expired
    assert all(by_id[t.lot_id].available_at <= NOW < by_id[t.lot_id].expires_at for t in takes)
    # the lots touched are the first ones in soonest-expiry, oldest-earned order...
    fefo = [lot.id for lot in sorted(
        (lot for lot in lots if lot.remaining > 0 and lot.available_at <= NOW < lot.expires_at),
        key=lambda lot: (lot.expires_at, lot.earned_at, lot.id),
    )]
    assert [t.lot_id for t in takes] == fefo[: len(takes)]
    # ...and every one but the last is drained before the next is touched
    assert all(t.points == by_id[t.lot_id].remaining for t in takes[:-1])


@settings(max_examples=200)
@given(lots=lot_views(), extra=st.integers(1, 100))
def test_an_impossible_spend_raises_and_reports_only_spendable_points(lots, extra):
    available = sum(lot.remaining for lot in lots if lot.available_at <= NOW < lot.expires_at)
    with pytest.raises(InsufficientPoints) as short:
        plan_spend(lots, available + extra, NOW)
    assert (short.value.requested, short.value.available) == (available + extra, available)


@given(lots=lot_views())
def test_spend_order_lists_each_spendable_lot_once(lots):
    ordered = spend_order(lots, NOW)
    assert sorted(lot.id for lot in ordered) == sorted(
        lot.id for lot in lots if lot.remaining > 0 and lot.available_at <= NOW < lot.expires_at
    )
