"""Segment rules: their shape, their validation and their evaluation over member facts.

Pure: no I/O. A rule is `{"match": "ALL" | "ANY", "conditions": [{field, op, value}]}`,
stored as JSON on the segment. Windows ("within N days") are calendar days in the
program's time zone, counting today: within 1 day means today, within 7 days means today
and the six days before it. domain.segments.preview translates the same rule to SQL; a
property test proves the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from domain.errors import Problems

MAX_CONDITIONS = 20
MAX_WINDOW_DAYS = 3650
MAX_AMOUNT = 10**15  # points or minor units; far above anything real, far below overflow
MAX_TIERS = 50
CURRENT_MONTH = "CURRENT"
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
TAG_RULE = "1 to 32 lowercase letters, digits, - or _, starting with a letter or digit"


class Match(StrEnum):
    ALL = "ALL"
    ANY = "ANY"


class Field(StrEnum):
    TIER = "TIER"
    BALANCE = "BALANCE"
    LIFETIME_SPEND = "LIFETIME_SPEND"
    LAST_ACTIVITY_WITHIN_DAYS = "LAST_ACTIVITY_WITHIN_DAYS"
    BIRTHDAY_MONTH = "BIRTHDAY_MONTH"
    TAG = "TAG"
    SUSTAINABILITY_ACTIVITY = "SUSTAINABILITY_ACTIVITY"


class Op(StrEnum):
    IN = "IN"
    NOT_IN = "NOT_IN"
    GTE = "GTE"
    LTE = "LTE"
    BETWEEN = "BETWEEN"
    WITHIN = "WITHIN"
    NOT_WITHIN = "NOT_WITHIN"
    EQ = "EQ"
    HAS = "HAS"
    HAS_NOT = "HAS_NOT"
    AT_LEAST = "AT_LEAST"


OPS: dict[Field, tuple[Op, ...]] = {
    Field.TIER: (Op.IN, Op.NOT_IN),
    Field.BALANCE: (Op.GTE, Op.LTE, Op.BETWEEN),
    Field.LIFETIME_SPEND: (Op.GTE, Op.LTE, Op.BETWEEN),
    Field.LAST_ACTIVITY_WITHIN_DAYS: (Op.WITHIN, Op.NOT_WITHIN),
    Field.BIRTHDAY_MONTH: (Op.EQ,),
    Field.TAG: (Op.HAS, Op.HAS_NOT),
    Field.SUSTAINABILITY_ACTIVITY: (Op.AT_LEAST,),
}


@dataclass(frozen=True)
class ActivityCount:
    """SUSTAINABILITY_ACTIVITY's value: at least `count` activities within `days` days."""

    count: int
    days: int


@dataclass(frozen=True)
class Condition:
    field: Field
    op: Op
    # TIER: tuple of tier ids; BALANCE/LIFETIME_SPEND: int or (low, high);
    # LAST_ACTIVITY_WITHIN_DAYS: days; BIRTHDAY_MONTH: 1-12 or CURRENT; TAG: the tag;
    # SUSTAINABILITY_ACTIVITY: ActivityCount.
    value: Any


@dataclass(frozen=True)
class Rule:
    match: Match
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class MemberFacts:
    """What a rule can ask about one member, as of one day."""

    tier_id: int | None = None
    balance: int = 0
    lifetime_spend: int = 0  # purchases not reversed, minor units
    last_activity_on: date | None = None  # latest purchase or activity, program-local date
    birthday: date | None = None
    tags: frozenset[str] = frozenset()
    # window in days -> sustainability activities in that window (the rule's windows only)
    sustainability_counts: Mapping[int, int] = field(default_factory=dict)


def window_start(today: date, days: int) -> date:
    """First program-local day of a window of `days` days that ends today."""
    return today - timedelta(days=days - 1)


def is_tag(raw: object) -> bool:
    return isinstance(raw, str) and TAG_PATTERN.match(raw) is not None


# ---- validation -------------------------------------------------------------------


def _is_int(raw: object) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool)


def _amount(raw: object, path: str, problems: Problems) -> int | None:
    if not _is_int(raw):
        problems.add(path, "must be a whole number")
        return None
    assert isinstance(raw, int)
    if not 0 <= raw <= MAX_AMOUNT:
        problems.add(path, f"must be between 0 and {MAX_AMOUNT}")
        return None
    return raw


def _days(raw: object, path: str, problems: Problems) -> int | None:
    if not _is_int(raw) or not 1 <= raw <= MAX_WINDOW_DAYS:  # type: ignore[operator]
        problems.add(path, f"must be a whole number of days from 1 to {MAX_WINDOW_DAYS}")
        return None
    return int(raw)  # type: ignore[arg-type]


def _value(fld: Field, op: Op, raw: Any, path: str, problems: Problems) -> Any:
    if fld == Field.TIER:
        if not isinstance(raw, list) or not raw or len(raw) > MAX_TIERS:
            problems.add(path, f"must be a list of 1 to {MAX_TIERS} tier ids")
            return None
        if not all(_is_int(v) or (isinstance(v, str) and v.isascii() and v.isdigit()) for v in raw):
            problems.add(path, "must list tier ids (numbers)")
            return None
        return tuple(sorted({int(v) for v in raw}))
    if fld in (Field.BALANCE, Field.LIFETIME_SPEND):
        if op == Op.BETWEEN:
            if not isinstance(raw, list) or len(raw) != 2:
                problems.add(path, "must be a pair [low, high]")
                return None
            low = _amount(raw[0], f"{path}.0", problems)
            high = _amount(raw[1], f"{path}.1", problems)
            if low is None or high is None:
                return None
            if low > high:
                problems.add(path, "low must not be above high")
                return None
            return (low, high)
        return _amount(raw, path, problems)
    if fld == Field.LAST_ACTIVITY_WITHIN_DAYS:
        return _days(raw, path, problems)
    if fld == Field.BIRTHDAY_MONTH:
        if raw == CURRENT_MONTH:
            return CURRENT_MONTH
        if not _is_int(raw) or not 1 <= raw <= 12:
            problems.add(path, f"must be a month number 1-12 or {CURRENT_MONTH!r}")
            return None
        return raw
    if fld == Field.TAG:
        if not is_tag(raw):
            problems.add(path, f"must be a tag: {TAG_RULE}")
            return None
        return raw
    # SUSTAINABILITY_ACTIVITY
    if not isinstance(raw, dict) or set(raw) != {"count", "days"}:
        problems.add(path, 'must be {"count": N, "days": D}')
        return None
    count = raw["count"]
    if not _is_int(count) or not 1 <= count <= 10_000:
        problems.add(f"{path}.count", "must be a whole number from 1 to 10000")
        count = None
    days = _days(raw["days"], f"{path}.days", problems)
    if count is None or days is None:
        return None
    return ActivityCount(count, days)


def parse_rule(raw: Any, path: str = "rule") -> Rule:
    """The rule, or InvalidInput naming every bad part (`rule.conditions.2.field`)."""
    problems = Problems()
    if not isinstance(raw, dict):
        problems.add(path, 'must be {"match": "ALL" | "ANY", "conditions": [...]}')
        problems.raise_if_any()
    match_raw = raw.get("match", Match.ALL.value)
    if match_raw not in Match.__members__:
        problems.add(f"{path}.match", f"must be one of {', '.join(Match)}")
    unknown = set(raw) - {"match", "conditions"}
    if unknown:
        problems.add(path, f"unknown keys: {', '.join(sorted(unknown))}")
    conditions_raw = raw.get("conditions")
    conditions: list[Condition] = []
    if not isinstance(conditions_raw, list) or not conditions_raw:
        problems.add(f"{path}.conditions", "must list at least one condition")
    elif len(conditions_raw) > MAX_CONDITIONS:
        problems.add(f"{path}.conditions", f"at most {MAX_CONDITIONS} conditions")
    else:
        for i, item in enumerate(conditions_raw):
            condition = parse_condition(item, f"{path}.conditions.{i}", problems)
            if condition is not None:
                conditions.append(condition)
    problems.raise_if_any()
    return Rule(Match(match_raw), tuple(conditions))


def parse_condition(raw: Any, path: str, problems: Problems) -> Condition | None:
    if not isinstance(raw, dict):
        problems.add(path, 'must be {"field": ..., "op": ..., "value": ...}')
        return None
    field_raw, op_raw = raw.get("field"), raw.get("op")
    if field_raw not in Field.__members__:
        problems.add(f"{path}.field", f"unknown field {field_raw!r}; one of {', '.join(Field)}")
        return None
    fld = Field(field_raw)
    allowed = OPS[fld]
    if op_raw not in allowed:
        problems.add(f"{path}.op", f"{op_raw!r} does not apply to {fld}; one of {', '.join(allowed)}")
        return None
    op = Op(op_raw)
    if "value" not in raw:
        problems.add(f"{path}.value", "is required")
        return None
    value = _value(fld, op, raw["value"], f"{path}.value", problems)
    return None if value is None else Condition(fld, op, value)


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """The stored form; parse_rule(rule_to_json(r)) == r."""
    return {"match": rule.match.value, "conditions": [condition_to_json(c) for c in rule.conditions]}


def condition_to_json(condition: Condition) -> dict[str, Any]:
    value = condition.value
    if isinstance(value, tuple):
        value = list(value)
    elif isinstance(value, ActivityCount):
        value = {"count": value.count, "days": value.days}
    return {"field": condition.field.value, "op": condition.op.value, "value": value}


def sustainability_windows(rule: Rule) -> set[int]:
    """The windows (days) whose sustainability counts the rule needs in its facts."""
    return {c.value.days for c in rule.conditions if c.field == Field.SUSTAINABILITY_ACTIVITY}


def tier_ids(rule: Rule) -> set[int]:
    return {t for c in rule.conditions if c.field == Field.TIER for t in c.value}


# ---- evaluation -------------------------------------------------------------------


def _in_range(amount: int, op: Op, value: Any) -> bool:
    if op == Op.GTE:
        return amount >= value
    if op == Op.LTE:
        return amount <= value
    low, high = value
    return low <= amount <= high


def holds(condition: Condition, facts: MemberFacts, today: date) -> bool:
    op, value = condition.op, condition.value
    match condition.field:
        case Field.TIER:
            inside = facts.tier_id is not None and facts.tier_id in value
            return inside if op == Op.IN else not inside
        case Field.BALANCE:
            return _in_range(facts.balance, op, value)
        case Field.LIFETIME_SPEND:
            return _in_range(facts.lifetime_spend, op, value)
        case Field.LAST_ACTIVITY_WITHIN_DAYS:
            recent = facts.last_activity_on is not None and facts.last_activity_on >= window_start(today, value)
            return recent if op == Op.WITHIN else not recent
        case Field.BIRTHDAY_MONTH:
            month = today.month if value == CURRENT_MONTH else value
            return facts.birthday is not None and facts.birthday.month == month
        case Field.TAG:
            return (value in facts.tags) == (op == Op.HAS)
        case Field.SUSTAINABILITY_ACTIVITY:
            return facts.sustainability_counts.get(value.days, 0) >= value.count
    raise AssertionError(f"unhandled field {condition.field}")


def matches(rule: Rule, facts: MemberFacts, today: date) -> bool:
    """Does a member with these facts belong, on `today` (a program-local date)?"""
    results = (holds(c, facts, today) for c in rule.conditions)
    return all(results) if rule.match == Match.ALL else any(results)
