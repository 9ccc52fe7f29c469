"""Loading one member's facts, as much as a rule needs of them."""

from __future__ import annotations

from datetime import date, datetime

from tortoise.functions import Max, Sum

from domain.models import Member, Program, Purchase
from domain.segments.rules import MemberFacts, Rule, sustainability_windows, window_start
from domain.segments.sources import activity_model, local_date, local_midnight


async def _single(query, name: str):  # type: ignore[no-untyped-def]
    rows = await query.values_list(name, flat=True)
    return rows[0] if rows else None


async def load_facts(program: Program, member: Member, rule: Rule, today: date) -> MemberFacts:
    activity = activity_model()
    spend = await _single(
        Purchase.filter(member_id=member.id, reversed_at__isnull=True)
        .annotate(total=Sum("amount"))
        .group_by("member_id"),
        "total",
    )
    last_purchase: datetime | None = await _single(
        Purchase.filter(member_id=member.id).annotate(last=Max("occurred_at")).group_by("member_id"), "last"
    )
    last_activity: datetime | None = await _single(
        activity.filter(member_id=member.id).annotate(last=Max("occurred_at")).group_by("member_id"), "last"
    )
    latest = max((m for m in (last_purchase, last_activity) if m is not None), default=None)
    counts: dict[int, int] = {}
    for days in sustainability_windows(rule):
        since = local_midnight(program, window_start(today, days))
        counts[days] = await activity.filter(
            member_id=member.id, impact_amount__gt=0, occurred_at__gte=since
        ).count()
    return MemberFacts(
        tier_id=member.tier_id,  # type: ignore[attr-defined]
        balance=member.points_balance,
        lifetime_spend=int(spend or 0),
        last_activity_on=local_date(program, latest) if latest is not None else None,
        birthday=member.birthday,
        tags=frozenset(member.tags or []),
        sustainability_counts=counts,
    )
