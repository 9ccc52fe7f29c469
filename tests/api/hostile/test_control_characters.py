"""Text with NUL and other control characters, in any argument: refused at the edge with
the field named, nothing written. PostgreSQL refuses NUL in text and jsonb, which used to
reach clients as "Unexpected error." (run these on PostgreSQL too)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from challenges.models import Activity
from domain.models import IdempotencyRecord, Member, Purchase
from tests import factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, GraphQLClient, member

RECORD_PURCHASE = """
mutation Record($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) {
    __typename
    ... on PurchaseRecorded { purchaseId }
    ... on InvalidInput { fields { path message } }
  }
}"""

RECORD_PURCHASES = """
mutation Batch($input: [RecordPurchaseInput!]!) {
  recordPurchases(input: $input) {
    __typename
    ... on PurchasesRecorded { recorded rejected }
    ... on InvalidInput { fields { path message } }
  }
}"""

ENROLL = """
mutation Enroll($input: EnrollMemberInput!) {
  enrollMember(input: $input) {
    __typename
    ... on MemberEnrolled { member { id } }
    ... on InvalidInput { fields { path message } }
  }
}"""

RECORD_ACTIVITY = """
mutation Record($input: RecordActivityInput!) {
  recordActivity(input: $input) {
    __typename
    ... on ActivityRecorded { activityId }
    ... on InvalidInput { fields { path message } }
  }
}"""

ADJUST = """
mutation Adjust($input: AdjustPointsInput!) {
  adjustPoints(input: $input) {
    __typename
    ... on PointsAdjusted { points }
    ... on InvalidInput { fields { path message } }
  }
}"""


@pytest.fixture
async def production(program, settings, redis) -> AsyncIterator[GraphQLClient]:
    """Errors masked as in production: a failure inside the database would read "Unexpected error."."""
    production_settings = settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})
    async with GraphQLClient.running(production_settings, redis) as client:
        yield client


def purchase(member_id: object, **changes: object) -> dict:
    return {"memberId": str(member_id), "amount": 12_00, "currency": "EUR",
            "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "idempotencyKey": factories.next_key("till"),
            "items": [{"sku": f"SKU-{i}", "quantity": 1, "unitPrice": 3_00} for i in range(4)], **changes}


async def sent_escaped(gql: GraphQLClient, query: str, variables: dict, as_) -> dict:
    """As a client whose JSON encoder escapes everything (`\\ud800`): httpx would not encode a lone surrogate."""
    body = json.dumps({"query": query, "variables": variables})
    response = await gql.http.post("/graphql", content=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {gql.token(as_)}"})
    return response.json()


def paths(payload: dict) -> list[str]:
    return [f["path"] for f in payload["fields"]]


async def test_a_nul_in_an_idempotency_key_is_invalid_input_naming_it_and_writes_nothing(production, program):
    # given a member
    someone = await factories.member(program)
    # when a till reports a purchase whose receipt id carries a NUL character
    result = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, idempotencyKey="r-1\x00")},
                                      as_=INTEGRATION)
    # then it is told which field, and why
    payload = result.data["recordPurchase"]
    assert payload["__typename"] == "InvalidInput"
    assert payload["fields"] == [{"path": "idempotencyKey",
                                  "message": "must not contain control characters (U+0000 at position 3)"}]
    # and nothing was written
    assert await Purchase.all().count() == 0
    assert await IdempotencyRecord.all().count() == 0


async def test_a_control_character_deep_in_a_list_names_its_path(production, program):
    # given a member and a purchase whose fourth line has an escape sequence in its SKU
    someone = await factories.member(program)
    given = purchase(someone.id)
    given["items"][3]["sku"] = "\x1b[31mBEANS"
    # when it is reported
    result = await production.execute(RECORD_PURCHASE, {"input": given}, as_=INTEGRATION)
    # then the path leads to the line's SKU
    payload = result.data["recordPurchase"]
    assert paths(payload) == ["items.3.sku"]
    assert await Purchase.all().count() == 0


async def test_every_bad_field_is_named_at_once(production, program):
    # given a purchase with a NUL in its partner code and a DEL in an item category
    someone = await factories.member(program)
    given = purchase(someone.id, partnerCode="P\x00")
    given["items"][1]["category"] = "coffee\x7f"
    # when it is reported
    result = await production.execute(RECORD_PURCHASE, {"input": given}, as_=INTEGRATION)
    # then both are named
    assert sorted(paths(result.data["recordPurchase"])) == ["items.1.category", "partnerCode"]


async def test_a_nul_in_one_purchase_of_a_batch_refuses_the_batch_naming_the_line(production, program):
    # given three purchases, the second with a NUL in its receipt id
    someone = await factories.member(program)
    lines = [purchase(someone.id), purchase(someone.id, idempotencyKey="\x00"), purchase(someone.id)]
    # when they are reported together
    result = await production.execute(RECORD_PURCHASES, {"input": lines}, as_=INTEGRATION)
    # then the batch is refused naming the line and field, and nothing is recorded
    payload = result.data["recordPurchases"]
    assert payload["__typename"] == "InvalidInput"
    assert paths(payload) == ["input.1.idempotencyKey"]
    assert await Purchase.all().count() == 0


@pytest.mark.parametrize("name", ["Ann\x00", "Ann\x07", "Ann\x85", "Ann\ud800"],
                         ids=["NUL", "BEL", "C1 NEL", "lone surrogate"])
async def test_a_display_name_with_a_control_character_or_lone_surrogate_is_refused(production, program, name):
    # when an integration enrols a member with such a name
    body = await sent_escaped(production, ENROLL, {"input": {"externalId": "crm-1", "displayName": name}},
                              as_=INTEGRATION)
    # then the field is named and nobody is enrolled
    payload = body["data"]["enrollMember"]
    assert payload["__typename"] == "InvalidInput"
    assert paths(payload) == ["displayName"]
    assert await Member.all().count() == 0


async def test_a_nul_in_an_external_id_is_refused(production, program):
    result = await production.execute(ENROLL, {"input": {"externalId": "crm\x00", "displayName": "Ann"}},
                                      as_=INTEGRATION)
    assert paths(result.data["enrollMember"]) == ["externalId"]
    assert await Member.all().count() == 0


async def test_a_control_character_inside_json_attributes_names_the_key(production, program):
    # given a member reporting a check-in whose attributes carry a NUL deep inside
    someone = await factories.member(program)
    given = {"type": "CHECK_IN", "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
             "idempotencyKey": "scan-1", "attributes": {"place": {"name": "Caf\x00"}}}
    # when they report it themself
    result = await production.execute(RECORD_ACTIVITY, {"input": given}, as_=member(someone.id))
    # then the path leads into the JSON value, and nothing is written
    payload = result.data["recordActivity"]
    assert payload["__typename"] == "InvalidInput"
    assert paths(payload) == ["attributes.place.name"]
    assert await Activity.all().count() == 0


async def test_a_control_character_in_a_json_key_is_refused(production, program):
    someone = await factories.member(program)
    given = {"type": "CHECK_IN", "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
             "idempotencyKey": "scan-2", "attributes": {"pl\x1bace": 1}}
    result = await production.execute(RECORD_ACTIVITY, {"input": given}, as_=member(someone.id))
    assert paths(result.data["recordActivity"]) == ["attributes"]
    assert await Activity.all().count() == 0


async def test_tabs_and_line_breaks_stay_ordinary_text(production, program):
    # given a member with points
    someone = await factories.member(program)
    # when an admin adjusts them with a reason written on two lines, indented
    result = await production.execute(ADJUST, {"input": {
        "memberId": str(someone.id), "points": 5, "reason": "goodwill:\r\n\tlate delivery",
        "idempotencyKey": "adj-1"}}, as_=ADMIN)
    # then it is accepted
    assert result.data["adjustPoints"] == {"__typename": "PointsAdjusted", "points": 5}


async def test_a_query_argument_with_a_nul_is_a_bad_user_input_error_naming_it(production, program):
    # when a marketer looks up a charity by an id with a NUL in it
    result = await production.execute('query($id: ID!) { charity(id: $id) { id } }', {"id": "1\x00"},
                                      as_=MARKETER)
    # then a GraphQL error names the argument, with a code a client can act on
    [error] = result.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "id"
    assert error["message"] == "id: must not contain control characters (U+0000 at position 1)"

