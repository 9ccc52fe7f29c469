"""A segment's size and a sample of its members, over all members of the program.

For 100k members the rule is translated to one SQL query (subqueries for spend and
activity, never a member loaded into Python to be judged). domain.segments.rules.matches
is the definition; tests/property/test_segment_properties.py proves this translation agrees
with it on random members and rules, on SQLite and PostgreSQL.

Erased members (privacy requests) are never in a segment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from domain.models import Member, Program, Purchase, Segment
from domain.segments.rules import (
    CURRENT_MONTH,
    Condition,
    Field,
    Match,
    Op,
    Rule,
    is_tag,
    parse_rule,
    window_start,
)
from domain.segments.sources import activity_model, local_midnight, program_today

MAX_SAMPLE = 50


@dataclass
class _Translation:
    """The Q of each condition, and the raw SQL columns some of them compare against."""

    program: Program
    today: date
    dialect: str
    annotations: dict[str, RawSQL]

    def since(self, days: int) -> datetime:
        return local_midnight(self.program, window_start(self.today, days))

    def spent_at_least(self, amount: int) -> Q:
        if amount <= 0:
            # everyone has spent at least nothing; an empty Q() would vanish inside an OR
            return Q(id__isnull=False)
        spenders = (
            Purchase.filter(program_id=self.program.id, reversed_at__isnull=True)
            .annotate(total=Sum("amount"))
            .group_by("member_id")
            .filter(total__gte=amount)
            .values("member_id")
        )
        return Q(id__in=Subquery(spenders))

    def amount(self, column: str, op: Op, value: object) -> Q:
        if column == "lifetime_spend":
            low, high = value if op == Op.BETWEEN else (value, None) if op == Op.GTE else (0, value)
            q = self.spent_at_least(int(low))  # type: ignore[arg-type]
            if high is not None:
                q &= ~self.spent_at_least(int(high) + 1)  # type: ignore[arg-type]
            return q
        if op == Op.GTE:
            return Q(points_balance__gte=value)
        if op == Op.LTE:
            return Q(points_balance__lte=value)
        low, high = value  # type: ignore[misc]
        return Q(points_balance__gte=low, points_balance__lte=high)

    def active_within(self, days: int) -> Q:
        since = self.since(days)
        bought = Purchase.filter(program_id=self.program.id, occurred_at__gte=since).values("member_id")
        did = activity_model().filter(program_id=self.program.id, occurred_at__gte=since).values("member_id")
        return Q(id__in=Subquery(bought)) | Q(id__in=Subquery(did))

    def sustainable(self, count: int, days: int) -> Q:
        doers = (
            activity_model()
            .filter(program_id=self.program.id, impact_amount__gt=0, occurred_at__gte=self.since(days))
            .annotate(done=Count("id"))
            .group_by("member_id")
            .filter(done__gte=count)
            .values("member_id")
        )
        return Q(id__in=Subquery(doers))

    def raw_flag(self, sql: str) -> Q:
        """A 0/1 column computed by `sql`; Q on it being 1."""
        name = f"segment_flag_{len(self.annotations)}"
        self.annotations[name] = RawSQL(sql)
        return Q(**{name: 1})

    def birthday_in(self, month: int) -> Q:
        # Neither backend shares the other's month extraction; both are plain SQL.
        if self.dialect == "sqlite":
            sql = f"CASE WHEN CAST(strftime('%m', \"member\".\"birthday\") AS INTEGER) = {month:d} THEN 1 ELSE 0 END"
        else:
            sql = f'CASE WHEN EXTRACT(MONTH FROM "member"."birthday") = {month:d} THEN 1 ELSE 0 END'
        return self.raw_flag(sql)

    def tagged(self, tag: str) -> Q:
        # Tags are validated to [a-z0-9_-], so the literal cannot break out of its quotes.
        if not is_tag(tag):
            raise ValueError(f"not a tag: {tag!r}")
        if self.dialect == "sqlite":
            sql = f"CASE WHEN EXISTS (SELECT 1 FROM json_each(\"member\".\"tags\") WHERE value = '{tag}') THEN 1 ELSE 0 END"
        else:
            sql = f"CASE WHEN \"member\".\"tags\" @> '{json.dumps([tag])}'::jsonb THEN 1 ELSE 0 END"
        return self.raw_flag(sql)

    def condition(self, c: Condition) -> Q:
        match c.field:
            case Field.TIER:
                inside = Q(tier_id__in=list(c.value))
                return inside if c.op == Op.IN else Q(tier_id__isnull=True) | ~inside
            case Field.BALANCE:
                return self.amount("points_balance", c.op, c.value)
            case Field.LIFETIME_SPEND:
                return self.amount("lifetime_spend", c.op, c.value)
            case Field.LAST_ACTIVITY_WITHIN_DAYS:
                recent = self.active_within(c.value)
                return recent if c.op == Op.WITHIN else ~recent
            case Field.BIRTHDAY_MONTH:
                return self.birthday_in(self.today.month if c.value == CURRENT_MONTH else c.value)
            case Field.TAG:
                has = self.tagged(c.value)
                return has if c.op == Op.HAS else ~has
            case Field.SUSTAINABILITY_ACTIVITY:
                return self.sustainable(c.value.count, c.value.days)
        raise AssertionError(f"unhandled field {c.field}")


def members_matching(program: Program, rule: Rule, today: date) -> QuerySet[Member]:
    """The program's members the rule admits on `today`, as one query."""
    translation = _Translation(program, today, Member._meta.db.capabilities.dialect, {})
    parts = [translation.condition(c) for c in rule.conditions]
    combined = Q(*parts, join_type=Q.AND if rule.match == Match.ALL else Q.OR)
    query = Member.filter(program_id=program.id, erased_at__isnull=True)
    if translation.annotations:
        query = query.annotate(**translation.annotations)
    return query.filter(combined)


async def segment_size(program: Program, segment: Segment, now: datetime) -> int:
    rule = parse_rule(segment.rule)
    return await members_matching(program, rule, program_today(program, now)).count()


async def segment_sample(program: Program, segment: Segment, limit: int, now: datetime) -> list[Member]:
    """Up to `limit` members, ordered by id: member ids are random UUIDs, so this is an
    arbitrary but stable sample that a marketer sees the same on every refresh."""
    rule = parse_rule(segment.rule)
    limit = max(0, min(limit, MAX_SAMPLE))
    return await members_matching(program, rule, program_today(program, now)).order_by("id").limit(limit)
