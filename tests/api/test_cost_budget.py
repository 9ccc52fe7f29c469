"""Each caller's budget of query cost: spent, exhausted, refilled; and Redis down."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError
from redis.asyncio import Redis

from api.limits import cost_budget
from api.limits.cost_budget import CostBudget
from api.settings import Settings
from tests import factories
from tests.graphql_client import INTEGRATION, GraphQLClient, member


def test_a_maximum_cost_the_budget_could_never_pay_is_refused_at_start_up():
    # when an operator allows single queries dearer than a full bucket
    # then the settings are refused before the server starts
    with pytest.raises(ValidationError, match="MAX_QUERY_COST above COST_BUDGET_CAPACITY"):
        Settings(max_query_cost=1000, cost_budget_capacity=500)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_bucket_spends_refuses_and_refills_with_time(redis):
    # given a bucket of 100 units refilled 10 a second
    clock = Clock()
    budget = CostBudget(redis, capacity=100, refill_per_second=10, clock=clock)
    # when a caller spends 70, then asks for 40 at the same instant
    first = await budget.take("member:a", 70)
    second = await budget.take("member:a", 40)
    # then the first is served with 30 left, the second refused: 1 s until 40 are there
    assert (first.allowed, first.budget_left) == (True, 30)
    assert (second.allowed, second.budget_left, second.retry_after_seconds) == (False, 30, 1.0)
    # when that second has passed
    clock.now += 1
    third = await budget.take("member:a", 40)
    # then the request is served and the bucket is empty again
    assert (third.allowed, third.budget_left) == (True, 0)


async def test_a_bucket_never_fills_past_its_capacity(redis):
    # given a bucket left alone for an hour after one spend
    clock = Clock()
    budget = CostBudget(redis, capacity=100, refill_per_second=10, clock=clock)
    await budget.take("member:a", 100)
    clock.now += 3600
    # when the caller asks for more than the capacity
    too_much = await budget.take("member:a", 101)
    # then it never fits: the bucket holds 100 at most
    assert too_much.allowed is False
    assert too_much.budget_left == 100


async def test_callers_have_buckets_of_their_own(redis):
    # given one caller who emptied their bucket
    budget = CostBudget(redis, capacity=50, refill_per_second=1, clock=Clock())
    await budget.take("member:a", 50)
    # when another caller asks
    other = await budget.take("member:b", 50)
    # then the other is served in full
    assert (other.allowed, other.budget_left) == (True, 0)


HISTORY = """query History {
  pointsHistory(first: 3) { edges { node { points kind } cursor } pageInfo { hasNextPage } }
}"""
HISTORY_COST = 1 + 3 * 5 + 2


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(cost_budget, "wall_clock", clock)
    return clock


@pytest.fixture
def tight_settings(settings):
    # room for one History query; 8 units a second refill it in 2.25 s
    return settings.model_copy(update={"cost_budget_capacity": 20, "cost_budget_refill_per_second": 8,
                                       "max_query_cost": 20, "cost_budget_integration_factor": 3})


async def test_an_exhausted_budget_is_rate_limited_and_recovers_after_refill(program, tight_settings, redis, clock):
    # given a member and a server whose budget holds one History query
    someone = await factories.member(program)
    async with GraphQLClient.running(tight_settings, redis) as gql:
        # when the member asks twice at the same instant
        first = await gql.execute(HISTORY, as_=member(someone.id))
        second = await gql.execute(HISTORY, as_=member(someone.id))
        # and an integration asks three times at that instant too
        integration = [await gql.execute(HISTORY.replace("first: 3)", f'first: 3, memberId: "{someone.id}")'),
                                         as_=INTEGRATION) for _ in range(3)]
        # and the member asks again once the refill has had time
        clock.now += 2
        after_refill = await gql.execute(HISTORY, as_=member(someone.id))
    # then the first is served, the second refused with the numbers to act on
    assert first.data["pointsHistory"]["edges"] == []
    assert second.error_codes == ["RATE_LIMITED"]
    assert second.body["data"] is None
    assert second.errors[0]["extensions"] == {
        "code": "RATE_LIMITED", "cost": HISTORY_COST, "budgetLeft": 20 - HISTORY_COST,
        "retryAfterSeconds": (HISTORY_COST - (20 - HISTORY_COST)) / 8,
    }
    # and the integration, with its own bucket three times larger, is served three times
    assert [r.error_codes for r in integration] == [[], [], []]
    # and after the refill the member is served again
    assert after_refill.data["pointsHistory"]["edges"] == []


@pytest.fixture
async def broken_redis() -> AsyncIterator[Redis]:
    """A client of a port nobody listens on: every command fails to connect."""
    client = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, socket_timeout=1)
    try:
        yield client
    finally:
        await client.aclose()


async def test_with_redis_down_queries_are_served_unmetered_logged_and_counted(
    program, tight_settings, broken_redis, caplog
):
    # given a member, a tight budget, and a Redis that refuses connections
    someone = await factories.member(program)
    unmetered_before = REGISTRY.get_sample_value("cost_budget_unavailable_total")
    async with GraphQLClient.running(tight_settings, broken_redis) as gql:
        # when the member asks three times, more than the budget would allow
        with caplog.at_level(logging.WARNING, logger="api.limits.cost_guard"):
            results = [await gql.execute(HISTORY, as_=member(someone.id)) for _ in range(3)]
    # then every request is served (fail open)
    assert all(r.data["pointsHistory"]["edges"] == [] for r in results)
    # and each was logged and counted as unmetered
    assert sum("Redis unavailable" in r.getMessage() for r in caplog.records) == 3
    assert REGISTRY.get_sample_value("cost_budget_unavailable_total") - unmetered_before == 3
