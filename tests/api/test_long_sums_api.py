"""Sums past GraphQL's 32-bit Int (2,147,483,647) reach clients whole, as the `Long` scalar:
settlements, impact totals and a member's points. The rows: tests/kpi_factories.py seed_big_sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from graphql import GraphQLError, IntValueNode, StringValueNode

from api.long_int import MAX_LONG, parse_literal, parse_value, serialize
from tests import factories
from tests.factories import next_key
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member
from tests.kpi_factories import seed_big_sums

YEAR = {"f": "2026-01-01T00:00:00Z", "t": "2027-01-01T00:00:00Z"}


async def test_a_partner_settlement_of_fifty_million_euros(gql, program):
    # given 5 x 10,000,000.00 EUR bought at partner "fuel", 2,000,000,000 points each
    await seed_big_sums(program)
    # when a marketer asks for the 2026 settlement
    result = await gql.execute("""query($f: DateTime!, $t: DateTime!) { partnerSettlement(from: $f, to: $t) {
      partner { code } purchaseCount purchaseAmount pointsIssued pointsReversed netPoints } }""", YEAR, as_=MARKETER)
    # then the sums are exact, with no error
    assert not result.errors
    assert result.data["partnerSettlement"] == [{
        "partner": {"code": "fuel"}, "purchaseCount": 5, "purchaseAmount": 5_000_000_000,
        "pointsIssued": 10_000_000_000, "pointsReversed": 0, "netPoints": 10_000_000_000}]


async def test_program_and_charity_impact_totals_of_thirty_million_euros(gql, program):
    # given a donation of 3,000,000,000 points: 30,000,000.00 EUR, the brand adds half
    await seed_big_sums(program)
    # when a marketer reads the program's impact and the charity's
    result = await gql.execute("""{ programImpact { totals { donations donatedPoints
        donatedAmount { amount } matchedAmount { amount } totalAmount { amount currency } impact { unit amount } }
      charities { totals { donatedPoints } } }
      charities { edges { node { name impact { totalAmount { amount } } } } } }""", as_=MARKETER)
    # then every total is whole
    assert not result.errors
    assert result.data["programImpact"]["totals"] == {
        "donations": 1, "donatedPoints": 3_000_000_000,
        "donatedAmount": {"amount": 3_000_000_000}, "matchedAmount": {"amount": 1_500_000_000},
        "totalAmount": {"amount": 4_500_000_000, "currency": "EUR"},
        "impact": [{"unit": "trees_planted", "amount": 45_000_000}]}
    assert result.data["programImpact"]["charities"] == [{"totals": {"donatedPoints": 3_000_000_000}}]
    assert result.data["charities"]["edges"] == [
        {"node": {"name": "Big Forest", "impact": {"totalAmount": {"amount": 4_500_000_000}}}}]


async def test_a_member_with_billions_of_points_sees_them(gql, program):
    # given a member who earned 10,000,000,000 points and gave 3,000,000,000 away
    big = await seed_big_sums(program)
    # when the member opens the app
    result = await gql.execute("""{ me { points { balance available pending lifetimeEarned }
      impact { treesPlanted donations donatedPoints donatedAmount { amount } } } }""", as_=member(big.member.id))
    # then balance, lifetime and impact are whole
    assert not result.errors
    assert result.data["me"]["points"] == {"balance": 7_000_000_000, "available": 7_000_000_000, "pending": 0,
                                           "lifetimeEarned": 10_000_000_000}
    assert result.data["me"]["impact"] == {"treesPlanted": 45_000_000, "donations": 1,
                                           "donatedPoints": 3_000_000_000, "donatedAmount": {"amount": 3_000_000_000}}


async def test_a_donation_of_three_billion_points_is_listed(gql, program):
    # given the member's donation of 3,000,000,000 points
    big = await seed_big_sums(program)
    # when the member lists their donations
    result = await gql.execute("{ me { donations { edges { node { points amount { amount } totalAmount { amount } } } } } }",
                               as_=member(big.member.id))
    # then the donation is there, whole
    assert not result.errors
    assert result.data["me"]["donations"]["edges"] == [{"node": {
        "points": 3_000_000_000, "amount": {"amount": 3_000_000_000}, "totalAmount": {"amount": 4_500_000_000}}}]


async def test_a_mutation_answers_with_a_balance_of_billions(gql, program):
    # given the member holding 7,000,000,000 points
    big = await seed_big_sums(program)
    # when an admin credits 5 goodwill points
    result = await gql.execute("""mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) {
      __typename ... on PointsAdjusted { points balance } } }""", {"input": {
        "memberId": str(big.member.id), "points": 5, "reason": "goodwill", "idempotencyKey": next_key("adjust")}},
        as_=ADMIN)
    # then the credit is answered with the whole balance, not an error after the commit
    assert not result.errors
    assert result.data["adjustPoints"] == {"__typename": "PointsAdjusted", "points": 5, "balance": 7_000_000_005}


async def test_one_purchase_at_a_generous_partner_earns_billions_of_points(gql, program):
    # given a partner at 1,000 points a euro (the highest rate) and a member
    made = await gql.execute("""mutation($input: CreatePartnerInput!) { createPartner(input: $input) {
      __typename } }""", {"input": {"code": "jets", "name": "Jets", "pointsPerCurrencyUnit": 1000}}, as_=MARKETER)
    assert made.data["createPartner"]["__typename"] == "PartnerSaved"
    now = datetime.now(UTC)
    buyer = await factories.member(program, now=now - timedelta(days=1))
    # when an integration reports a 21,000,000.00 EUR purchase there (an Int amount)
    result = await gql.execute("""mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) {
      __typename ... on PurchaseRecorded { pointsEarned balance breakdown { rule points } } } }""", {"input": {
        "memberId": str(buyer.id), "amount": 2_100_000_000, "currency": "EUR", "partnerCode": "jets",
        "occurredAt": (now - timedelta(minutes=1)).isoformat(), "idempotencyKey": next_key("jet")}}, as_=INTEGRATION)
    # then the 21,000,000,000 points are answered, not an error after the commit
    assert not result.errors
    recorded = result.data["recordPurchase"]
    assert (recorded["pointsEarned"], recorded["balance"]) == (21_000_000_000, 21_000_000_000)
    assert sum(line["points"] for line in recorded["breakdown"]) == 21_000_000_000
    # and the member's history shows the entry
    history = await gql.execute("{ pointsHistory(first: 1) { edges { node { points } } } }", as_=member(buyer.id))
    assert not history.errors
    assert history.data["pointsHistory"]["edges"] == [{"node": {"points": 21_000_000_000}}]


def test_long_reads_integers_and_digit_strings_exactly():
    # a JavaScript client past 2^53 sends digits; the value stays exact
    assert parse_value(2**53 + 1) == 9_007_199_254_740_993
    assert parse_value("9007199254740993") == 9_007_199_254_740_993
    assert parse_value("-42") == -42
    assert parse_value(5.0) == 5
    assert parse_literal(IntValueNode(value="9223372036854775807")) == MAX_LONG
    assert parse_literal(StringValueNode(value="12")) == 12


@pytest.mark.parametrize("bad", [True, 1.5, "12.0", "", "abc", 2**63, -(2**63) - 1, None, float(2**60)])
def test_long_refuses_what_is_not_a_64_bit_integer(bad):
    with pytest.raises(GraphQLError):
        parse_value(bad)


def test_long_serializes_a_json_number_and_refuses_overflow():
    # always a number: a client's parser sees the same JSON type for every value
    assert serialize(5_000_000_000) == 5_000_000_000
    assert serialize(-(2**63)) == -(2**63)
    for bad in (2**63, True, "5", 1.0):
        with pytest.raises(GraphQLError):
            serialize(bad)
