"""Variables that do not fit their types: each is BAD_USER_INPUT naming the variable's
path, also in production (where they were masked as "Unexpected error."), and nothing
runs or is written."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from api.settings import Settings
from domain.models import Member, Partner, Purchase
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER, GraphQLClient

RECORD = """mutation Record($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { __typename }
}"""
ENROL = """mutation Enrol($input: EnrollMemberInput!) { enrollMember(input: $input) { __typename } }"""
CREATE_TIER = """mutation Tier($input: CreateTierInput!) { createTier(input: $input) { __typename } }"""


@pytest.fixture
async def production(program, settings: Settings, redis) -> AsyncIterator[GraphQLClient]:
    production = settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})
    async with GraphQLClient.running(production, redis) as gql:
        yield gql


def purchase(member_id: int, **changes) -> dict:
    return {"memberId": str(member_id), "amount": 1250, "currency": "EUR", "occurredAt": "2026-03-01T10:00:00Z",
            "idempotencyKey": factories.next_key(), **changes}


@pytest.mark.parametrize(("changes", "path", "says"), [
    ({"amount": 2**31}, "input.amount", "32-bit"),
    ({"amount": "NaN"}, "input.amount", "non-integer"),
    ({"amount": 1.5}, "input.amount", "non-integer"),
    ({"amount": None}, "input.amount", "non-null"),
    ({"channel": "CARRIER_PIGEON"}, "input.channel", "PurchaseChannel"),
    ({"occurredAt": "yesterday"}, "input.occurredAt", "DateTime"),
    ({"items": [{"sku": "a", "quantity": 1, "unitPrice": 5}, {"sku": "b", "quantity": 1.5, "unitPrice": 5}]},
     "input.items.1.quantity", "non-integer"),
])
async def test_a_purchase_whose_variables_do_not_fit_is_bad_user_input_naming_the_path(
        production, program, changes, path, says):
    # given a member, and a till that sends a value its type cannot hold
    someone = await factories.member(program)
    # when the purchase is recorded in production
    result = await production.execute(RECORD, {"input": purchase(someone.id, **changes)}, as_=INTEGRATION)
    # then the till is told which value is wrong and why, and nothing is recorded
    assert result.error_codes == ["BAD_USER_INPUT"]
    [error] = result.errors
    assert error["extensions"]["variable"] == path
    assert path.removeprefix("input").split(".")[-1] in error["message"] and says in error["message"]
    assert result.body["data"] is None
    assert await Purchase.all().count() == 0


async def test_a_birthday_that_is_no_date_is_bad_user_input(production):
    result = await production.execute(ENROL, {"input": {"externalId": "e-1", "displayName": "Ana",
                                                        "birthday": "2026-13-01"}}, as_=INTEGRATION)
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["variable"] == "input.birthday"
    assert "Date" in result.errors[0]["message"]
    assert await Member.filter(external_id="e-1").count() == 0


async def test_a_float_that_is_not_a_number_is_bad_user_input(production):
    # given a body with NaN, which Python's JSON decoder (and so the server) reads as a float
    body = json.dumps({"query": CREATE_TIER, "variables": {"input": {"name": "Odd", "threshold": 1,
                                                                      "earnMultiplier": float("nan")}}})
    token = production.token(INTEGRATION)
    response = await production.http.post("/graphql", content=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert errors[0]["extensions"]["variable"] == "input.earnMultiplier"


async def test_a_missing_required_variable_is_bad_user_input(production):
    result = await production.execute("query H($n: Int!) { pointsHistory(first: $n) { pageInfo { hasNextPage } } }")
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["variable"] == "n"
    assert "$n" in result.errors[0]["message"]


CREATE_PARTNER = """mutation Partner($input: CreatePartnerInput!) { createPartner(input: $input) { __typename } }"""


@pytest.mark.parametrize("multiplier", ["NaN", "sNaN", "Infinity", "-Infinity", "1" * 41])
async def test_a_decimal_that_is_not_a_finite_number_is_bad_user_input(production, multiplier):
    # given a coalition partner whose multiplier is a Decimal that no rule can compute with
    partner = {"code": "odd", "name": "Odd", "earnMultiplier": multiplier}
    # when a marketer creates it in production
    result = await production.execute(CREATE_PARTNER, {"input": partner}, as_=MARKETER)
    # then the marketer is told which value is wrong, and no partner is written
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["variable"] == "input.earnMultiplier"
    assert "Decimal" in result.errors[0]["message"]
    assert await Partner.filter(code="odd").count() == 0


async def test_a_decimal_literal_that_is_not_finite_is_refused_in_validation(production):
    # when the same NaN is written inline in the document
    result = await production.execute(
        'mutation { createPartner(input: {code: "odd", name: "Odd", earnMultiplier: "NaN"}) { __typename } }',
        as_=MARKETER)
    # then validation refuses it with a code, not "Unexpected error."
    assert result.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Decimal" in result.errors[0]["message"]
