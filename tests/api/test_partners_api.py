"""Partners through GraphQL: marketers manage them, integrations report partner purchases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.models import AuditEntry, Partner
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER

NOW = datetime.now(UTC)
CREATE = """mutation($input: CreatePartnerInput!) { createPartner(input: $input) { __typename
  ... on PartnerSaved { partner { id code pointsPerCurrencyUnit earnMultiplier active } }
  ... on InvalidInput { fields { path } } } }"""
UPDATE = """mutation($input: UpdatePartnerInput!) { updatePartner(input: $input) { __typename
  ... on PartnerSaved { partner { active } } ... on NotFound { entity } } }"""
RECORD = """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename
  ... on PurchaseRecorded { pointsEarned breakdown { rule points } } ... on InvalidInput { fields { path } } } }"""
SETTLEMENT = """query($f: DateTime!, $t: DateTime!) { partnerSettlement(from: $f, to: $t) {
  partner { code } purchaseCount purchaseAmount pointsIssued pointsReversed netPoints } }"""


def purchase(member_id: object, key: str, partner_code: str | None) -> dict:
    return {"input": {"memberId": str(member_id), "amount": 12_00, "currency": "EUR",
                      "occurredAt": (NOW - timedelta(minutes=1)).isoformat(), "idempotencyKey": key,
                      "partnerCode": partner_code}}


async def test_a_partner_is_created_earns_and_is_settled(gql, program):
    # given a marketer's partner at 3 points per euro
    made = await gql.execute(CREATE, {"input": {"code": "fuel", "name": "Fuel Co", "pointsPerCurrencyUnit": 3}},
                             as_=MARKETER)
    partner = made.data["createPartner"]["partner"]
    assert (partner["code"], partner["pointsPerCurrencyUnit"], partner["earnMultiplier"], partner["active"]) == (
        "fuel", 3, "1", True)
    member = await factories.member(program, now=NOW)
    # when an integration reports a 12.00 purchase there
    recorded = (await gql.execute(RECORD, purchase(member.id, "p-1", "fuel"), as_=INTEGRATION)).data["recordPurchase"]
    # then it earns 36 points
    assert recorded["pointsEarned"] == 36
    # and the settlement shows it
    rows = (await gql.execute(SETTLEMENT, {"f": (NOW - timedelta(days=1)).isoformat(),
                                           "t": (NOW + timedelta(days=1)).isoformat()}, as_=MARKETER)).data
    assert rows["partnerSettlement"] == [{"partner": {"code": "fuel"}, "purchaseCount": 1, "purchaseAmount": 12_00,
                                          "pointsIssued": 36, "pointsReversed": 0, "netPoints": 36}]
    listed = (await gql.execute("{ partners { code } }", as_=MARKETER)).data["partners"]
    assert listed == [{"code": "fuel"}]


async def test_bad_partner_input_and_unknown_partner_code(gql, program):
    bad = (await gql.execute(CREATE, {"input": {"code": "", "name": "X", "earnMultiplier": "0"}}, as_=MARKETER)).data
    assert {f["path"] for f in bad["createPartner"]["fields"]} == {"code", "earnMultiplier"}
    assert await Partner.all().count() == 0 and await AuditEntry.all().count() == 0
    member = await factories.member(program, now=NOW)
    unknown = (await gql.execute(RECORD, purchase(member.id, "p-2", "nobody"), as_=INTEGRATION)).data["recordPurchase"]
    assert unknown == {"__typename": "InvalidInput", "fields": [{"path": "partnerCode"}]}


async def test_deactivating_a_partner(gql, program):
    made = await gql.execute(CREATE, {"input": {"code": "books", "name": "Books"}}, as_=MARKETER)
    partner_id = made.data["createPartner"]["partner"]["id"]
    updated = await gql.execute(UPDATE, {"input": {"id": partner_id, "active": False}}, as_=MARKETER)
    assert updated.data["updatePartner"] == {"__typename": "PartnerSaved", "partner": {"active": False}}
    missing = await gql.execute(UPDATE, {"input": {"id": "99999", "active": False}}, as_=MARKETER)
    assert missing.data["updatePartner"] == {"__typename": "NotFound", "entity": "partner"}
