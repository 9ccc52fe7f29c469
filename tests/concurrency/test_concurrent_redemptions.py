"""Redemptions racing for the same stock or the same allowance, on PostgreSQL with a pool
wide enough that they run in parallel transactions (SQLite serialises writers).

What must hold: the last unit is sold once, a per-member limit is never exceeded, and no
points are lost: every refused member keeps all of theirs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext

from api.database import tortoise_config
from domain.models import Fulfilment, LedgerEntry, LedgerKind, Program, Redemption, RedemptionStatus, Reward
from domain.programs import get_or_create_program
from domain.rewards.holds import release_expired_holds, release_redemption
from domain.rewards.redemptions import cancel_redemption, redeem_reward
from tests import factories, reward_factories
from tests.conftest import _empty_all_tables, requires_postgres
from tests.factories import NOW
from tests.reward_factories import balance

pytestmark = requires_postgres

POOL_SIZE = 20


@pytest.fixture
async def program(postgres_database: str) -> AsyncIterator[Program]:
    """The conftest program, but on a pool of POOL_SIZE connections instead of 5."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(f"{postgres_database}?maxsize={POOL_SIZE}"))
        await _empty_all_tables(ctx)
        yield await get_or_create_program("concurrency", "Concurrent Rewards")


async def test_twenty_members_racing_for_the_last_unit_never_oversell(program):
    # given 20 members with 500 points each and a reward with one unit left
    members = [await factories.member(program) for _ in range(20)]
    for someone in members:
        await reward_factories.give_points(program, someone, 500)
    ticket = await reward_factories.reward(program, cost_points=300, stock=1)
    # when all of them redeem it at the same moment, each in its own transaction
    results = await asyncio.gather(
        *(redeem_reward(program, str(m.id), ticket.id, f"race-{i}", NOW) for i, m in enumerate(members)),
        return_exceptions=True,
    )
    # then exactly one gets it and the 19 others are told it is out of stock
    assert Counter(type(r).__name__ for r in results) == {"Redemption": 1, "OutOfStock": 19}, results
    assert (await Reward.get(id=ticket.id)).stock == 0
    assert await Redemption.all().count() == 1
    # and nobody lost a point: the winner paid 300, the others kept 500
    winner = next(r for r in results if isinstance(r, Redemption))
    balances = {str(m.id): await balance(m) for m in members}
    assert balances.pop(str(winner.member_id)) == 200
    assert set(balances.values()) == {500}
    # they really ran in parallel: the pool opened every connection
    assert get_connection("default")._pool.get_size() == POOL_SIZE


async def test_one_member_racing_on_a_per_member_limit_gets_the_limit_exactly(program):
    # given one member with plenty of points and a reward limited to 2 per member
    alex = await factories.member(program)
    await reward_factories.give_points(program, alex, 10_000)
    mug = await reward_factories.reward(program, cost_points=100, per_member_limit=2, stock=50)
    # when 15 taps arrive at once, each with its own key
    results = await asyncio.gather(
        *(redeem_reward(program, str(alex.id), mug.id, f"tap-{i}", NOW) for i in range(15)),
        return_exceptions=True,
    )
    # then two go through, the rest are refused on the limit, and stock and points agree
    assert Counter(type(r).__name__ for r in results) == {"Redemption": 2, "NotEligible": 13}, results
    assert all(r.field == "perMemberLimit" for r in results if not isinstance(r, Redemption))
    assert (await Reward.get(id=mug.id)).stock == 48
    assert await balance(alex) == 10_000 - 200


async def test_a_timed_out_hold_released_by_everyone_at_once_is_refunded_once(program):
    # given a hold past its time, with two units of stock left after it
    alex = await factories.member(program)
    await reward_factories.give_points(program, alex, 1000)
    cinema = await reward_factories.reward(program, cost_points=800, stock=3, fulfilment=Fulfilment.HOLD, hold_minutes=30)
    held = await redeem_reward(program, str(alex.id), cinema.id, "hold", NOW)
    later = NOW + timedelta(minutes=31)
    # when timeout runs, the till's release and the member's cancel all arrive together
    results = await asyncio.gather(
        *(release_expired_holds(later) for _ in range(6)),
        *(release_redemption(program, held.code, f"till-{i}", later) for i in range(6)),
        *(cancel_redemption(program, str(alex.id), held.id, f"undo-{i}", later) for i in range(6)),
        return_exceptions=True,
    )
    # then exactly one of them gave the points back; the others found it closed
    unexpected = [r for r in results if isinstance(r, Exception) and type(r).__name__ != "NotEligible"]
    assert unexpected == []
    refunds = await LedgerEntry.filter(member_id=alex.id, kind=LedgerKind.REFUND).count()
    assert refunds == 1
    assert (await Redemption.get(id=held.id)).status in (RedemptionStatus.RELEASED, RedemptionStatus.CANCELLED)
    assert (await Reward.get(id=cinema.id)).stock == 3
    assert await balance(alex) == 1000
