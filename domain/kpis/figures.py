"""`program_kpis`: a marketer's figures for one period, from a fixed handful of queries.

Periods are half-open, [start, end), in UTC instants; a caller that thinks in the
program's time zone passes local midnights converted to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.charity.impact import ImpactTotals, program_totals
from domain.errors import Problems
from domain.kpis import definitions as d
from domain.kpis import queries
from domain.kpis.queries import TierCount
from domain.models import LedgerKind, Program

DEFAULT_ACTIVITY_WINDOW_DAYS = 90
MAX_ACTIVITY_WINDOW_DAYS = 730
MAX_PERIOD = timedelta(days=3660)  # ten years: bounds the scan of one request


class KpiNoteCode(StrEnum):
    PERIOD_TOO_SHORT_TO_ANNUALISE = "period_too_short_to_annualise"


@dataclass(frozen=True)
class KpiNote:
    """Why some figures are undefined (None) although their inputs exist."""

    code: KpiNoteCode
    figures: tuple[str, ...]  # the ProgramKpis attributes it concerns
    message: str


# Figures that scale the period to a year.
ANNUALISED_FIGURES = ("purchase_frequency", "customer_lifetime_value")


def _notes(period_days: Decimal, length: timedelta) -> tuple[KpiNote, ...]:
    if d.can_annualise(period_days):
        return ()
    return (KpiNote(
        KpiNoteCode.PERIOD_TOO_SHORT_TO_ANNUALISE, ANNUALISED_FIGURES,
        f"The period ({length}) is under {d.MIN_ANNUALISED_DAYS} days: too short to scale to a "
        "year, so purchase frequency and customer lifetime value are not given. Ask for a "
        f"period of at least {d.MIN_ANNUALISED_DAYS} days.",
    ),)


@dataclass(frozen=True)
class ProgramKpis:
    start: datetime
    end: datetime
    activity_window_days: int
    currency: str
    # retention
    customers_at_start: int
    customers_at_end: int
    new_customers: int
    retention_rate: Decimal | None
    # value
    revenue: int
    purchases: int
    purchasing_members: int
    average_purchase_value: int | None
    purchase_frequency: Decimal | None
    average_lifetime_years: Decimal | None
    customer_lifetime_value: int | None
    # points
    points_issued: int
    points_redeemed: int
    redemption_rate: Decimal | None
    points_expired: int
    breakage_rate: Decimal | None
    points_outstanding: int
    donations: ImpactTotals  # made donations in the period, and sustainability rewards' impact
    # members
    active_members: int
    tier_distribution: list[TierCount]
    notes: tuple[KpiNote, ...] = ()


def validate_period(start: datetime, end: datetime, activity_window_days: int) -> None:
    problems = Problems()
    if start.tzinfo is None:
        problems.add("from", "must carry a UTC offset")
    if end.tzinfo is None:
        problems.add("to", "must carry a UTC offset")
    elif start.tzinfo is not None:
        if end <= start:
            problems.add("to", "must be after from")
        elif end - start > MAX_PERIOD:
            problems.add("to", "must be at most ten years after from")
    if not 1 <= activity_window_days <= MAX_ACTIVITY_WINDOW_DAYS:
        problems.add("activityWindowDays", f"must be between 1 and {MAX_ACTIVITY_WINDOW_DAYS}")
    problems.raise_if_any()


async def program_kpis(
    program: Program, start: datetime, end: datetime, activity_window_days: int = DEFAULT_ACTIVITY_WINDOW_DAYS
) -> ProgramKpis:
    validate_period(start, end, activity_window_days)
    window = timedelta(days=activity_window_days)
    at_start = await queries.customers_at(program.id, start, window)
    at_end = await queries.customers_at(program.id, end, window)
    new = await queries.customers_at(program.id, end, window, enrolled_since=start)
    sales = await queries.sales(program.id, start, end)
    lifetimes = await queries.lifetimes(program.id, end)
    totals = await queries.ledger_totals(program.id, start, end)

    period_days = Decimal(str((end - start).total_seconds())) / d.SECONDS_PER_DAY
    purchase_value = d.average_purchase_value(sales.revenue, sales.purchases)
    frequency = d.purchase_frequency(sales.purchases, sales.purchasing_members, period_days)
    lifetime = d.average_lifetime_years(lifetimes.total_days, lifetimes.members)
    issued = totals.get(LedgerKind.EARN, 0)
    redeemed = -totals.get(LedgerKind.REDEEM, 0) - totals.get(LedgerKind.REFUND, 0)
    expired = -totals.get(LedgerKind.EXPIRE, 0)
    return ProgramKpis(
        start=start,
        end=end,
        activity_window_days=activity_window_days,
        currency=program.currency,
        customers_at_start=at_start,
        customers_at_end=at_end,
        new_customers=new,
        retention_rate=d.retention_rate(at_start, at_end, new),
        revenue=sales.revenue,
        purchases=sales.purchases,
        purchasing_members=sales.purchasing_members,
        average_purchase_value=d.round_minor(purchase_value),
        purchase_frequency=d.two_places(frequency),
        average_lifetime_years=d.two_places(lifetime),
        customer_lifetime_value=d.customer_lifetime_value(purchase_value, frequency, lifetime),
        points_issued=issued,
        points_redeemed=redeemed,
        redemption_rate=d.redemption_rate(redeemed, issued),
        points_expired=expired,
        breakage_rate=d.breakage_rate(expired, issued),
        points_outstanding=await queries.points_outstanding(program.id, end),
        donations=(await program_totals(program.id, start, end))[0],
        active_members=await queries.active_members(program.id, start, end),
        tier_distribution=await queries.tier_distribution(program.id, end),
        notes=_notes(period_days, end - start),
    )
