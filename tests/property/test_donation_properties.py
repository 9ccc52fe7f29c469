"""Properties of the donation conversion over any charity terms and any number of points."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.charity.auto_rules import AutoDonationSetting, points_to_give
from domain.charity.conversion import ConversionTerms, donation_value
from domain.models import DonationMode

terms = st.builds(
    ConversionTerms,
    points_per_currency_unit=st.integers(1, 1_000_000),
    minor_digits=st.sampled_from([0, 2, 3]),
    matching_percent=st.integers(0, 100),
    impact_per_step=st.integers(1, 1_000),
    impact_step_amount=st.integers(1, 10**9),
)
points = st.integers(0, 10**9)


@given(terms, points, points)
def test_more_points_never_give_less_money_or_impact(t: ConversionTerms, a: int, b: int):
    low, high = sorted((a, b))
    less, more = donation_value(low, t), donation_value(high, t)
    assert 0 <= less.amount <= more.amount
    assert 0 <= less.matched_amount <= more.matched_amount
    assert 0 <= less.impact_amount <= more.impact_amount


@given(terms, points)
def test_rounding_never_creates_money_or_impact(t: ConversionTerms, given_points: int):
    value = donation_value(given_points, t)
    # the amount is worth no more than the points, and one minor unit more would be
    assert value.amount * t.points_per_currency_unit <= given_points * 10**t.minor_digits
    assert (value.amount + 1) * t.points_per_currency_unit > given_points * 10**t.minor_digits
    # the brand never adds more than its percentage; the impact is paid for by the total
    assert value.matched_amount * 100 <= value.amount * t.matching_percent
    assert value.impact_amount * t.impact_step_amount <= value.total_amount * t.impact_per_step


@given(st.integers(1, 100), st.integers(2, 10_000), st.integers(0, 10**9), st.integers(0, 10**9))
def test_auto_donations_never_give_more_than_earned_or_held(percent: int, multiple: int, earned: int, balance: int):
    share = points_to_give(AutoDonationSetting(DonationMode.SHARE, share_percent=percent), earned, balance)
    assert 0 <= share <= earned
    round_up = points_to_give(AutoDonationSetting(DonationMode.ROUND_UP, round_up_to=multiple), earned, balance)
    assert 0 <= round_up < multiple and round_up <= balance
    assert earned == 0 or (balance - round_up) % multiple == 0
