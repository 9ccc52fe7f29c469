"""The KPI formulas alone, without a database: hand-computed numbers and zero denominators."""

from __future__ import annotations

from decimal import Decimal

from domain.kpis import definitions as d


def test_percent_rounds_half_up_to_two_places():
    # given 1 of 3, and 1 of 8 (12.5 exactly)
    # then 33.33 and 12.50; 2 of 3 rounds up to 66.67
    assert d.percent(1, 3) == Decimal("33.33")
    assert d.percent(2, 3) == Decimal("66.67")
    assert d.percent(1, 8) == Decimal("12.50")


def test_every_rate_is_undefined_when_its_denominator_is_zero():
    assert d.retention_rate(0, 3, 1) is None
    assert d.redemption_rate(10, 0) is None
    assert d.breakage_rate(10, 0) is None
    assert d.participation_rate(1, 0) is None
    assert d.completion_rate(0, 0) is None


def test_retention_leaves_new_customers_out():
    # given 4 customers at start, 5 at end of whom 2 enrolled in the period
    # then (5 - 2) / 4 = 75 %
    assert d.retention_rate(4, 5, 2) == Decimal("75.00")


def test_retention_above_100_when_lapsed_customers_come_back():
    # given 2 customers at start, 3 old ones buying at the end (one came back), none new
    assert d.retention_rate(2, 3, 0) == Decimal("150.00")


def test_purchase_frequency_is_annualised_from_the_period_length():
    # given 6 purchases by 3 members in half a year (182.5 days)
    # then 2 per member in the period, 4 per year
    assert d.purchase_frequency(6, 3, Decimal("182.5")) == Decimal(4)
    assert d.purchase_frequency(6, 0, Decimal(365)) is None


def test_purchase_frequency_is_undefined_for_a_period_under_thirty_days():
    # given 1 purchase by 1 member in 3 seconds, and in 29.99 days
    # then no yearly figure (not 10 million a year); from 30 days on, scaled as before
    assert d.purchase_frequency(1, 1, Decimal(3) / d.SECONDS_PER_DAY) is None
    assert d.purchase_frequency(1, 1, Decimal("29.99")) is None
    assert d.purchase_frequency(3, 1, Decimal(30)) == Decimal("36.5")


def test_customer_lifetime_value_multiplies_value_frequency_and_lifetime():
    # given 25.00 a purchase, 4 purchases a year, 2.5 years
    value = d.average_purchase_value(100_00, 4)
    lifetime = d.average_lifetime_years(Decimal(365 * 5), 2)  # 2 members, 5 years between them
    # then 25.00 x 4 x 2.5 = 250.00
    assert value == Decimal(25_00)
    assert lifetime == Decimal("2.5")
    assert d.customer_lifetime_value(value, Decimal(4), lifetime) == 250_00


def test_customer_lifetime_value_rounds_only_at_the_end():
    # given 10.00 / 3 a purchase (333.33.. cents), 3 a year, 1 year: exactly 10.00
    value = d.average_purchase_value(10_00, 3)
    assert d.customer_lifetime_value(value, Decimal(3), Decimal(1)) == 10_00
    assert d.round_minor(value) == 333


def test_customer_lifetime_value_is_undefined_without_purchases():
    assert d.average_purchase_value(0, 0) is None
    assert d.average_lifetime_years(Decimal(0), 0) is None
    assert d.customer_lifetime_value(None, Decimal(1), Decimal(1)) is None
