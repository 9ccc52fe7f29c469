"""The KPI inputs, each one aggregate SQL query over the program's rows (no per-member
queries): counts, sums and distinct counts, with periods as half-open [start, end) in UTC.

Erased members are counted like everyone else: an erasure removes personal data, not the
history that the totals and the liability stand on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Max, Sum
from tortoise.queryset import QuerySet

from domain.kpis.definitions import SECONDS_PER_DAY
from domain.models import LedgerEntry, LedgerKind, Member, Purchase, Tier

# Ledger movements a member causes: what makes them "active" besides purchasing.
MEMBER_MOVEMENTS = (LedgerKind.EARN, LedgerKind.REDEEM, LedgerKind.DONATE)


def _purchases(program_id: int, start: datetime, end: datetime) -> QuerySet[Purchase]:
    """Purchases that stand: occurred within [start, end) and not returned."""
    return Purchase.filter(
        program_id=program_id, reversed_at=None, occurred_at__gte=start, occurred_at__lt=end
    )


async def customers_at(
    program_id: int, moment: datetime, window: timedelta, enrolled_since: datetime | None = None
) -> int:
    """Members enrolled before `moment` with a purchase within `window` before it
    (enrolled at or after `enrolled_since`, when given: the new ones)."""
    buyers = _purchases(program_id, moment - window, moment).values("member_id")
    query = Member.filter(program_id=program_id, enrolled_at__lt=moment, id__in=Subquery(buyers))
    if enrolled_since is not None:
        query = query.filter(enrolled_at__gte=enrolled_since)
    return await query.count()


@dataclass(frozen=True)
class Sales:
    revenue: int  # minor units of the program's currency
    purchases: int
    purchasing_members: int


async def sales(program_id: int, start: datetime, end: datetime) -> Sales:
    row = await (
        _purchases(program_id, start, end)
        .annotate(revenue=Sum("amount"), purchases=Count("id"), members=Count("member_id", distinct=True))
        .first()
        .values("revenue", "purchases", "members")
    )
    row = row or {}
    return Sales(int(row.get("revenue") or 0), int(row.get("purchases") or 0), int(row.get("members") or 0))


@dataclass(frozen=True)
class Lifetimes:
    total_days: Decimal  # summed over members: enrolment to last purchase
    members: int


async def lifetimes(program_id: int, end: datetime) -> Lifetimes:
    """Enrolment to last standing purchase before `end`, summed over the members who bought.

    One grouped query; the subtraction happens here because date arithmetic in SQL
    differs between SQLite and PostgreSQL."""
    rows = await (
        Purchase.filter(program_id=program_id, reversed_at=None, occurred_at__lt=end)
        .annotate(last=Max("occurred_at"))
        .group_by("member_id", "member__enrolled_at")
        .values("member__enrolled_at", "last")
    )
    seconds = sum(
        max((_aware(row["last"]) - _aware(row["member__enrolled_at"])).total_seconds(), 0) for row in rows
    )
    return Lifetimes(Decimal(str(seconds)) / SECONDS_PER_DAY, len(rows))


def _aware(moment: datetime | str) -> datetime:
    # SQLite hands aggregates back as text; columns come back as datetimes.
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def ledger_totals(program_id: int, start: datetime, end: datetime) -> dict[LedgerKind, int]:
    """Signed sum of points per ledger kind, entries created within [start, end)."""
    rows = await (
        LedgerEntry.filter(program_id=program_id, created_at__gte=start, created_at__lt=end)
        .annotate(total=Sum("points"))
        .group_by("kind")
        .values("kind", "total")
    )
    return {LedgerKind(row["kind"]): int(row["total"] or 0) for row in rows}


async def points_outstanding(program_id: int, at: datetime) -> int:
    """The sum of every ledger entry before `at`: the balances members held then."""
    row = await (
        LedgerEntry.filter(program_id=program_id, created_at__lt=at)
        .annotate(total=Sum("points"))
        .first()
        .values("total")
    )
    return int((row or {}).get("total") or 0)


async def active_members(program_id: int, start: datetime, end: datetime) -> int:
    """Distinct members with a standing purchase or an own ledger movement (earn, redeem,
    donate) within [start, end)."""
    buyers = _purchases(program_id, start, end).values("member_id")
    movers = LedgerEntry.filter(
        program_id=program_id, created_at__gte=start, created_at__lt=end, kind__in=list(MEMBER_MOVEMENTS)
    ).values("member_id")
    return await Member.filter(program_id=program_id).filter(
        Q(id__in=Subquery(buyers)) | Q(id__in=Subquery(movers))
    ).count()


@dataclass(frozen=True)
class TierCount:
    tier: str | None  # None: members without a tier
    threshold: int | None
    members: int


async def tier_distribution(program_id: int, end: datetime) -> list[TierCount]:
    """Members enrolled before `end` per current tier (tiers keep no point-in-time
    snapshot), every tier of the program listed, lowest threshold first."""
    rows = await (
        Member.filter(program_id=program_id, enrolled_at__lt=end)
        .annotate(members=Count("id"))
        .group_by("tier_id")
        .values("tier_id", "members")
    )
    counts = {row["tier_id"]: int(row["members"]) for row in rows}
    tiers = await Tier.filter(program_id=program_id).order_by("threshold")
    listed = [TierCount(t.name, t.threshold, counts.get(t.id, 0)) for t in tiers]
    if counts.get(None):
        listed.append(TierCount(None, None, counts[None]))
    return listed
