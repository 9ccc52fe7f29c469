"""Pure rules: points to money, the brand match and the impact a donation buys.

Every step rounds DOWN to a whole minor unit or a whole impact unit, so that rounding
never creates money or impact the points did not pay for:
- amount = floor(points * 10**minor_digits / points_per_currency_unit)
- matched = floor(amount * matching_percent / 100)
- impact = floor((amount + matched) * impact_per_step / impact_step_amount)
The impact is computed on the total the charity receives (donation plus brand match).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConversionTerms:
    """A charity's terms, as the rules need them."""

    points_per_currency_unit: int  # e.g. 100: 100 points make 1.00 EUR
    minor_digits: int  # digits after the decimal point of the program currency
    matching_percent: int  # 0..100
    impact_per_step: int  # e.g. 1 tree
    impact_step_amount: int  # per this many minor units, e.g. 100 cents


@dataclass(frozen=True)
class DonationValue:
    amount: int  # minor units the points are worth
    matched_amount: int  # minor units the brand adds
    impact_amount: int  # whole impact units of the total

    @property
    def total_amount(self) -> int:
        return self.amount + self.matched_amount


def points_to_amount(points: int, points_per_currency_unit: int, minor_digits: int) -> int:
    """Minor units `points` are worth, rounded down."""
    if points <= 0:
        return 0
    return points * 10**minor_digits // points_per_currency_unit


def matched_amount(amount: int, matching_percent: int) -> int:
    """What the brand adds on top, rounded down."""
    return max(amount, 0) * matching_percent // 100


def impact_of(total_amount: int, impact_per_step: int, impact_step_amount: int) -> int:
    """Whole impact units `total_amount` minor units buy, rounded down."""
    if total_amount <= 0:
        return 0
    return total_amount * impact_per_step // impact_step_amount


def donation_value(points: int, terms: ConversionTerms) -> DonationValue:
    amount = points_to_amount(points, terms.points_per_currency_unit, terms.minor_digits)
    matched = matched_amount(amount, terms.matching_percent)
    impact = impact_of(amount + matched, terms.impact_per_step, terms.impact_step_amount)
    return DonationValue(amount=amount, matched_amount=matched, impact_amount=impact)
