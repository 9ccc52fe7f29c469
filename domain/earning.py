"""The base earning rule: points per currency unit, times the member's tier multiplier.

Pure: the service hands in the purchase amount and program settings and stores the result.
Campaign rules will add lines to the same breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class EarnLine:
    rule: str
    description: str
    points: int


@dataclass(frozen=True)
class Earning:
    lines: tuple[EarnLine, ...]

    @property
    def points(self) -> int:
        return sum(line.points for line in self.lines)


def base_earning(
    amount_minor: int,
    currency_digits: int,
    points_per_unit: int,
    tier_name: str | None,
    tier_multiplier: Decimal,
) -> Earning:
    """Whole currency units earn `points_per_unit` each; fractions of a unit earn nothing.

    The tier bonus is the multiplier's extra share of the base points, rounded down, so
    members never earn a fraction and a multiplier of 1 adds no line.
    """
    whole_units = amount_minor // 10**currency_digits
    base = whole_units * points_per_unit
    lines = [EarnLine("base", f"{points_per_unit} point(s) per currency unit", base)]
    bonus = int((base * (tier_multiplier - 1)).to_integral_value(rounding=ROUND_FLOOR))
    if bonus > 0 and tier_name:
        lines.append(EarnLine("tier", f"{tier_name} tier x{tier_multiplier.normalize():f}", bonus))
    return Earning(tuple(lines))
