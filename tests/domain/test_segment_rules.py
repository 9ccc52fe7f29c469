"""Segment rules without a database: validation names each bad part, evaluation is exact."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.segments.rules import (
    ActivityCount,
    Field,
    MemberFacts,
    Op,
    matches,
    parse_rule,
    rule_to_json,
)

TODAY = date(2026, 6, 15)


def rule(*conditions: dict, match: str = "ALL") -> dict:
    return {"match": match, "conditions": list(conditions)}


def problems(raw: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as bad:
        parse_rule(raw)
    return {p.path: p.message for p in bad.value.problems}


def test_every_bad_condition_is_named_by_its_input_path() -> None:
    found = problems(rule(
        {"field": "BALANCE", "op": "GTE", "value": 10},
        {"field": "BALANCE", "op": "WITHIN", "value": 10},
        {"field": "SHOE_SIZE", "op": "EQ", "value": 42},
        {"field": "BALANCE", "op": "GTE", "value": "lots"},
        {"field": "BALANCE", "op": "BETWEEN", "value": [9, 3]},
        {"field": "BIRTHDAY_MONTH", "op": "EQ", "value": 13},
        {"field": "TAG", "op": "HAS", "value": "Coffee Lovers"},
        {"field": "SUSTAINABILITY_ACTIVITY", "op": "AT_LEAST", "value": {"count": 0, "days": 30}},
        {"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "WITHIN", "value": 0},
        {"field": "TIER", "op": "IN", "value": []},
        {"field": "BALANCE", "op": "GTE"},
        match="SOME",
    ))
    assert set(found) == {
        "rule.match",
        "rule.conditions.1.op",
        "rule.conditions.2.field",
        "rule.conditions.3.value",
        "rule.conditions.4.value",
        "rule.conditions.5.value",
        "rule.conditions.6.value",
        "rule.conditions.7.value.count",
        "rule.conditions.8.value",
        "rule.conditions.9.value",
        "rule.conditions.10.value",
    }
    assert "SHOE_SIZE" in found["rule.conditions.2.field"]


def test_a_rule_needs_conditions_and_known_keys() -> None:
    assert set(problems({"match": "ALL", "conditions": []})) == {"rule.conditions"}
    assert set(problems({"conditions": [{"field": "TAG", "op": "HAS", "value": "x"}], "extra": 1})) == {"rule"}
    assert set(problems([1, 2])) == {"rule"}
    assert set(problems(rule(*[{"field": "TAG", "op": "HAS", "value": "x"}] * 21))) == {"rule.conditions"}


def test_booleans_are_not_numbers() -> None:
    assert set(problems(rule({"field": "BALANCE", "op": "GTE", "value": True}))) == {"rule.conditions.0.value"}


def test_stored_form_parses_back_to_the_same_rule() -> None:
    parsed = parse_rule(rule(
        {"field": "TIER", "op": "IN", "value": [3, 1, 3]},
        {"field": "LIFETIME_SPEND", "op": "BETWEEN", "value": [100, 500]},
        {"field": "SUSTAINABILITY_ACTIVITY", "op": "AT_LEAST", "value": {"count": 2, "days": 30}},
        match="ANY",
    ))
    assert parsed.conditions[0].value == (1, 3)
    assert parsed.conditions[2].value == ActivityCount(2, 30)
    assert parse_rule(rule_to_json(parsed)) == parsed


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ({"field": "TIER", "op": "IN", "value": [2, 3]}, MemberFacts(tier_id=2), True),
        ({"field": "TIER", "op": "IN", "value": [2, 3]}, MemberFacts(tier_id=None), False),
        ({"field": "TIER", "op": "NOT_IN", "value": [2, 3]}, MemberFacts(tier_id=None), True),
        ({"field": "BALANCE", "op": "GTE", "value": 100}, MemberFacts(balance=100), True),
        ({"field": "BALANCE", "op": "GTE", "value": 100}, MemberFacts(balance=99), False),
        ({"field": "BALANCE", "op": "LTE", "value": 100}, MemberFacts(balance=101), False),
        ({"field": "LIFETIME_SPEND", "op": "BETWEEN", "value": [10, 20]}, MemberFacts(lifetime_spend=20), True),
        ({"field": "LIFETIME_SPEND", "op": "BETWEEN", "value": [10, 20]}, MemberFacts(lifetime_spend=21), False),
        # within 7 days: today and the 6 days before it
        ({"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "WITHIN", "value": 7}, MemberFacts(last_activity_on=date(2026, 6, 9)), True),
        ({"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "WITHIN", "value": 7}, MemberFacts(last_activity_on=date(2026, 6, 8)), False),
        ({"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "WITHIN", "value": 7}, MemberFacts(), False),
        ({"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "NOT_WITHIN", "value": 30}, MemberFacts(), True),
        ({"field": "BIRTHDAY_MONTH", "op": "EQ", "value": "CURRENT"}, MemberFacts(birthday=date(1990, 6, 30)), True),
        ({"field": "BIRTHDAY_MONTH", "op": "EQ", "value": 7}, MemberFacts(birthday=date(1990, 6, 30)), False),
        ({"field": "BIRTHDAY_MONTH", "op": "EQ", "value": 6}, MemberFacts(), False),
        ({"field": "TAG", "op": "HAS", "value": "coffee"}, MemberFacts(tags=frozenset({"coffee"})), True),
        ({"field": "TAG", "op": "HAS_NOT", "value": "coffee"}, MemberFacts(tags=frozenset({"coffee"})), False),
        (
            {"field": "SUSTAINABILITY_ACTIVITY", "op": "AT_LEAST", "value": {"count": 2, "days": 30}},
            MemberFacts(sustainability_counts={30: 1}),
            False,
        ),
        (
            {"field": "SUSTAINABILITY_ACTIVITY", "op": "AT_LEAST", "value": {"count": 2, "days": 30}},
            MemberFacts(sustainability_counts={30: 2}),
            True,
        ),
    ],
)
def test_each_field_decides_as_documented(condition: dict, facts: MemberFacts, expected: bool) -> None:
    assert matches(parse_rule(rule(condition)), facts, TODAY) is expected


def test_all_needs_every_condition_any_needs_one() -> None:
    rich = {"field": "BALANCE", "op": "GTE", "value": 1000}
    coffee = {"field": "TAG", "op": "HAS", "value": "coffee"}
    facts = MemberFacts(balance=10, tags=frozenset({"coffee"}))
    assert not matches(parse_rule(rule(rich, coffee)), facts, TODAY)
    assert matches(parse_rule(rule(rich, coffee, match="ANY")), facts, TODAY)


def test_every_field_has_operators() -> None:
    from domain.segments.rules import OPS

    assert set(OPS) == set(Field)
    assert all(isinstance(op, Op) for ops in OPS.values() for op in ops)
