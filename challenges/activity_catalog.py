"""The built-in activity types every program starts with, and how each one's
sustainability impact is measured. Pure: no I/O.

Impact figures are deliberately simple, documented estimates: members see them as
"about this much", and challenges count them; they are not carbon accounting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ImpactUnit(StrEnum):
    CO2_GRAMS = "co2_grams"  # CO2 avoided
    ITEMS_RECYCLED = "items_recycled"
    PAPER_GRAMS = "paper_grams"  # paper saved


# A car emits ~170 g CO2/km, a bus or train ~70 g per passenger-km: ~100 g avoided a km.
CO2_GRAMS_PER_TRANSIT_KM = 100
# A disposable cup with its lid: ~30 g CO2 over its life.
CO2_GRAMS_PER_REUSABLE_CUP = 30
# A printed till receipt weighs ~3 g.
PAPER_GRAMS_PER_E_RECEIPT = 3
# Beyond these, an attribute is a typo or an attempt to farm impact, not a real activity.
MAX_ITEMS_PER_RECYCLING = 500
MAX_TRANSIT_KM = 2_000


class ImpactProblem(ValueError):
    """An attribute needed for the impact is missing or out of range; `attribute` names it."""

    def __init__(self, attribute: str, message: str) -> None:
        super().__init__(message)
        self.attribute = attribute
        self.message = message


Measure = Callable[[Mapping[str, Any]], int]


@dataclass(frozen=True)
class BuiltInActivityType:
    code: str
    name: str
    impact_unit: ImpactUnit | None = None
    impact_per_activity: int = 0
    # Self-reported from the app by the member; every other type comes from an integration
    # (POS, web shop, partner) that witnessed it, because self-reports are easy to farm.
    member_reportable: bool = False
    # Impact from the activity's attributes; None means the fixed impact per activity.
    measure: Measure | None = None
    how_measured: str | None = None  # shown to marketers where `measure` is set

    def impact(self, attributes: Mapping[str, Any]) -> int:
        return self.measure(attributes) if self.measure else self.impact_per_activity


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _recycled_items(attributes: Mapping[str, Any]) -> int:
    count = attributes.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ITEMS_PER_RECYCLING:
        raise ImpactProblem("count", f"must be a whole number from 1 to {MAX_ITEMS_PER_RECYCLING}")
    return count


def _transit_co2(attributes: Mapping[str, Any]) -> int:
    distance = attributes.get("distanceKm")
    if not _is_number(distance) or not 0 < distance <= MAX_TRANSIT_KM:
        raise ImpactProblem("distanceKm", f"must be a distance in km, more than 0 and at most {MAX_TRANSIT_KM}")
    return round(distance * CO2_GRAMS_PER_TRANSIT_KM)


CATALOG: tuple[BuiltInActivityType, ...] = (
    BuiltInActivityType("VISIT", "Store visit"),
    BuiltInActivityType("CHECK_IN", "Check-in in the app", member_reportable=True),
    BuiltInActivityType("REVIEW", "Product review", member_reportable=True),
    BuiltInActivityType("SURVEY", "Survey answered", member_reportable=True),
    BuiltInActivityType("REFERRAL", "Friend referred"),
    BuiltInActivityType(
        "RECYCLE", "Recycling", ImpactUnit.ITEMS_RECYCLED, 1,
        measure=_recycled_items, how_measured="attributes.count items (default 1)",
    ),
    BuiltInActivityType("REUSABLE_CUP", "Reusable cup", ImpactUnit.CO2_GRAMS, CO2_GRAMS_PER_REUSABLE_CUP),
    BuiltInActivityType("E_RECEIPT", "E-receipt instead of paper", ImpactUnit.PAPER_GRAMS, PAPER_GRAMS_PER_E_RECEIPT),
    BuiltInActivityType(
        "PUBLIC_TRANSPORT", "Trip by public transport", ImpactUnit.CO2_GRAMS, 0,
        measure=_transit_co2, how_measured=f"{CO2_GRAMS_PER_TRANSIT_KM} g per attributes.distanceKm (required)",
    ),
)

BUILT_IN: dict[str, BuiltInActivityType] = {t.code: t for t in CATALOG}


def built_in(code: str) -> BuiltInActivityType | None:
    return BUILT_IN.get(code)
