"""Rewards over GraphQL: marketers configure the catalog, members redeem and cancel, a
partner's till confirms or releases holds. Each typed outcome of redeemReward once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.seed_rewards import seed_rewards
from domain.models import AuditEntry, Fulfilment, Member, Program, Redemption, Reward, RewardKind
from tests import factories, reward_factories
from tests.graphql_client import INTEGRATION, MARKETER, GraphQLClient, member
from tests.sql_statements import counting_statements

CREATE = """
mutation($input: CreateRewardInput!) {
  createReward(input: $input) {
    __typename
    ... on RewardSaved { reward { id name kind costPoints stock perMemberLimit fulfilment holdMinutes impact active } }
    ... on InvalidInput { fields { path message } }
  }
}"""
UPDATE = CREATE.replace("createReward", "updateReward").replace("CreateRewardInput", "UpdateRewardInput")

REDEEM = """
mutation($input: RedeemRewardInput!) {
  redeemReward(input: $input) {
    __typename
    ... on RedemptionSaved { balance redemption { id code status points cancellableUntil reward { name } } }
    ... on InsufficientPoints { requested available }
    ... on OutOfStock { rewardId }
    ... on NotEligible { field message }
    ... on Expired { rewardId }
    ... on NotFound { entity }
    ... on InvalidInput { fields { path } }
  }
}"""

CANCEL = """
mutation($input: CancelRedemptionInput!) {
  cancelRedemption(input: $input) {
    __typename
    ... on RedemptionSaved { balance redemption { status cancellableUntil } }
    ... on NotEligible { field }
    ... on NotFound { entity }
  }
}"""

TILL = """
mutation($input: RedemptionCodeInput!) {
  %s(input: $input) {
    __typename
    ... on RedemptionSaved { balance redemption { status memberId } }
    ... on NotEligible { field }
    ... on NotFound { entity }
  }
}"""

LIST = """
query($inactive: Boolean!) {
  rewards(includeInactive: $inactive) { edges { node { name eligibility { eligible reason field } } } }
}"""


def now() -> datetime:
    return datetime.now(UTC)


async def rich_member(program: Program, points: int = 1000) -> Member:
    found = await factories.member(program)
    await reward_factories.give_points(program, found, points, now())
    return found


async def redeem(gql: GraphQLClient, who: Member, reward_id: object, key: str = "tap-1") -> dict[str, Any]:
    result = await gql.execute(REDEEM, {"input": {"rewardId": str(reward_id), "idempotencyKey": key}}, as_=member(who.id))
    return result.data["redeemReward"]


# --- the catalog -----------------------------------------------------------------------------

async def test_a_marketer_creates_a_reward(gql, program):
    # when a marketer creates a tree-planting reward
    result = await gql.execute(CREATE, {"input": {
        "name": "Plant a tree", "kind": "SUSTAINABILITY_ACTION", "costPoints": 100, "impact": {"trees_planted": 1}}},
        as_=MARKETER)
    # then it is in the catalog and audited
    reward = result.data["createReward"]["reward"]
    assert reward == {"id": reward["id"], "name": "Plant a tree", "kind": "SUSTAINABILITY_ACTION", "costPoints": 100,
                      "stock": None, "perMemberLimit": None, "fulfilment": "INSTANT", "holdMinutes": None,
                      "impact": {"trees_planted": 1}, "active": True}
    assert await AuditEntry.filter(action="createReward", actor="marketer:marketer-test").count() == 1


async def test_a_reward_with_negative_cost_names_the_field_and_writes_nothing(gql, program):
    result = await gql.execute(CREATE, {"input": {
        "name": "Broken", "kind": "DISCOUNT", "costPoints": -5, "stock": -1, "fulfilment": "HOLD"}}, as_=MARKETER)
    payload = result.data["createReward"]
    assert payload["__typename"] == "InvalidInput"
    assert [f["path"] for f in payload["fields"]] == ["costPoints", "stock", "holdMinutes"]
    assert await Reward.all().count() == 0


async def test_an_update_can_clear_the_stock_but_not_the_name(gql, program):
    mug = await reward_factories.reward(program, stock=3)
    cleared = await gql.execute(UPDATE, {"input": {"id": str(mug.id), "stock": None}}, as_=MARKETER)
    assert cleared.data["updateReward"]["reward"]["stock"] is None
    refused = await gql.execute(UPDATE, {"input": {"id": str(mug.id), "name": None}}, as_=MARKETER)
    assert refused.data["updateReward"] == {"__typename": "InvalidInput", "fields": [
        {"path": "name", "message": "must not be null"}]}


async def test_members_see_offered_rewards_with_their_eligibility(gql, program):
    # given a Bronze member with 200 points, and rewards: affordable, too dear, Gold only, inactive
    tiers = await factories.standard_tiers(program)
    alex = await rich_member(program, 200)
    await reward_factories.reward(program, name="Coffee", cost_points=150)
    await reward_factories.reward(program, name="Blender", cost_points=5000)
    await reward_factories.reward(program, name="Lounge", cost_points=10, min_tier_id=tiers[2].id)
    await reward_factories.reward(program, name="Retired", active=False)
    # when the member lists rewards
    result = await gql.execute(LIST, {"inactive": False}, as_=member(alex.id))
    nodes = {e["node"]["name"]: e["node"]["eligibility"] for e in result.data["rewards"]["edges"]}
    # then inactive ones are hidden, and each says whether and why not
    assert nodes == {
        "Lounge": {"eligible": False, "reason": "this reward is for Gold members and above", "field": "minTier"},
        "Blender": {"eligible": False, "reason": "5000 points requested, 200 available", "field": "costPoints"},
        "Coffee": {"eligible": True, "reason": None, "field": None},
    }


async def test_listing_rewards_and_redemptions_costs_the_same_statements_for_1_or_20(gql, program):
    # given a member, and rewards added (and redeemed) in batches
    alex = await rich_member(program, 100_000)
    query = "{ rewards(first: 50) { edges { node { name eligibility { eligible } } } } " \
            "me { redemptions(first: 50) { edges { node { code cancellableUntil reward { name } } } } } }"

    async def statements_with(count: int) -> int:
        while await Reward.all().count() < count:
            added = await reward_factories.reward(program, cost_points=10, per_member_limit=3)
            await reward_factories.redeem(program, alex, added, now=now())
        with counting_statements() as seen:
            result = await gql.execute(query, as_=member(alex.id))
        assert len(result.data["rewards"]["edges"]) == count
        return len(seen)

    # then the page's statements do not grow with its length (no N+1)
    assert await statements_with(1) == await statements_with(20)


async def test_only_marketers_include_inactive_rewards(gql, program):
    alex = await rich_member(program)
    await reward_factories.reward(program, name="Retired", active=False)
    as_member = await gql.execute(LIST, {"inactive": True}, as_=member(alex.id))
    assert as_member.error_codes == ["FORBIDDEN"]
    as_marketer = await gql.execute(LIST, {"inactive": True}, as_=MARKETER)
    assert [e["node"] for e in as_marketer.data["rewards"]["edges"]] == [{"name": "Retired", "eligibility": None}]


# --- redeeming: every outcome ------------------------------------------------------------------

async def test_redeeming_returns_a_code_and_the_new_balance(gql, program):
    alex = await rich_member(program)
    coffee = await reward_factories.reward(program, name="Coffee", cost_points=150)
    payload = await redeem(gql, alex, coffee.id)
    assert payload["__typename"] == "RedemptionSaved"
    assert payload["balance"] == 850
    redemption = payload["redemption"]
    assert (redemption["status"], redemption["points"], redemption["reward"]) == ("REDEEMED", 150, {"name": "Coffee"})
    assert redemption["code"] == (await Redemption.get(id=int(redemption["id"]))).code
    assert redemption["cancellableUntil"] is not None


@pytest.mark.parametrize(
    ("reward_fields", "points", "expected"),
    [
        ({"cost_points": 150}, 100, {"__typename": "InsufficientPoints", "requested": 150, "available": 100}),
        ({"stock": 0}, 1000, {"__typename": "OutOfStock"}),
        ({"valid_until": datetime(2026, 1, 1, tzinfo=UTC)}, 1000, {"__typename": "Expired"}),
        ({"per_member_limit": 1, "valid_from": datetime(2099, 1, 1, tzinfo=UTC)}, 1000,
         {"__typename": "NotEligible", "field": "validFrom"}),
    ],
)
async def test_each_refusal_is_a_typed_outcome_and_spends_nothing(gql, program, reward_fields, points, expected):
    alex = await rich_member(program, points)
    reward = await reward_factories.reward(program, **reward_fields)
    payload = await redeem(gql, alex, reward.id)
    assert {k: v for k, v in payload.items() if k in expected} == expected
    assert (await Member.get(id=alex.id)).points_balance == points
    assert await Redemption.all().count() == 0


async def test_a_tier_below_the_minimum_is_not_eligible(gql, program):
    tiers = await factories.standard_tiers(program)
    alex = await rich_member(program)
    lounge = await reward_factories.reward(program, min_tier_id=tiers[1].id)
    payload = await redeem(gql, alex, lounge.id)
    assert payload == {"__typename": "NotEligible", "field": "minTier",
                       "message": "this reward is for Silver members and above"}


async def test_unknown_and_malformed_reward_ids(gql, program):
    alex = await rich_member(program)
    assert await redeem(gql, alex, 4242) == {"__typename": "NotFound", "entity": "reward"}
    assert await redeem(gql, alex, "coffee") == {"__typename": "InvalidInput", "fields": [{"path": "rewardId"}]}


async def test_cancelling_gives_the_points_back(gql, program):
    alex = await rich_member(program)
    coffee = await reward_factories.reward(program, cost_points=150)
    redemption_id = (await redeem(gql, alex, coffee.id))["redemption"]["id"]
    result = await gql.execute(CANCEL, {"input": {"redemptionId": redemption_id, "idempotencyKey": "undo"}},
                               as_=member(alex.id))
    assert result.data["cancelRedemption"] == {"__typename": "RedemptionSaved", "balance": 1000,
                                               "redemption": {"status": "CANCELLED", "cancellableUntil": None}}


async def test_a_member_cannot_cancel_someone_elses_redemption(gql, program):
    alex, sam = await rich_member(program), await rich_member(program)
    coffee = await reward_factories.reward(program, cost_points=150)
    redemption_id = (await redeem(gql, alex, coffee.id))["redemption"]["id"]
    result = await gql.execute(CANCEL, {"input": {"redemptionId": redemption_id, "idempotencyKey": "undo"}},
                               as_=member(sam.id))
    assert result.data["cancelRedemption"] == {"__typename": "NotFound", "entity": "redemption"}
    assert (await Member.get(id=alex.id)).points_balance == 850


async def test_the_cancel_window_is_a_program_setting(gql, program):
    query = """mutation { updateProgramSettings(input: {redemptionCancelMinutes: 0}) {
      ... on ProgramSettingsSaved { settings { redemptionCancelMinutes } } } }"""
    saved = await gql.execute(query, as_=MARKETER)
    assert saved.data["updateProgramSettings"] == {"settings": {"redemptionCancelMinutes": 0}}
    alex = await rich_member(program)
    coffee = await reward_factories.reward(program, cost_points=150)
    redemption_id = (await redeem(gql, alex, coffee.id))["redemption"]["id"]
    result = await gql.execute(CANCEL, {"input": {"redemptionId": redemption_id, "idempotencyKey": "undo"}},
                               as_=member(alex.id))
    assert result.data["cancelRedemption"] == {"__typename": "NotEligible", "field": "redemptionCancelMinutes"}


# --- holds at a partner's till -----------------------------------------------------------------

async def test_a_hold_is_looked_up_and_confirmed_by_the_till(gql, program):
    # given a member holding a cinema ticket
    alex = await rich_member(program)
    cinema = await reward_factories.reward(program, kind=RewardKind.PARTNER_OFFER, cost_points=800,
                                           fulfilment=Fulfilment.HOLD, hold_minutes=30)
    held = (await redeem(gql, alex, cinema.id))["redemption"]
    assert held["status"] == "HELD"
    # when the till looks the code up and confirms it
    found = await gql.execute("query($c: String!) { redemption(code: $c) { status points } }",
                              {"c": held["code"]}, as_=INTEGRATION)
    confirmed = await gql.execute(TILL % "confirmRedemption", {"input": {"code": held["code"], "idempotencyKey": "t1"}},
                                  as_=INTEGRATION)
    # then the points stay spent and the redemption is final
    assert found.data["redemption"] == {"status": "HELD", "points": 800}
    assert confirmed.data["confirmRedemption"] == {"__typename": "RedemptionSaved", "balance": 200,
                                                   "redemption": {"status": "CONFIRMED", "memberId": str(alex.id)}}


async def test_a_released_hold_refunds_and_shows_in_the_members_history(gql, program):
    alex = await rich_member(program)
    cinema = await reward_factories.reward(program, name="Cinema", cost_points=800,
                                           fulfilment=Fulfilment.HOLD, hold_minutes=30)
    coffee = await reward_factories.reward(program, name="Coffee", cost_points=100)
    held = (await redeem(gql, alex, cinema.id, "k1"))["redemption"]
    await redeem(gql, alex, coffee.id, "k2")
    released = await gql.execute(TILL % "releaseRedemption", {"input": {"code": held["code"], "idempotencyKey": "t1"}},
                                 as_=INTEGRATION)
    assert released.data["releaseRedemption"]["balance"] == 900
    history = await gql.execute("{ me { redemptions { edges { node { status reward { name } } } } } }",
                                as_=member(alex.id))
    assert [e["node"] for e in history.data["me"]["redemptions"]["edges"]] == [
        {"status": "REDEEMED", "reward": {"name": "Coffee"}},
        {"status": "RELEASED", "reward": {"name": "Cinema"}},
    ]


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ", "00000000000000", "x" * 200])
async def test_an_unknown_code_at_the_till(gql, program, code):
    for field in ("confirmRedemption", "releaseRedemption"):
        result = await gql.execute(TILL % field, {"input": {"code": code, "idempotencyKey": "t1"}}, as_=INTEGRATION)
        assert result.data[field] == {"__typename": "NotFound", "entity": "redemption"}
    lookup = await gql.execute("query($c: String!) { redemption(code: $c) { code } }", {"c": code}, as_=INTEGRATION)
    assert lookup.data["redemption"] is None


async def test_the_demo_catalog_seeds_once(program):
    # given the demo tiers
    tiers = await factories.standard_tiers(program)
    # when the demo rewards are seeded twice
    first = await seed_rewards(program, now())
    again = await seed_rewards(program, now())
    # then there are five, once each, the early access for Gold with 20 seats
    assert [r.id for r in again] == [r.id for r in first]
    assert await Reward.all().count() == 5
    early = await Reward.get(kind=RewardKind.EXPERIENCE)
    assert (early.min_tier_id, early.stock) == (tiers[2].id, 20)
    assert (await Reward.get(name="Plant a tree")).impact == {"trees_planted": 1}


async def test_widening_the_cancel_window_leaves_old_redemptions_their_deadline(gql, program):
    # given a coffee redeemed under the default 30-minute window
    alex = await rich_member(program)
    coffee = await reward_factories.reward(program, cost_points=150)
    made = await redeem(gql, alex, coffee.id)
    given = made["redemption"]["cancellableUntil"]
    # when the marketer widens the window to a day
    widen = """mutation { updateProgramSettings(input: {redemptionCancelMinutes: 1440}) { __typename } }"""
    assert (await gql.execute(widen, as_=MARKETER)).data["updateProgramSettings"]["__typename"] == "ProgramSettingsSaved"
    # then the old redemption still shows the deadline it was given, a new one the day
    mine = await gql.execute("{ me { redemptions { edges { node { id cancellableUntil } } } } }", as_=member(alex.id))
    shown = {e["node"]["id"]: e["node"]["cancellableUntil"] for e in mine.data["me"]["redemptions"]["edges"]}
    assert shown[made["redemption"]["id"]] == given
    fresh = await redeem(gql, alex, coffee.id, key="tap-2")
    gap = datetime.fromisoformat(fresh["redemption"]["cancellableUntil"]) - datetime.fromisoformat(given)
    assert gap > timedelta(hours=23)
