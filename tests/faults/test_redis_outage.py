"""Redis dies under a running API (kill -9 of a throwaway server, open connections cut):
purchases, redemptions and ledger reads keep working, the cost budget fails open, boards
say they are unavailable, and a rebuild repairs them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from api.redis_client import make_redis
from challenges.leaderboard_service import rebuild
from tests import factories, reward_factories
from tests.faults.servers import ThrowawayRedis, throwaway_redis
from tests.graphql_client import INTEGRATION, GraphQLClient, member

PURCHASE = """mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { __typename ... on PurchaseRecorded { balance } } }"""
LEDGER = "{ me { points { balance } } pointsHistory(first: 10) { edges { node { points } } } }"
BOARD = "{ leaderboard(board: ALL_TIME) { entries { displayName score } } }"
REDEEM = """mutation($input: RedeemRewardInput!) { redeemReward(input: $input) {
  __typename ... on RedemptionSaved { balance redemption { status } } } }"""


@pytest.fixture
def redis_server() -> Iterator[ThrowawayRedis]:
    with throwaway_redis() as server:
        yield server


async def buy(api: GraphQLClient, who: object, euros: int) -> dict:
    purchase = {"memberId": str(who), "amount": euros * 100, "currency": "EUR",
                "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                "idempotencyKey": factories.next_key("receipt")}
    return (await api.execute(PURCHASE, {"input": purchase}, as_=INTEGRATION)).data["recordPurchase"]


async def test_a_redis_crash_leaves_the_ledger_working_and_a_rebuild_repairs_the_boards(
    program, settings, redis_server
):
    ana = await factories.member(program, "ana")
    ben = await factories.member(program, "ben")
    coffee = await reward_factories.reward(program, cost_points=10)
    redis = make_redis(redis_server.url)  # the app's own client: bounded timeouts, reconnects
    try:
        async with GraphQLClient.running(settings, redis) as api:
            # given a purchase while Redis is up
            await buy(api, ana.id, 20)
            # when Redis crashes
            redis_server.stop()
            # then purchases still earn, and the member still reads their points and history
            assert await buy(api, ana.id, 5) == {"__typename": "PurchaseRecorded", "balance": 25}
            assert (await buy(api, ben.id, 30))["balance"] == 30
            ledger = (await api.execute(LEDGER, as_=member(ana.id))).data
            assert ledger["me"]["points"]["balance"] == 25
            assert [e["node"]["points"] for e in ledger["pointsHistory"]["edges"]] == [5, 20]
            # and redeem a reward (the cost budget fails open: no Redis, no metering)
            redeemed = await api.execute(REDEEM, {"input": {"rewardId": str(coffee.id), "idempotencyKey": "r-1"}},
                                         as_=member(ana.id))
            assert redeemed.data["redeemReward"] == {"__typename": "RedemptionSaved", "balance": 15,
                                                     "redemption": {"status": "REDEEMED"}}
            # and the board says it is unavailable instead of showing stale ranks
            assert (await api.execute(BOARD, as_=member(ana.id))).error_codes == ["LEADERBOARD_UNAVAILABLE"]

            # when Redis comes back empty (it keeps nothing on disk), without an API restart
            redis_server.start()
            await buy(api, ben.id, 1)
            # then the client reconnected by itself, but the board lacks what the outage missed
            partial = (await api.execute(BOARD, as_=member(ana.id))).data["leaderboard"]["entries"]
            assert partial == [{"displayName": "Member ben", "score": 31}]

            # when the reconcile step runs
            await rebuild(redis, program, datetime.now(UTC))
            # then the board is whole again
            whole = (await api.execute(BOARD, as_=member(ana.id))).data["leaderboard"]["entries"]
            # (earned points rank, the redemption does not lower a board)
            assert whole == [{"displayName": "Member ben", "score": 31}, {"displayName": "Member ana", "score": 25}]
    finally:
        await redis.aclose()
