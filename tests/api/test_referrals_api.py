"""Referrals over GraphQL: enrol with a code, buy, see it in `me { referral }`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.models import Member, Program
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER, member

ENROLL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    __typename ... on MemberEnrolled { member { id referralCode } } ... on InvalidInput { fields { path message } } } }"""
PURCHASE = """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) {
    __typename ... on PurchaseRecorded { pointsEarned } } }"""
RECENT = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()  # one value: a replay is identical
REFERRAL = "{ me { points { balance } referral { code completedCount pendingCount pointsEarned } } }"


async def buy(gql, member_id: str, amount: int, key: str) -> None:
    result = await gql.execute(PURCHASE, {"input": {"memberId": member_id, "amount": amount, "currency": "EUR",
                                                     "occurredAt": RECENT, "idempotencyKey": key}}, as_=INTEGRATION)
    assert result.data["recordPurchase"]["__typename"] == "PurchaseRecorded"


async def test_a_friend_enrolled_with_a_code_earns_both_points_on_a_qualifying_purchase(gql, program: Program) -> None:
    # given referral terms set by a marketer, and Alice
    settings = """mutation { updateProgramSettings(input: {referralReferrerPoints: 300, referralRefereePoints: 150,
        referralMinPurchase: 2500, referralCap: 5, pointsPerCurrencyUnit: 0}) { __typename } }"""
    assert (await gql.execute(settings, as_=MARKETER)).data["updateProgramSettings"]["__typename"] == "ProgramSettingsSaved"
    alice = await factories.member(program)
    # when Bob enrols with Alice's code
    enrolled = await gql.execute(ENROLL, {"input": {"externalId": "bob", "displayName": "Bob",
                                                    "referralCode": alice.referral_code.lower()}}, as_=INTEGRATION)
    bob_id = enrolled.data["enrollMember"]["member"]["id"]
    pending = (await gql.execute(REFERRAL, as_=member(alice.id))).data["me"]["referral"]
    assert (pending["code"], pending["pendingCount"], pending["completedCount"]) == (alice.referral_code, 1, 0)
    # and buys below the minimum, then above it, then the same receipt again
    await buy(gql, bob_id, 24_99, "r1")
    assert (await Member.get(id=bob_id)).points_balance == 0
    await buy(gql, bob_id, 25_00, "r2")
    await buy(gql, bob_id, 25_00, "r2")
    # then both were credited once
    mine = (await gql.execute(REFERRAL, as_=member(alice.id))).data["me"]
    assert mine["referral"] == {"code": alice.referral_code, "completedCount": 1, "pendingCount": 0, "pointsEarned": 300}
    assert mine["points"]["balance"] == 300
    bobs = (await gql.execute(REFERRAL, as_=member(bob_id))).data["me"]
    assert bobs["points"]["balance"] == 150
    assert bobs["referral"]["completedCount"] == 0


async def test_an_unknown_code_names_the_field_and_enrols_nobody(gql, program: Program) -> None:
    result = await gql.execute(ENROLL, {"input": {"externalId": "eve", "displayName": "Eve", "referralCode": "ZZZZ9999"}},
                               as_=INTEGRATION)
    assert result.data["enrollMember"]["__typename"] == "InvalidInput"
    assert [f["path"] for f in result.data["enrollMember"]["fields"]] == ["referralCode"]
    assert await Member.filter(external_id="eve").count() == 0
