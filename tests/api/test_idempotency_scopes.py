"""Idempotency keys belong to their caller: a member, an integration, a member of staff.

Within one caller's keys a replay returns the first result and another request with the
same key is IdempotencyConflict; another caller's key of the same name is theirs alone.
The marketers' create mutations take an optional key too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.auth import Role
from challenges.models import ActivityType, Badge, Challenge
from domain.models import (
    Campaign,
    Charity,
    IdempotencyRecord,
    Member,
    Partner,
    Program,
    Purchase,
    Redemption,
    Reward,
    Segment,
    Survey,
    Tier,
)
from domain.purchases import Channel, PurchaseReport, record_purchase
from tests import charity_factories, factories, reward_factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, Caller, member

REDEEM = """mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { __typename
  ... on RedemptionSaved { redemption { id } }
  ... on IdempotencyConflict { idempotencyKey message } } }"""
DONATE = """mutation($input: DonatePointsInput!) { donatePoints(input: $input) { __typename
  ... on DonationMade { donationId }
  ... on IdempotencyConflict { idempotencyKey message } } }"""
PURCHASE = """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename
  ... on PurchaseRecorded { purchaseId pointsEarned balance }
  ... on IdempotencyConflict { idempotencyKey message } } }"""

OTHER_TILL = Caller(Role.INTEGRATION, "web-shop")
OTHER_MARKETER = Caller(Role.MARKETER, "marketer-two")


def now() -> datetime:
    return datetime.now(UTC)


async def rich_member(program: Program, points: int = 1000) -> Member:
    found = await factories.member(program, now=now() - timedelta(days=1))
    await reward_factories.give_points(program, found, points, now())
    return found


def purchase_input(member_id: object, key: str = "receipt-1", amount: int = 2000) -> dict[str, Any]:
    return {"memberId": str(member_id), "amount": amount, "currency": "EUR",
            "occurredAt": (now() - timedelta(minutes=1)).isoformat(), "idempotencyKey": key}


# --- members ---------------------------------------------------------------------------------

async def test_two_members_may_use_the_same_redemption_key(gql, program):
    # given member A redeemed a coffee with key "r-1"
    alex, sam = await rich_member(program), await rich_member(program)
    coffee = await reward_factories.reward(program, cost_points=150)
    first = await gql.execute(REDEEM, {"input": {"rewardId": str(coffee.id), "idempotencyKey": "r-1"}},
                              as_=member(alex.id))
    assert first.data["redeemReward"]["__typename"] == "RedemptionSaved"
    # when member B redeems the same coffee with their own "r-1"
    second = await gql.execute(REDEEM, {"input": {"rewardId": str(coffee.id), "idempotencyKey": "r-1"}},
                               as_=member(sam.id))
    # then B gets their own redemption, not a conflict
    assert second.data["redeemReward"]["__typename"] == "RedemptionSaved"
    assert second.data["redeemReward"]["redemption"]["id"] != first.data["redeemReward"]["redemption"]["id"]
    assert await Redemption.filter(member_id=sam.id).count() == 1
    # and A's replay still returns A's first redemption
    again = await gql.execute(REDEEM, {"input": {"rewardId": str(coffee.id), "idempotencyKey": "r-1"}},
                              as_=member(alex.id))
    assert again.data["redeemReward"] == first.data["redeemReward"]
    assert await Redemption.filter(member_id=alex.id).count() == 1


async def test_a_donation_conflict_names_only_the_clients_key(gql, program):
    # given a member who donated 100 points with key "d-1"
    giver = await rich_member(program)
    charity = await charity_factories.charity(program)
    first = {"charityId": str(charity.id), "points": 100, "idempotencyKey": "d-1"}
    assert (await gql.execute(DONATE, {"input": first}, as_=member(giver.id))).data["donatePoints"]["__typename"] == (
        "DonationMade")
    # when they send "d-1" again with another amount
    clash = (await gql.execute(DONATE, {"input": first | {"points": 200}}, as_=member(giver.id))).data["donatePoints"]
    # then the conflict names "d-1" and nothing internal (no member id, no digest)
    assert clash["__typename"] == "IdempotencyConflict"
    assert clash["idempotencyKey"] == "d-1"
    assert "d-1" in clash["message"]
    assert str(giver.id) not in clash["message"] and "member:" not in clash["message"]
    assert (await Member.get(id=giver.id)).points_balance == 900


# --- integrations ----------------------------------------------------------------------------

async def test_two_integrations_may_use_the_same_receipt_key_and_each_keeps_replay_and_conflict(gql, program):
    # given the till recorded receipt-1
    buyer = await factories.member(program, now=now() - timedelta(days=1))
    sent = purchase_input(buyer.id)
    till = await gql.execute(PURCHASE, {"input": sent}, as_=INTEGRATION)
    assert till.data["recordPurchase"]["__typename"] == "PurchaseRecorded"
    # when the web shop, another integration, reports its own receipt-1
    shop = await gql.execute(PURCHASE, {"input": purchase_input(buyer.id, amount=3000)}, as_=OTHER_TILL)
    # then it is a purchase of its own
    assert shop.data["recordPurchase"]["__typename"] == "PurchaseRecorded"
    assert await Purchase.all().count() == 2
    # and within the till's own keys a replay is the first answer, a change a conflict
    replay = await gql.execute(PURCHASE, {"input": sent}, as_=INTEGRATION)
    changed = await gql.execute(PURCHASE, {"input": sent | {"amount": 9900}}, as_=INTEGRATION)
    assert replay.data == till.data
    assert changed.data["recordPurchase"]["__typename"] == "IdempotencyConflict"
    assert changed.data["recordPurchase"]["idempotencyKey"] == "receipt-1"
    assert "integration:" not in changed.data["recordPurchase"]["message"]
    assert await Purchase.all().count() == 2


async def test_a_purchase_recorded_before_keys_were_scoped_still_replays(gql, program):
    # given a purchase whose key was stored program-wide (as every key was before scoping)
    buyer = await factories.member(program, now=now() - timedelta(days=1))
    sent = purchase_input(buyer.id, key="till-7-receipt-1001")
    report = PurchaseReport(member_id=str(buyer.id), amount=2000, currency="EUR",
                            occurred_at=datetime.fromisoformat(sent["occurredAt"]),
                            idempotency_key="till-7-receipt-1001", channel=Channel.POS)
    old = await record_purchase(program, report, now())
    assert await IdempotencyRecord.filter(key="till-7-receipt-1001").count() == 1
    # when the till retries it after the upgrade
    retry = await gql.execute(PURCHASE, {"input": sent}, as_=INTEGRATION)
    # then it gets the first result and nothing is recorded twice
    assert retry.data["recordPurchase"]["purchaseId"] == str(old.purchase_id)
    assert await Purchase.all().count() == 1
    assert (await Member.get(id=buyer.id)).points_balance == old.balance
    # and the old record is nobody's for anything else: the web shop's own key of that name is free
    shop = await gql.execute(PURCHASE, {"input": sent | {"amount": 3000}}, as_=OTHER_TILL)
    assert shop.data["recordPurchase"]["__typename"] == "PurchaseRecorded"
    assert await Purchase.all().count() == 2


# --- the marketers' create mutations ---------------------------------------------------------

QUESTIONS = [{"text": "How was your visit?", "kind": "RATING"}]
CREATES: dict[str, tuple[str, str, Any, dict[str, Any], dict[str, Any]]] = {
    # mutation: (input type, saved field, model, input, another input)
    "createReward": ("CreateRewardInput", "reward", Reward,
                     {"name": "Mug", "kind": "DISCOUNT", "costPoints": 100}, {"costPoints": 200}),
    "createCampaign": ("CreateCampaignInput", "campaign", Campaign,
                       {"name": "Double", "kind": "MULTIPLIER", "effect": {"factor": "2"},
                        "schedule": {"startsAt": "2026-01-01T00:00:00Z"}}, {"name": "Triple"}),
    "createChallenge": ("CreateChallengeInput", "challenge", Challenge,
                        {"name": "Latte week", "goal": {"type": "PURCHASE_AMOUNT", "target": 3000},
                         "window": {"startsAt": "2030-01-01T00:00:00Z", "endsAt": "2030-01-08T00:00:00Z"}},
                        {"name": "Tea week"}),
    "createSurvey": ("CreateSurveyInput", "survey", Survey,
                     {"title": "How was it?", "questions": QUESTIONS, "bonusPoints": 20}, {"bonusPoints": 30}),
    "createTier": ("CreateTierInput", "tier", Tier, {"name": "Gold", "threshold": 1000}, {"threshold": 2000}),
    "createSegment": ("CreateSegmentInput", "segment", Segment,
                      {"name": "Coffee", "rule": {"match": "ALL", "conditions": [
                          {"field": "TAG", "op": "HAS", "value": "coffee"}]}}, {"name": "Tea"}),
    "createPartner": ("CreatePartnerInput", "partner", Partner, {"code": "jets", "name": "Jets"}, {"name": "Jets!"}),
    "createCharity": ("CreateCharityInput", "charity", Charity,
                      {"name": "Food bank", "cause": "hunger", "pointsPerCurrencyUnit": 100,
                       "impactUnit": "meals_provided", "impactStepAmount": 250}, {"cause": "food"}),
    "createBadge": ("CreateBadgeInput", "badge", Badge, {"code": "eco-hero", "name": "Eco hero"}, {"name": "Eco"}),
    "createActivityType": ("CreateActivityTypeInput", "activityType", ActivityType,
                           {"code": "BEACH_CLEANUP", "name": "Beach clean-up"}, {"name": "Beach"}),
}


def create_query(mutation: str) -> str:
    input_type, saved, _, _, _ = CREATES[mutation]
    return f"""mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ __typename
      ... on {saved[0].upper() + saved[1:]}Saved {{ {saved} {{ {"code" if saved == "activityType" else "id"} }} }}
      ... on IdempotencyConflict {{ idempotencyKey message }}
      ... on InvalidInput {{ fields {{ path message }} }} }} }}"""


async def rows(model: Any, program: Program) -> int:
    query = model.filter(program_id=program.id)
    return await (query.filter(custom=True) if model is ActivityType else query).count()


@pytest.mark.parametrize("mutation", list(CREATES))
async def test_a_retried_create_with_a_key_creates_once(gql, program, mutation):
    _, _, model, sent, _ = CREATES[mutation]
    before = await rows(model, program)
    # when a marketer sends the create twice with one key (a retry after a timeout)
    first = await gql.execute(create_query(mutation), {"input": sent | {"idempotencyKey": "c-1"}}, as_=MARKETER)
    again = await gql.execute(create_query(mutation), {"input": sent | {"idempotencyKey": "c-1"}}, as_=MARKETER)
    # then the retry answers what the first created, and there is one new row
    assert first.data[mutation]["__typename"].endswith("Saved"), first.data
    assert again.data == first.data
    assert await rows(model, program) == before + 1


@pytest.mark.parametrize("mutation", list(CREATES))
async def test_the_same_create_key_with_another_input_is_a_conflict(gql, program, mutation):
    _, _, model, sent, changes = CREATES[mutation]
    await gql.execute(create_query(mutation), {"input": sent | {"idempotencyKey": "c-1"}}, as_=MARKETER)
    before = await rows(model, program)
    # when the key comes back with another input
    clash = await gql.execute(create_query(mutation), {"input": sent | changes | {"idempotencyKey": "c-1"}},
                              as_=MARKETER)
    # then it is a conflict naming the client's key, and nothing is written
    assert clash.data[mutation]["__typename"] == "IdempotencyConflict"
    assert clash.data[mutation]["idempotencyKey"] == "c-1"
    assert "staff:" not in clash.data[mutation]["message"]
    assert await rows(model, program) == before


@pytest.mark.parametrize("key, message", [("  ", "must not be blank"), ("k" * 201, "at most 200")])
@pytest.mark.parametrize("mutation", ["createReward", "createCampaign", "createTier"])
async def test_a_bad_create_key_is_invalid_input_and_writes_nothing(gql, program, mutation, key, message):
    _, _, model, sent, _ = CREATES[mutation]
    before = await rows(model, program)
    result = await gql.execute(create_query(mutation), {"input": sent | {"idempotencyKey": key}}, as_=MARKETER)
    payload = result.data[mutation]
    assert payload["__typename"] == "InvalidInput"
    assert [f["path"] for f in payload["fields"]] == ["idempotencyKey"]
    assert message in payload["fields"][0]["message"]
    assert await rows(model, program) == before


async def test_create_keys_belong_to_each_member_of_staff(gql, program):
    sent = {"name": "Mug", "kind": "DISCOUNT", "costPoints": 100, "idempotencyKey": "c-1"}
    # when two marketers use the same key for their own rewards
    one = await gql.execute(create_query("createReward"), {"input": sent}, as_=MARKETER)
    two = await gql.execute(create_query("createReward"), {"input": sent | {"name": "Cup"}}, as_=OTHER_MARKETER)
    # then each creates a reward
    assert one.data["createReward"]["__typename"] == two.data["createReward"]["__typename"] == "RewardSaved"
    assert await Reward.all().count() == 2


async def test_creates_without_a_key_create_every_time(gql, program):
    sent = {"name": "Mug", "kind": "DISCOUNT", "costPoints": 100}
    await gql.execute(create_query("createReward"), {"input": sent}, as_=ADMIN)
    await gql.execute(create_query("createReward"), {"input": sent}, as_=ADMIN)
    assert await Reward.all().count() == 2
