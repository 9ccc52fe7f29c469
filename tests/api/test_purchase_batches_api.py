"""`recordPurchases`: a till's batch, each purchase on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.models import LedgerEntry, Member, Purchase
from tests import factories
from tests.graphql_client import INTEGRATION

BATCH = """mutation($input: [RecordPurchaseInput!]!) { recordPurchases(input: $input) {
  __typename
  ... on PurchasesRecorded { recorded rejected lines { index idempotencyKey result {
      __typename ... on PurchaseRecorded { pointsEarned balance }
      ... on InvalidInput { fields { path message } } } } }
  ... on InvalidInput { fields { path message } } } }"""

AT = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()


def purchase(member_id: object, euros: int, key: str, currency: str = "EUR") -> dict:
    return {"memberId": str(member_id), "amount": euros * 100, "currency": currency, "occurredAt": AT,
            "idempotencyKey": key}


async def test_one_bad_purchase_is_reported_and_the_others_are_recorded(gql, program):
    ana = await factories.member(program)
    # given a batch whose second purchase has a currency the program does not earn in
    batch = [purchase(ana.id, 10, "r-1"), purchase(ana.id, 99, "r-2", currency="USD"), purchase(ana.id, 5, "r-3")]
    # when the till sends it
    result = (await gql.execute(BATCH, {"input": batch}, as_=INTEGRATION)).data["recordPurchases"]
    # then the two good ones earned, and the bad one names its field
    assert (result["recorded"], result["rejected"]) == (2, 1)
    first, bad, third = result["lines"]
    assert first["result"] == {"__typename": "PurchaseRecorded", "pointsEarned": 10, "balance": 10}
    assert bad["index"] == 1 and bad["idempotencyKey"] == "r-2"
    assert [f["path"] for f in bad["result"]["fields"]] == ["currency"]
    assert third["result"]["balance"] == 15
    assert (await Member.get(id=ana.id)).points_balance == 15


async def test_replaying_a_batch_records_nothing_twice(gql, program):
    ana = await factories.member(program)
    batch = [purchase(ana.id, 10, "day-1"), purchase(ana.id, 20, "day-2")]
    await gql.execute(BATCH, {"input": batch}, as_=INTEGRATION)
    # when the same batch comes again (the till did not see the answer)
    again = (await gql.execute(BATCH, {"input": batch}, as_=INTEGRATION)).data["recordPurchases"]
    # then each line answers as the first time, and the ledger holds each purchase once
    assert [line["result"]["pointsEarned"] for line in again["lines"]] == [10, 20]
    assert await Purchase.filter(member_id=ana.id).count() == 2
    assert await LedgerEntry.filter(member_id=ana.id).count() == 2


async def test_more_than_500_purchases_are_refused_whole_and_nothing_is_written(gql, program):
    ana = await factories.member(program)
    batch = [purchase(ana.id, 1, f"big-{n}") for n in range(501)]
    result = (await gql.execute(BATCH, {"input": batch}, as_=INTEGRATION)).data["recordPurchases"]
    assert result["__typename"] == "InvalidInput"
    assert result["fields"][0]["path"] == "input" and "500" in result["fields"][0]["message"]
    assert await Purchase.all().count() == 0


async def test_an_empty_batch_is_invalid_input(gql, program):
    result = (await gql.execute(BATCH, {"input": []}, as_=INTEGRATION)).data["recordPurchases"]
    assert result["__typename"] == "InvalidInput"
