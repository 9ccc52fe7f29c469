"""Recording activities and the activity types of a program (challenges.activities), on the database."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from challenges import activities
from challenges.activities import ActivityReport, ActivityTypeSpec
from challenges.activity_catalog import CATALOG, ImpactUnit
from challenges.events import ActivityRecorded
from challenges.models import Activity, ActivityType
from domain.errors import IdempotencyConflict, InvalidInput, NotFound
from domain.events import event_bus
from domain.models import AuditEntry, IdempotencyRecord
from tests import factories
from tests.conftest import requires_postgres
from tests.factories import NOW


@pytest.fixture
def published():
    """ActivityRecorded events, as the challenge handlers would see them."""
    seen: list[ActivityRecorded] = []

    async def handler(event: ActivityRecorded) -> None:
        seen.append(event)

    event_bus.subscribe(ActivityRecorded, handler)
    yield seen
    event_bus.unsubscribe(ActivityRecorded, handler)


def report(member_id: object, type_code: str = "RECYCLE", **changes: object) -> ActivityReport:
    base = ActivityReport(str(member_id), type_code, NOW - timedelta(minutes=3), factories.next_key("scan"), {"count": 2})
    return dataclasses.replace(base, **changes)


async def rows() -> tuple[int, int, int]:
    return await Activity.all().count(), await IdempotencyRecord.all().count(), await AuditEntry.all().count()


async def test_recycling_counts_its_items_as_impact_and_tells_the_challenges(program, published):
    # given a member
    someone = await factories.member(program)
    # when a recycling machine reports 2 bottles
    outcome = await activities.record_activity(program, report(someone.id, attributes={"count": 2, "machine": "m-7"}), NOW)
    # then the activity is stored with its impact
    stored = await Activity.get(id=outcome.activity_id)
    assert (stored.type_code, stored.impact_unit, stored.impact_amount) == ("RECYCLE", "items_recycled", 2)
    assert stored.attributes == {"count": 2, "machine": "m-7"}
    assert (outcome.impact_unit, outcome.impact_amount, outcome.member_id) == ("items_recycled", 2, str(someone.id))
    # and challenges heard of it, with what they need to count it
    assert published == [ActivityRecorded(program.id, str(someone.id), stored.id, "RECYCLE", {"count": 2, "machine": "m-7"},
                                          "items_recycled", 2, NOW - timedelta(minutes=3))]


async def test_replaying_an_activity_returns_the_first_result_and_counts_nothing_twice(program, published):
    # given an activity recorded once
    someone = await factories.member(program)
    first_report = report(someone.id)
    first = await activities.record_activity(program, first_report, NOW)
    before = await rows()
    # when the integration retries it with the same key, later
    again = await activities.record_activity(program, first_report, NOW + timedelta(minutes=5))
    # then the same result comes back, nothing is written and nobody hears of it twice
    assert again == first
    assert await rows() == before
    assert len(published) == 1


async def test_the_same_key_with_another_activity_is_a_conflict(program):
    someone = await factories.member(program)
    first = report(someone.id)
    await activities.record_activity(program, first, NOW)
    with pytest.raises(IdempotencyConflict):
        await activities.record_activity(program, dataclasses.replace(first, attributes={"count": 3}), NOW)
    assert await Activity.all().count() == 1


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"type_code": "TELEPORT"}, "type"),
        ({"type_code": " "}, "type"),
        ({"type_code": "X" * 65}, "type"),
        ({"member_id": "not-a-uuid"}, "memberId"),
        ({"occurred_at": NOW + timedelta(hours=1)}, "occurredAt"),
        ({"occurred_at": (NOW - timedelta(hours=1)).replace(tzinfo=None)}, "occurredAt"),
        ({"attributes": ["count", 2]}, "attributes"),
        ({"attributes": {"note": "x" * 5000}}, "attributes"),
        ({"attributes": {"weight": float("nan")}}, "attributes"),  # Python's JSON parser lets NaN in
        ({"idempotency_key": "  "}, "idempotencyKey"),
        ({"attributes": {"count": -1}}, "attributes.count"),
        ({"type_code": "PUBLIC_TRANSPORT", "attributes": {}}, "attributes.distanceKm"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(program, published, changes, path):
    # given a member and nothing recorded
    someone = await factories.member(program)
    before = await rows()
    # when an integration reports something malformed
    with pytest.raises(InvalidInput) as raised:
        await activities.record_activity(program, dataclasses.replace(report(someone.id), **changes), NOW)
    # then the problem names the field, and nothing was written or announced
    assert [p.path for p in raised.value.problems] == [path]
    assert await rows() == before
    assert published == []


async def test_every_problem_is_reported_at_once(program):
    bad = report("nope", type_code="", occurred_at=NOW + timedelta(days=1), attributes=7, idempotency_key="")
    with pytest.raises(InvalidInput) as raised:
        await activities.record_activity(program, bad, NOW)
    assert {p.path for p in raised.value.problems} == {"memberId", "type", "occurredAt", "attributes", "idempotencyKey"}


async def test_an_unknown_member_is_not_found_and_nothing_is_written(program):
    with pytest.raises(NotFound):
        await activities.record_activity(program, report("00000000-0000-4000-8000-000000000000"), NOW)
    assert await rows() == (0, 0, 0)


async def test_a_failing_challenge_handler_rolls_the_activity_back(program):
    # given a handler of the activity's transaction that fails
    someone = await factories.member(program)

    async def broken(event: ActivityRecorded) -> None:
        raise RuntimeError("challenge store down")

    event_bus.subscribe(ActivityRecorded, broken)
    try:
        # when an activity is recorded
        with pytest.raises(RuntimeError):
            await activities.record_activity(program, report(someone.id), NOW)
    finally:
        event_bus.unsubscribe(ActivityRecorded, broken)
    # then neither the activity nor its idempotency record remains
    assert (await Activity.all().count(), await IdempotencyRecord.all().count()) == (0, 0)


async def test_every_program_gets_the_built_in_types_once_on_first_use(program):
    # given a program that never recorded an activity
    assert await ActivityType.filter(program_id=program.id).count() == 0
    # when its types are listed twice
    first = await activities.list_activity_types(program)
    second = await activities.list_activity_types(program)
    # then the built-in catalog is there, once, with impacts and who may report each
    assert [t.code for t in first] == [t.code for t in second] == sorted(t.code for t in CATALOG)
    cup = next(t for t in first if t.code == "REUSABLE_CUP")
    assert (cup.impact_unit, cup.impact_per_activity, cup.member_reportable, cup.custom) == ("co2_grams", 30, False, False)
    assert {t.code for t in first if t.member_reportable} == {"CHECK_IN", "REVIEW", "SURVEY"}


@requires_postgres
async def test_concurrent_first_uses_seed_the_catalog_once(program):
    await asyncio.gather(*(activities.seed_catalog(program.id) for _ in range(5)))
    assert await ActivityType.filter(program_id=program.id).count() == len(CATALOG)


async def test_a_marketers_custom_type_counts_its_fixed_impact_and_is_audited(program):
    # given a custom type "beach clean-up" worth 500 g of CO2
    spec = ActivityTypeSpec("BEACH_CLEANUP", "Beach clean-up", ImpactUnit.CO2_GRAMS, 500)
    created = await activities.create_activity_type(program, spec, "marketer:ann", NOW)
    someone = await factories.member(program)
    # when a partner reports one
    outcome = await factories.activity(program, someone.id, "BEACH_CLEANUP", {"count": 40})
    # then it counts the type's impact per activity, and the definition was audited
    assert (outcome.impact_unit, outcome.impact_amount) == ("co2_grams", 500)
    assert created.custom
    audit = await AuditEntry.get(action="createActivityType")
    assert (audit.actor, audit.target) == ("marketer:ann", f"activity_type:{created.id}")


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        (ActivityTypeSpec("RECYCLE", "Mine"), "code"),
        (ActivityTypeSpec("beach cleanup", "Beach"), "code"),
        (ActivityTypeSpec("BEACH", " "), "name"),
        (ActivityTypeSpec("BEACH", "Beach", None, 5), "impactUnit"),
        (ActivityTypeSpec("BEACH", "Beach", ImpactUnit.CO2_GRAMS, 0), "impactPerActivity"),
        (ActivityTypeSpec("BEACH", "Beach", ImpactUnit.CO2_GRAMS, -5), "impactPerActivity"),
    ],
)
async def test_a_bad_custom_type_names_the_field_and_writes_nothing(program, spec, path):
    with pytest.raises(InvalidInput) as raised:
        await activities.create_activity_type(program, spec, "marketer:ann", NOW)
    assert [p.path for p in raised.value.problems] == [path]
    assert await ActivityType.filter(custom=True).count() == 0
    assert await AuditEntry.all().count() == 0


async def test_a_custom_code_can_be_defined_once(program):
    spec = ActivityTypeSpec("BEACH_CLEANUP", "Beach clean-up")
    await activities.create_activity_type(program, spec, "marketer:ann", NOW)
    with pytest.raises(InvalidInput) as raised:
        await activities.create_activity_type(program, spec, "marketer:bob", NOW)
    assert [p.path for p in raised.value.problems] == ["code"]
    assert await ActivityType.filter(code="BEACH_CLEANUP").count() == 1


async def test_members_report_only_app_side_types_themselves(program):
    # given a member using the app
    someone = await factories.member(program)
    # when they report a survey, then a recycling
    survey = await activities.record_activity(program, report(someone.id, "SURVEY", attributes={}), NOW, self_reported=True)
    with pytest.raises(InvalidInput) as raised:
        await activities.record_activity(program, report(someone.id, "RECYCLE"), NOW, self_reported=True)
    # then the survey counts, and recycling needs a machine or a till to witness it
    assert survey.type_code == "SURVEY"
    assert [p.path for p in raised.value.problems] == ["type"]
    assert await Activity.all().count() == 1


async def test_a_members_impact_sums_their_own_activities_per_unit(program):
    # given two members' sustainable activities
    someone, other = await factories.member(program), await factories.member(program)
    await factories.activity(program, someone.id, "RECYCLE", {"count": 4})
    await factories.activity(program, someone.id, "RECYCLE")
    await factories.activity(program, someone.id, "REUSABLE_CUP")
    await factories.activity(program, someone.id, "PUBLIC_TRANSPORT", {"distanceKm": 7.3})
    await factories.activity(program, someone.id, "VISIT")
    await factories.activity(program, other.id, "E_RECEIPT")
    # when their totals are read
    totals = await activities.impact_totals(str(someone.id))
    # then each unit is summed over the member's own activities
    assert totals == {"items_recycled": 5, "co2_grams": 30 + 730}
    assert await activities.impact_totals(str(other.id)) == {"paper_grams": 3}
