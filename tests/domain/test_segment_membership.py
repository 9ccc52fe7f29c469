"""member_in_segment: a member's current facts against a stored segment's rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import InvalidInput, NotFound
from domain.models import AuditEntry, Member, Program, Segment
from domain.segments.catalog import SegmentSpec, create_segment, update_segment
from domain.segments.membership import member_in_segment
from tests import factories
from tests.factories import NOW


def spend_at_least(amount: int) -> dict:
    return {"match": "ALL", "conditions": [{"field": "LIFETIME_SPEND", "op": "GTE", "value": amount}]}


async def test_a_member_enters_a_spend_segment_once_their_purchases_reach_it(program: Program) -> None:
    # given a segment of members who spent at least 50.00 and a member who spent 30.00
    segment = await create_segment(program, SegmentSpec("Spenders", spend_at_least(50_00)), "marketer:1", NOW)
    member = await factories.member(program)
    await factories.purchase(program, member.id, 30_00)
    assert not await member_in_segment(program, segment.id, member, NOW)
    # when they spend 20.00 more
    await factories.purchase(program, member.id, 20_00)
    # then they are in
    assert await member_in_segment(program, segment.id, member, NOW)


async def test_returned_purchases_do_not_count_as_spend(program: Program) -> None:
    from domain.purchases import reverse_purchase

    segment = await create_segment(program, SegmentSpec("Spenders", spend_at_least(50_00)), "marketer:1", NOW)
    member = await factories.member(program)
    bought = await factories.purchase(program, member.id, 60_00)
    assert await member_in_segment(program, segment.id, member, NOW)
    await reverse_purchase(program, bought.purchase_id, "returned", factories.next_key(), "integration", NOW)
    assert not await member_in_segment(program, segment.id, member, NOW)


async def test_tags_and_activity_windows_decide_membership(program: Program) -> None:
    # given "coffee lovers active in the last 7 days"
    rule = {
        "match": "ALL",
        "conditions": [
            {"field": "TAG", "op": "HAS", "value": "coffee"},
            {"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "WITHIN", "value": 7},
        ],
    }
    segment = await create_segment(program, SegmentSpec("Coffee", rule), "marketer:1", NOW)
    member = await factories.member(program)
    await Member.filter(id=member.id).update(tags=["coffee"])
    member = await Member.get(id=member.id)
    await factories.purchase(program, member.id, 5_00, now=NOW - timedelta(days=10))
    # then a purchase 10 days ago is too old, one today is recent enough
    assert not await member_in_segment(program, segment.id, member, NOW)
    await factories.purchase(program, member.id, 5_00, now=NOW)
    assert await member_in_segment(program, segment.id, member, NOW)


async def test_an_unknown_or_foreign_segment_is_not_found(program: Program) -> None:
    other = await Program.create(code="other", name="Other")
    foreign = await create_segment(other, SegmentSpec("Theirs", spend_at_least(1)), "marketer:1", NOW)
    member = await factories.member(program)
    for segment_id in (foreign.id, 999_999, 2**40):
        with pytest.raises(NotFound):
            await member_in_segment(program, segment_id, member, NOW)


async def test_a_bad_rule_names_each_field_and_writes_nothing(program: Program) -> None:
    rule = {"match": "ALL", "conditions": [
        {"field": "BALANCE", "op": "GTE", "value": 10},
        {"field": "TIER", "op": "IN", "value": [424242]},
        {"field": "SHOE_SIZE", "op": "EQ", "value": 42},
    ]}
    with pytest.raises(InvalidInput) as bad:
        await create_segment(program, SegmentSpec(" ", rule), "marketer:1", NOW)
    assert {p.path for p in bad.value.problems} == {"name", "rule.conditions.2.field"}
    # a well-formed rule is then checked against the program's tiers
    del rule["conditions"][2]
    with pytest.raises(InvalidInput) as bad:
        await create_segment(program, SegmentSpec(" ", rule), "marketer:1", NOW)
    assert {p.path for p in bad.value.problems} == {"name", "rule.conditions.1.value"}
    assert await Segment.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_updating_a_segment_changes_who_is_in_and_is_audited(program: Program) -> None:
    segment = await create_segment(program, SegmentSpec("Spenders", spend_at_least(50_00)), "marketer:1", NOW)
    member = await factories.member(program)
    await factories.purchase(program, member.id, 20_00)
    await update_segment(program, segment.id, SegmentSpec("Spenders", spend_at_least(10_00)), "marketer:2", NOW)
    assert await member_in_segment(program, segment.id, member, NOW)
    actions = await AuditEntry.filter(target=f"segment:{segment.id}").order_by("id").values_list("action", "actor")
    assert actions == [("createSegment", "marketer:1"), ("updateSegment", "marketer:2")]


async def test_segment_names_are_unique_per_program(program: Program) -> None:
    await create_segment(program, SegmentSpec("Spenders", spend_at_least(1)), "marketer:1", NOW)
    with pytest.raises(InvalidInput) as bad:
        await create_segment(program, SegmentSpec("Spenders", spend_at_least(2)), "marketer:1", NOW)
    assert bad.value.problems[0].path == "name"


async def test_a_preview_counts_in_one_statement_and_leaves_erased_members_out(program: Program) -> None:
    from domain.segments.preview import segment_sample, segment_size
    from tests.sql_statements import counting_statements

    # given a rule mixing every kind of condition, and three members who all match it
    rule = {"match": "ALL", "conditions": [
        {"field": "LIFETIME_SPEND", "op": "BETWEEN", "value": [1, 10_000_00]},
        {"field": "LAST_ACTIVITY_WITHIN_DAYS", "op": "WITHIN", "value": 30},
        {"field": "TAG", "op": "HAS_NOT", "value": "staff"},
        {"field": "BALANCE", "op": "GTE", "value": 0},
    ]}
    segment = await create_segment(program, SegmentSpec("Recent buyers", rule), "marketer:1", NOW)
    members = [await factories.member(program) for _ in range(3)]
    for m in members:
        await factories.purchase(program, m.id, 5_00)
    await Member.filter(id=members[0].id).update(erased_at=NOW)
    # when a marketer previews it
    with counting_statements() as statements:
        size = await segment_size(program, segment, NOW)
    # then one query counts it, and the erased member is neither counted nor sampled
    assert size == 2
    assert len(statements) == 1
    sample = await segment_sample(program, segment, 10, NOW)
    assert sorted(str(m.id) for m in sample) == sorted(str(m.id) for m in members[1:])
    assert not await member_in_segment(program, segment.id, await Member.get(id=members[0].id), NOW)
