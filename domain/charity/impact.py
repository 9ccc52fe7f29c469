"""Impact totals of donations and sustainability rewards: per member, charity, program.

Only made donations count (not skipped or cancelled ones), and only impact records of
redemptions that were not cancelled. Impact is the sum of what each donation recorded
when it was made (each rounded down), so history and totals always agree.
The sustainability activities' own impact lives in challenges/; api/ adds it for `me`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from domain.models import Donation, DonationStatus, ImpactRecord

TREES_PLANTED = "trees_planted"
MEALS_PROVIDED = "meals_provided"


@dataclass
class ImpactTotals:
    donations: int = 0
    donated_points: int = 0
    donated_amount: int = 0  # minor units, brand match excluded
    matched_amount: int = 0  # minor units the brand added
    impact: dict[str, int] = field(default_factory=dict)  # impact unit -> amount

    @property
    def total_amount(self) -> int:
        return self.donated_amount + self.matched_amount


@dataclass(frozen=True)
class CharityTotals:
    charity_id: int
    totals: ImpactTotals


def _made(**filters: Any) -> QuerySet[Donation]:
    return Donation.filter(status=DonationStatus.DONATED, **filters)


async def _donation_rows(group: str, **filters: Any) -> list[dict[str, Any]]:
    return await (
        _made(**filters)
        .group_by(group, "impact_unit")
        .annotate(n=Count("id"), points=Sum("points"), amount=Sum("amount"),
                  matched=Sum("matched_amount"), impact=Sum("impact_amount"))
        .values(group, "impact_unit", "n", "points", "amount", "matched", "impact")
    )


def _add(totals: ImpactTotals, row: dict[str, Any]) -> None:
    totals.donations += int(row["n"] or 0)
    totals.donated_points += int(row["points"] or 0)
    totals.donated_amount += int(row["amount"] or 0)
    totals.matched_amount += int(row["matched"] or 0)
    _add_impact(totals, row["impact_unit"], int(row["impact"] or 0))


def _add_impact(totals: ImpactTotals, unit: str, amount: int) -> None:
    if amount:
        totals.impact[unit] = totals.impact.get(unit, 0) + amount


def _window(created_from: datetime | None, created_to: datetime | None) -> dict[str, datetime]:
    filters: dict[str, datetime] = {}
    if created_from is not None:
        filters["created_at__gte"] = created_from
    if created_to is not None:
        filters["created_at__lt"] = created_to
    return filters


async def member_totals(member_id: str) -> ImpactTotals:
    totals = ImpactTotals()
    for row in await _donation_rows("member_id", member_id=member_id):
        _add(totals, row)
    records = (
        await ImpactRecord.filter(member_id=member_id, cancelled_at=None)
        .group_by("impact_unit").annotate(total=Sum("impact_amount")).values("impact_unit", "total")
    )
    for row in records:
        _add_impact(totals, row["impact_unit"], int(row["total"] or 0))
    return totals


async def charity_totals(charity_id: int) -> ImpactTotals:
    return (await charities_totals([charity_id]))[charity_id]


async def charities_totals(charity_ids: list[int]) -> dict[int, ImpactTotals]:
    """Totals of many charities in one query (a page of the catalog)."""
    totals: dict[int, ImpactTotals] = {charity_id: ImpactTotals() for charity_id in charity_ids}
    if charity_ids:
        for row in await _donation_rows("charity_id", charity_id__in=charity_ids):
            _add(totals[row["charity_id"]], row)
    return totals


async def program_totals(
    program_id: int, created_from: datetime | None = None, created_to: datetime | None = None
) -> tuple[ImpactTotals, list[CharityTotals]]:
    """Everything donated in the program in [from, to), and per charity (by id). The
    program figure also counts sustainability rewards' impact."""
    window = _window(created_from, created_to)
    overall = ImpactTotals()
    per_charity: dict[int, ImpactTotals] = defaultdict(ImpactTotals)
    for row in await _donation_rows("charity_id", program_id=program_id, **window):
        _add(overall, row)
        _add(per_charity[row["charity_id"]], row)
    records = (
        await ImpactRecord.filter(program_id=program_id, cancelled_at=None, **window)
        .group_by("impact_unit").annotate(total=Sum("impact_amount")).values("impact_unit", "total")
    )
    for row in records:
        _add_impact(overall, row["impact_unit"], int(row["total"] or 0))
    return overall, [CharityTotals(cid, per_charity[cid]) for cid in sorted(per_charity)]
