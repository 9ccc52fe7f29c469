"""Activities over GraphQL: integrations and members report them, marketers define types,
and members see their sustainability impact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from challenges.models import Activity, ActivityType
from domain.models import IdempotencyRecord
from tests import factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member

RECORD_ACTIVITY = """
mutation Record($input: RecordActivityInput!) {
  recordActivity(input: $input) {
    __typename
    ... on ActivityRecorded { activityId memberId type occurredAt impact { unit amount } }
    ... on InvalidInput { fields { path message } }
    ... on NotFound { entity key }
    ... on IdempotencyConflict { idempotencyKey }
  }
}"""

CREATE_TYPE = """
mutation Create($input: CreateActivityTypeInput!) {
  createActivityType(input: $input) {
    __typename
    ... on ActivityTypeSaved { activityType { code name impactUnit impactPerActivity memberReportable custom } }
    ... on InvalidInput { fields { path message } }
  }
}"""

TYPES = "{ activityTypes { code impactUnit impactPerActivity howMeasured memberReportable custom } }"
IMPACT = "{ me { impact { co2AvoidedGrams itemsRecycled paperSavedGrams } } }"


def recently() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def activity_input(member_id: object | None, type_code: str = "RECYCLE", **changes: object) -> dict:
    given = {"memberId": str(member_id)} if member_id is not None else {}
    return {**given, "type": type_code, "occurredAt": recently(), "attributes": {"count": 3},
            "idempotencyKey": factories.next_key("scan"), **changes}


async def record(gql, input_: dict, as_=INTEGRATION):
    return await gql.execute(RECORD_ACTIVITY, {"input": input_}, as_=as_)


async def written() -> tuple[int, int]:
    return await Activity.all().count(), await IdempotencyRecord.all().count()


async def test_an_integration_records_recycling_and_the_member_sees_the_impact(gql, program):
    # given a member
    someone = await factories.member(program)
    # when a recycling machine reports 3 bottles, a café a reusable cup, the e-shop an e-receipt
    recycled = (await record(gql, activity_input(someone.id))).data["recordActivity"]
    await record(gql, activity_input(someone.id, "REUSABLE_CUP", attributes={}))
    await record(gql, activity_input(someone.id, "E_RECEIPT", attributes={}), as_=ADMIN)
    # then the activity comes back with its impact
    assert recycled["__typename"] == "ActivityRecorded"
    assert (recycled["memberId"], recycled["type"], recycled["impact"]) == (
        str(someone.id), "RECYCLE", {"unit": "ITEMS_RECYCLED", "amount": 3})
    # and the member sees what they saved
    impact = (await gql.execute(IMPACT, as_=member(someone.id))).data["me"]["impact"]
    assert impact == {"co2AvoidedGrams": 30, "itemsRecycled": 3, "paperSavedGrams": 3}


async def test_a_replay_returns_the_first_result_and_another_payload_is_a_conflict(gql, program):
    someone = await factories.member(program)
    first_input = activity_input(someone.id)
    first = (await record(gql, first_input)).data["recordActivity"]
    again = (await record(gql, first_input)).data["recordActivity"]
    clash = (await record(gql, {**first_input, "attributes": {"count": 9}})).data["recordActivity"]
    assert again == first
    assert clash == {"__typename": "IdempotencyConflict", "idempotencyKey": first_input["idempotencyKey"]}
    assert await written() == (1, 1)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"type": "TELEPORT"}, "type"),
        ({"memberId": "42"}, "memberId"),
        ({"occurredAt": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "occurredAt"),
        ({"attributes": [1, 2]}, "attributes"),
        ({"attributes": "three"}, "attributes"),
        ({"attributes": {"blob": "x" * 5000}}, "attributes"),
        ({"idempotencyKey": ""}, "idempotencyKey"),
        ({"attributes": {"note": "a\x00b"}}, "attributes.note"),
        ({"occurredAt": "0026-05-01T10:00:00+00:00"}, "occurredAt"),
        ({"type": "PUBLIC_TRANSPORT", "attributes": {"distanceKm": "far"}}, "attributes.distanceKm"),
    ],
)
async def test_bad_input_is_invalid_input_naming_the_field_and_writes_nothing(gql, program, changes, path):
    someone = await factories.member(program)
    payload = (await record(gql, activity_input(someone.id, **changes))).data["recordActivity"]
    assert payload["__typename"] == "InvalidInput"
    assert [f["path"] for f in payload["fields"]] == [path]
    assert await written() == (0, 0)


async def test_an_integration_must_say_whose_activity_it_is(gql, program):
    payload = (await record(gql, activity_input(None))).data["recordActivity"]
    assert [f["path"] for f in payload["fields"]] == ["memberId"]


async def test_an_unknown_member_is_not_found(gql, program):
    payload = (await record(gql, activity_input("00000000-0000-4000-8000-000000000000"))).data["recordActivity"]
    assert payload == {"__typename": "NotFound", "entity": "member", "key": "00000000-0000-4000-8000-000000000000"}


async def test_a_member_reports_an_app_side_activity_for_themself_only(gql, program):
    # given two members
    someone, other = await factories.member(program), await factories.member(program)
    # when one answers a survey in the app, tries to claim recycling, and to report for the other
    survey = await record(gql, activity_input(None, "SURVEY", attributes={}), as_=member(someone.id))
    own_id = await record(gql, activity_input(someone.id, "CHECK_IN", attributes={}), as_=member(someone.id))
    recycling = await record(gql, activity_input(None, "RECYCLE"), as_=member(someone.id))
    for_other = await record(gql, activity_input(other.id, "SURVEY", attributes={}), as_=member(someone.id))
    # then the survey and check-in count as theirs; recycling needs a witness; the other is refused
    assert survey.data["recordActivity"]["memberId"] == str(someone.id)
    assert own_id.data["recordActivity"]["type"] == "CHECK_IN"
    assert [f["path"] for f in recycling.data["recordActivity"]["fields"]] == ["type"]
    assert for_other.error_codes == ["FORBIDDEN"]
    assert await Activity.filter(member_id=other.id).count() == 0
    assert await Activity.all().count() == 2


async def test_a_member_cannot_take_an_idempotency_key_a_till_will_use(gql, program):
    # given a member who guesses the till's next receipt key and reports a survey with it
    someone, shopper = await factories.member(program), await factories.member(program)
    survey = activity_input(None, "SURVEY", attributes={}, idempotencyKey="till-7-receipt-1001")
    squatted = await record(gql, survey, as_=member(someone.id))
    # when the till then reports its activity with that key
    till = await record(gql, activity_input(shopper.id, "REUSABLE_CUP", attributes={}, idempotencyKey="till-7-receipt-1001"))
    # then both count: the member's keys live in their own space
    assert squatted.data["recordActivity"]["__typename"] == "ActivityRecorded"
    assert till.data["recordActivity"]["memberId"] == str(shopper.id)
    # and the member's own replay still returns their first result, a changed one is a conflict
    again = await record(gql, survey, as_=member(someone.id))
    changed = await record(gql, {**survey, "type": "CHECK_IN"}, as_=member(someone.id))
    assert again.data["recordActivity"]["activityId"] == squatted.data["recordActivity"]["activityId"]
    assert changed.data["recordActivity"] == {"__typename": "IdempotencyConflict", "idempotencyKey": "till-7-receipt-1001"}
    assert await Activity.all().count() == 2


@pytest.mark.parametrize(("caller", "code"), [(None, "UNAUTHENTICATED"), (MARKETER, "FORBIDDEN")])
async def test_only_integrations_admins_and_members_record_activities(gql, program, caller, code):
    someone = await factories.member(program)
    result = await record(gql, activity_input(someone.id), as_=caller)
    assert result.error_codes == [code]
    assert await written() == (0, 0)


async def test_a_marketer_defines_a_custom_type_that_integrations_then_report(gql, program):
    # given a marketer's "beach clean-up" worth 500 g CO2 that members may self-report
    created = await gql.execute(CREATE_TYPE, {"input": {
        "code": "BEACH_CLEANUP", "name": "Beach clean-up", "impactUnit": "CO2_GRAMS",
        "impactPerActivity": 500, "memberReportable": True}}, as_=MARKETER)
    assert created.data["createActivityType"]["activityType"] == {
        "code": "BEACH_CLEANUP", "name": "Beach clean-up", "impactUnit": "CO2_GRAMS",
        "impactPerActivity": 500, "memberReportable": True, "custom": True}
    # when a member reports one
    someone = await factories.member(program)
    reported = await record(gql, activity_input(None, "BEACH_CLEANUP", attributes={}), as_=member(someone.id))
    # then it counts with the type's impact, and the type is listed after the built-ins
    assert reported.data["recordActivity"]["impact"] == {"unit": "CO2_GRAMS", "amount": 500}
    listed = (await gql.execute(TYPES, as_=member(someone.id))).data["activityTypes"]
    assert listed[-1]["code"] == "BEACH_CLEANUP"
    assert [t["code"] for t in listed if not t["custom"]] == [
        "CHECK_IN", "E_RECEIPT", "PUBLIC_TRANSPORT", "RECYCLE", "REFERRAL", "REUSABLE_CUP", "REVIEW", "SURVEY", "VISIT"]
    transit = next(t for t in listed if t["code"] == "PUBLIC_TRANSPORT")
    assert transit["impactUnit"] == "CO2_GRAMS" and "distanceKm" in transit["howMeasured"]


async def test_a_bad_custom_type_is_invalid_input_and_only_marketers_define_types(gql, program):
    bad = await gql.execute(CREATE_TYPE, {"input": {"code": "VISIT", "name": ""}}, as_=ADMIN)
    refused = await gql.execute(CREATE_TYPE, {"input": {"code": "NEW_ONE", "name": "New"}}, as_=INTEGRATION)
    assert {f["path"] for f in bad.data["createActivityType"]["fields"]} == {"code", "name"}
    assert refused.error_codes == ["FORBIDDEN"]
    assert await ActivityType.filter(custom=True).count() == 0
