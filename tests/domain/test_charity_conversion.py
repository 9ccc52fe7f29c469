"""Points to money, the brand match and impact: pure rules, no database."""

from __future__ import annotations

from domain.charity.conversion import ConversionTerms, donation_value, impact_of, matched_amount, points_to_amount

TREES = ConversionTerms(points_per_currency_unit=100, minor_digits=2, matching_percent=50,
                        impact_per_step=1, impact_step_amount=100)


def test_hundred_points_make_one_euro_and_the_brand_adds_half():
    # given 100 points = 1.00 EUR, a 50 % match and 1 tree per 1.00 EUR
    # when a member gives 1,000 points
    value = donation_value(1_000, TREES)
    # then the points are worth 10.00, the brand adds 5.00 and 15 trees are planted
    assert (value.amount, value.matched_amount, value.total_amount, value.impact_amount) == (10_00, 5_00, 15_00, 15)


def test_every_step_rounds_down_to_a_whole_cent_or_unit():
    # 150 points at 3 points a euro cent-wise: 150 * 100 / 300 = 50 cents exactly
    assert points_to_amount(150, 300, 2) == 50
    # 1 point at 3 points a euro is 33.33 cents: the member's donation is 33 cents
    assert points_to_amount(1, 3, 2) == 33
    # a 33 % match of 33 cents is 10.89: 10 cents
    assert matched_amount(33, 33) == 10
    # 1.99 EUR at 1 tree per 1.00 is 1 tree, not 2
    assert impact_of(1_99, 1, 100) == 1


def test_currencies_without_minor_units_convert_in_whole_units():
    # given a JPY program (0 minor digits), 10 points a yen
    assert points_to_amount(1_005, 10, 0) == 100


def test_impact_counts_the_brand_match_too():
    # given 1 meal per 2.50 EUR and a 100 % match
    terms = ConversionTerms(points_per_currency_unit=100, minor_digits=2, matching_percent=100,
                            impact_per_step=1, impact_step_amount=250)
    # when 250 points (2.50 EUR) are given, the charity receives 5.00: two meals
    assert donation_value(250, terms).impact_amount == 2


def test_nothing_given_buys_nothing():
    assert donation_value(0, TREES).total_amount == 0
    assert donation_value(-5, TREES).impact_amount == 0
    # a point worth less than a cent gives nothing at all rather than a rounded-up cent
    assert donation_value(1, TREES).amount == 1 and donation_value(1, ConversionTerms(1_000, 2, 0, 1, 100)).amount == 0
