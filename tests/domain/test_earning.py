"""The base earning rule (domain.earning.base_earning): pure, no database."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.earning import EarnLine, base_earning
from domain.money import minor_units


@pytest.mark.parametrize(
    ("currency", "amount_minor", "points"),
    [
        ("JPY", 1_299, 1_299),  # no minor unit: every yen is a whole unit
        ("EUR", 12_99, 12),  # 12.99 EUR: the 99 cents earn nothing
        ("KWD", 12_999, 12),  # 12.999 KWD: three minor digits
        ("EUR", 99, 0),  # less than one euro earns nothing
        ("KWD", 999, 0),
    ],
)
def test_only_whole_currency_units_earn(currency, amount_minor, points):
    # the digits come from the currency, as the purchase service looks them up
    earning = base_earning(amount_minor, minor_units(currency), 1, None, Decimal(1))
    assert earning.points == points
    assert earning.lines == (EarnLine("base", "1 point(s) per currency unit", points),)


def test_points_per_unit_multiply_the_whole_units():
    earning = base_earning(25_50, 2, 3, None, Decimal(1))
    assert earning.points == 75
    assert earning.lines[0].description == "3 point(s) per currency unit"


def test_a_program_earning_zero_per_unit_gives_zero_points():
    assert base_earning(1_000_00, 2, 0, "Gold", Decimal("1.5")).points == 0


def test_tier_bonus_is_a_separate_line_on_top_of_the_base():
    earning = base_earning(100_00, 2, 1, "Silver", Decimal("1.25"))
    assert earning.lines == (
        EarnLine("base", "1 point(s) per currency unit", 100),
        EarnLine("tier", "Silver tier x1.25", 25),
    )
    assert earning.points == 125


@pytest.mark.parametrize(
    ("base_units", "multiplier", "bonus"),
    [
        (13, "1.25", 3),  # 3.25 -> 3
        (7, "1.5", 3),  # 3.5 -> 3, never rounded up
        (3, "1.33", 0),  # 0.99 -> 0
    ],
)
def test_tier_bonus_is_rounded_down_to_whole_points(base_units, multiplier, bonus):
    earning = base_earning(base_units * 100, 2, 1, "Silver", Decimal(multiplier))
    assert earning.points == base_units + bonus


def test_a_bonus_that_rounds_down_to_zero_adds_no_line():
    earning = base_earning(50_00, 2, 1, "Silver", Decimal("1.01"))  # 0.5 -> 0
    assert [line.rule for line in earning.lines] == ["base"]


def test_multiplier_one_adds_no_tier_line():
    # tiers are stored with two decimals, so 1 arrives as Decimal("1.00")
    earning = base_earning(1_000_00, 2, 1, "Bronze", Decimal("1.00"))
    assert [line.rule for line in earning.lines] == ["base"]
    assert earning.points == 1_000


@pytest.mark.parametrize(
    ("stored", "shown"), [("1.50", "1.5"), ("2.00", "2"), ("10.00", "10")]
)
def test_tier_line_shows_the_multiplier_as_members_read_it(stored, shown):
    # Tier.earn_multiplier is a DecimalField(decimal_places=2): the member must see "x10",
    # not a scientific notation; 10 is the highest multiplier marketers may configure.
    earning = base_earning(10_00, 2, 1, "Diamond", Decimal(stored))
    assert earning.lines[1].description == f"Diamond tier x{shown}"


@given(
    amount_minor=st.integers(0, 10**12),
    digits=st.sampled_from([0, 2, 3]),
    per_unit=st.integers(0, 10_000),
    multiplier=st.decimals(min_value=1, max_value=10, places=2),
)
def test_total_is_the_floor_of_whole_units_times_rate_times_multiplier(amount_minor, digits, per_unit, multiplier):
    earning = base_earning(amount_minor, digits, per_unit, "Tier", multiplier)
    whole_units = amount_minor // 10**digits
    expected = int((Decimal(whole_units * per_unit) * multiplier).to_integral_value(rounding=ROUND_FLOOR))
    assert earning.points == expected
    assert all(line.points >= 0 for line in earning.lines)
    # a bigger purchase never earns less
    assert base_earning(amount_minor + 10**digits, digits, per_unit, "Tier", multiplier).points >= earning.points
