"""PostgreSQL goes down under load (a throwaway server of the test's own, stopped and
started again mid-load): requests fail cleanly with a retryable code, the API recovers
without a restart, and retrying with the same keys earns every purchase exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.context import TortoiseContext
from tortoise.functions import Sum

from api.database import tortoise_config
from domain.models import LedgerEntry, Member, Program
from domain.programs import get_or_create_program
from tests import factories
from tests.conftest import requires_postgres
from tests.faults.servers import ThrowawayPostgres, throwaway_postgres
from tests.graphql_client import INTEGRATION, GraphQLClient

PURCHASE = """mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { __typename ... on PurchaseRecorded { pointsEarned } } }"""
CLIENTS = 8
AFTER_RECOVERY = 10  # each client goes on until it sent this many after the restart
MAX_PER_CLIENT = 500  # bounded load, even if failures come back fast
OUTAGE_SECONDS = 1.0
BOUGHT_AT = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()  # one value: a retry is a replay


@dataclass(frozen=True)
class Sent:
    key: str
    member_id: str
    euros: int
    outcome: str  # PurchaseRecorded, or the error code


@pytest.fixture
async def own_postgres(settings) -> AsyncIterator[tuple[ThrowawayPostgres, Program]]:
    with throwaway_postgres() as server:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(server.url))
            await ctx.generate_schemas()
            yield server, await get_or_create_program(settings.program_code, "Outage test")


async def send(api: GraphQLClient, member_id: str, euros: int, key: str) -> str:
    purchase = {"memberId": member_id, "amount": euros * 100, "currency": "EUR", "idempotencyKey": key,
                "occurredAt": BOUGHT_AT}
    result = await asyncio.wait_for(api.execute(PURCHASE, {"input": purchase}, as_=INTEGRATION), timeout=30)
    if result.errors:
        return ",".join(str(code) for code in result.error_codes)
    return result.body["data"]["recordPurchase"]["__typename"]


async def client(api: GraphQLClient, n: int, member_id: str, log: list[Sent], recovered: asyncio.Event) -> None:
    """Sends purchases until it has sent AFTER_RECOVERY of them after the restart: a refused
    connection fails fast, so a fixed count could be spent entirely during the outage."""
    after = 0
    for i in range(MAX_PER_CLIENT):
        key, euros = f"client-{n}-receipt-{i}", 1 + (n + i) % 7
        log.append(Sent(key, member_id, euros, await send(api, member_id, euros, key)))
        after += recovered.is_set()
        if after >= AFTER_RECOVERY:
            return
        await asyncio.sleep(0.01)


async def outage(server: ThrowawayPostgres, log: list[Sent], recovered: asyncio.Event) -> tuple[int, int]:
    """Stops the server once the load is under way; returns the log positions around it."""
    while len(log) < CLIENTS * 5:
        await asyncio.sleep(0.01)
    await asyncio.to_thread(server.stop)
    down_at = len(log)
    started = time.monotonic()
    while time.monotonic() - started < OUTAGE_SECONDS:
        await asyncio.sleep(0.05)
    await asyncio.to_thread(server.start)
    recovered.set()
    return down_at, len(log)


@requires_postgres
async def test_postgres_restart_mid_load_fails_cleanly_and_recovers_without_an_api_restart(
    own_postgres, settings, redis
):
    server, program = own_postgres
    members = [str((await factories.member(program, f"load-{n}")).id) for n in range(CLIENTS)]
    log: list[Sent] = []
    recovered = asyncio.Event()
    async with GraphQLClient.running(settings, redis) as api:
        # when clients send purchases while the database stops for a second and starts again
        *_, (down_at, up_at) = await asyncio.wait_for(asyncio.gather(
            *(client(api, n, m, log, recovered) for n, m in enumerate(members)), outage(server, log, recovered)
        ), timeout=120)
        outcomes = Counter(sent.outcome for sent in log)
        # then every request got an answer: a purchase, or the retryable outage code
        assert set(outcomes) <= {"PurchaseRecorded", "SERVICE_UNAVAILABLE"}, outcomes
        assert outcomes["SERVICE_UNAVAILABLE"] > 0, "the outage went unnoticed: no request hit it"
        # and shortly after the restart the API serves again (pooled connections the restart
        # cut fail once each, then reconnect); the last requests of every client succeeded
        assert all(sent.outcome == "PurchaseRecorded" for sent in log[-CLIENTS:])
        assert sum(sent.outcome != "PurchaseRecorded" for sent in log[up_at + CLIENTS * 2:]) == 0

        # when the failed requests are retried with their own keys
        for sent in [s for s in log if s.outcome != "PurchaseRecorded"]:
            assert await send(api, sent.member_id, sent.euros, sent.key) == "PurchaseRecorded"
        # and a successful one is replayed
        first = log[0]
        assert await send(api, first.member_id, first.euros, first.key) == "PurchaseRecorded"

    # then every purchase earned exactly once: nothing half-written, nothing doubled
    for member_id in members:
        expected = sum(s.euros for s in log if s.member_id == member_id)
        member = await Member.get(id=member_id)
        ledger = await LedgerEntry.filter(member_id=member_id).annotate(total=Sum("points")).first().values("total")
        assert member.points_balance == ledger["total"] == expected
    assert down_at < up_at
