"""The base earning rule: points per currency unit, times the member's tier multiplier.

Pure: the service hands in the purchase amount and program settings and stores the result.
At a partner, the partner's rate replaces the program's and its multiplier adds a line.
Campaign rules (domain.campaigns) add lines naming the campaign to the same breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class EarnLine:
    rule: str  # base, partner, tier, campaign
    description: str
    points: int
    campaign_id: int | None = None
    campaign_name: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Base and tier lines keep the shape stored before campaigns existed."""
        data: dict[str, object] = {"rule": self.rule, "description": self.description, "points": self.points}
        if self.campaign_id is not None:
            data |= {"campaign_id": self.campaign_id, "campaign_name": self.campaign_name}
        return data


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
    partner_name: str | None = None,
    partner_multiplier: Decimal = Decimal(1),
) -> Earning:
    """Whole currency units earn `points_per_unit` each; fractions of a unit earn nothing.

    The tier bonus is the multiplier's extra share of the base points, rounded down, so
    members never earn a fraction and a multiplier of 1 adds no line.
    """
    whole_units = amount_minor // 10**currency_digits
    base = whole_units * points_per_unit
    lines = [EarnLine("base", f"{points_per_unit} point(s) per currency unit", base)]
    extra = int((base * (partner_multiplier - 1)).to_integral_value(rounding=ROUND_FLOOR))
    if extra > 0 and partner_name:
        lines.append(EarnLine("partner", f"{partner_name} x{partner_multiplier.normalize():f}", extra))
    bonus = int((base * (tier_multiplier - 1)).to_integral_value(rounding=ROUND_FLOOR))
    if bonus > 0 and tier_name:
        lines.append(EarnLine("tier", f"{tier_name} tier x{tier_multiplier.normalize():f}", bonus))
    return Earning(tuple(lines))
