"""Many requests for one member at the same moment, on PostgreSQL with a pool wide enough
that they really run in parallel transactions (SQLite serialises writers, so it proves
nothing here).

What must hold: nobody spends points twice, one receipt earns once, the nightly expiry
run and a member's requests never fail each other, and the member's balance always
equals their ledger and their lots.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import accumulate

import asyncpg
import pytest
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext

from api.database import tortoise_config
from domain.errors import InsufficientPoints
from domain.models import EarnLot, IdempotencyRecord, LedgerEntry, Member, Program, Purchase, TierChange
from domain.points import expire_points, spend_points
from domain.programs import get_or_create_program
from domain.purchases import record_purchase, reverse_purchase
from tests import factories
from tests.conftest import _empty_all_tables, requires_postgres
from tests.factories import NOW

pytestmark = requires_postgres

# Tortoise's asyncpg pool defaults to minsize=1, maxsize=5 and reads both from the URL's
# query string. 20 parallel transactions is well within max_connections (100 here).
POOL_SIZE = 20


@pytest.fixture
async def program(postgres_database: str) -> AsyncIterator[Program]:
    """The conftest program, but on a pool of POOL_SIZE connections instead of 5."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(f"{postgres_database}?maxsize={POOL_SIZE}"))
        await _empty_all_tables(ctx)
        assert pool().get_max_size() == POOL_SIZE
        yield await get_or_create_program("concurrency", "Concurrent Rewards")


def pool():
    return get_connection("default")._pool


async def assert_ledger_consistent(member_id: object) -> int:
    member = await Member.get(id=member_id)
    entries = sum(await LedgerEntry.filter(member_id=member_id).values_list("points", flat=True))
    lots = sum(await EarnLot.filter(member_id=member_id).values_list("remaining", flat=True))
    assert member.points_balance == entries == lots
    return member.points_balance


async def test_fifty_simultaneous_spends_never_spend_more_than_the_balance(program):
    # given a member with 1000 points in four lots
    member = await factories.member(program)
    for day in range(4):
        await factories.purchase(program, member.id, amount=250_00, now=NOW + timedelta(days=day))
    later = NOW + timedelta(days=5)
    # when 50 rewards of 30 points are redeemed at the same moment, each its own request
    results = await asyncio.gather(
        *(spend_points(program, str(member.id), 30, "coffee", f"redeem-{i}", later) for i in range(50)),
        return_exceptions=True,
    )
    # then exactly 33 go through and 17 are refused for lack of points: no error of
    # another kind (a deadlock, a lost race), no overspend
    outcomes = Counter(type(result).__name__ for result in results)
    assert outcomes == {"LedgerOutcome": 33, "InsufficientPoints": 17}, results
    assert all(r.available < 30 for r in results if isinstance(r, InsufficientPoints))
    # the spends were serialised: each reports a different balance, 970 down to 10
    balances = sorted(r.balance for r in results if not isinstance(r, Exception))
    assert balances == list(range(10, 1000, 30))
    assert await assert_ledger_consistent(member.id) == 10
    # and they did run in parallel: the pool had to open all its connections
    assert pool().get_size() == POOL_SIZE


async def test_a_receipt_sent_many_times_at_once_earns_once(program):
    # given a till that retries one receipt 20 times in parallel (same idempotency key)
    member = await factories.member(program)
    receipt = factories.report(member.id, amount=80_00, key="till-7-receipt-1001")
    results = await asyncio.gather(
        *(record_purchase(program, receipt, NOW) for _ in range(20)), return_exceptions=True
    )
    # then every caller gets the one result, and one purchase earned 80 points
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert len({r.purchase_id for r in results}) == 1
    assert all(r == results[0] for r in results)
    assert (results[0].points_earned, results[0].balance) == (80, 80)
    assert await Purchase.filter(member_id=member.id).count() == 1
    assert await IdempotencyRecord.all().count() == 1
    assert await assert_ledger_consistent(member.id) == 80


async def test_simultaneous_purchases_each_earn_and_move_tiers_once(program):
    # given Bronze/Silver(500, x1.25)/Gold(2000, x1.5) and a new Bronze member
    await factories.standard_tiers(program)
    member = await factories.member(program)
    # when 30 different purchases of 100 EUR arrive together
    results = await asyncio.gather(
        *(factories.purchase(program, member.id, amount=100_00, key=f"receipt-{i}") for i in range(30)),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    # then, purchase by purchase: 5 x 100 at Bronze, 12 x 125 at Silver, 13 x 150 at Gold
    earned_in_order = [100] * 5 + [125] * 12 + [150] * 13
    assert Counter(r.points_earned for r in results) == Counter(earned_in_order)
    # serialised per member: the balances reported are the running totals, each once
    assert sorted(r.balance for r in results) == list(accumulate(earned_in_order))
    assert await assert_ledger_consistent(member.id) == sum(earned_in_order) == 3950
    # each upgrade happened exactly once
    moves = await TierChange.filter(member_id=member.id).order_by("id").prefetch_related("from_tier", "to_tier")
    assert [(m.from_tier.name, m.to_tier.name, m.reason) for m in moves] == [
        ("Bronze", "Silver", "upgrade"), ("Silver", "Gold", "upgrade")]
    assert (await Member.get(id=member.id)).lifetime_earned == 3950


async def wait_for_lock_waiters(admin: asyncpg.Connection, count: int) -> None:
    database = await admin.fetchval("SELECT current_database()")
    for _ in range(100):
        # inside a transaction pg_stat_activity is a snapshot taken once: refresh it
        await admin.execute("SELECT pg_stat_clear_snapshot()")
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", database)
        if waiting >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} transactions waiting for a lock, saw {waiting}")


async def test_a_return_during_the_expiry_run_neither_fails_nor_stops_the_run(program, postgres_database):
    # given a purchase whose 80 points expired yesterday; the nightly run hasn't reached them
    program.points_expiry_months = 1
    await program.save()
    member = await factories.member(program)
    bought = await factories.purchase(program, member.id, amount=80_00)
    lot = await EarnLot.get(entry__purchase_id=bought.purchase_id)
    night = lot.expires_at + timedelta(days=1)
    # when the expiry run and the return reach that lot at the same moment (a third
    # transaction holds the lot briefly so that both queue on it, the run first)
    admin = await asyncpg.connect(postgres_database)
    tasks: list[asyncio.Task] = []
    try:
        await admin.execute("BEGIN")
        await admin.execute("SELECT 1 FROM earn_lot WHERE id = $1 FOR UPDATE", lot.id)
        tasks.append(asyncio.create_task(expire_points(night)))
        await wait_for_lock_waiters(admin, 1)
        tasks.append(asyncio.create_task(
            reverse_purchase(program, bought.purchase_id, "returned", "return-1", "pos", night)))
        await wait_for_lock_waiters(admin, 2)
    finally:
        await admin.close()  # rolls the holder back: the queued transactions go on
        results = await asyncio.gather(*tasks, return_exceptions=True)
    expired, reversal = results
    # then both finish: the 80 points leave once, as expired or as taken back
    assert not isinstance(expired, Exception), repr(expired)
    assert not isinstance(reversal, Exception), repr(reversal)
    assert expired + reversal.points_reversed == 80
    assert await assert_ledger_consistent(member.id) == 0
