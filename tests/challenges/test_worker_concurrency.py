"""PostgreSQL: workers and writers in parallel transactions, where row locks are real."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator

from tortoise.transactions import in_transaction

from challenges import outbox
from challenges.delivery.providers import ProviderConfig, open_providers
from challenges.delivery.worker import OutboxWorker, WorkerOptions
from challenges.models import OutboxMessage
from tests import factories
from tests.challenges.fake_providers import FakeProvider, fake_provider
from tests.conftest import requires_postgres

SECRET = "webhook-secret-for-tests-0123456789abcdef"


@contextlib.asynccontextmanager
async def worker_for(receiver: FakeProvider) -> AsyncIterator[OutboxWorker]:
    config = ProviderConfig(webhook_url=f"{receiver.base_url}/push", webhook_secret=SECRET)
    async with open_providers(config) as providers:
        yield OutboxWorker(providers, WorkerOptions(batch_size=5))


async def drain(worker: OutboxWorker) -> int:
    claimed = 0
    while batch := (await worker.run_once()).claimed:
        claimed += batch
    return claimed


@requires_postgres
async def test_two_workers_draining_one_outbox_never_deliver_a_message_twice(program):
    # given 40 intents and a slow receiver (so that the workers' claims overlap)
    someone = await factories.member(program)
    for n in range(40):
        await outbox.enqueue(program.id, str(someone.id), "badge", "Badge", "Earned", {}, f"badge:{n}", factories.NOW)
    async with fake_provider(delay_seconds=0.02) as receiver, worker_for(receiver) as a, worker_for(receiver) as b:
        # when two workers drain it at the same time
        claimed = await asyncio.gather(drain(a), drain(b))
    # then each message reached the receiver exactly once, and both workers did work
    keys = Counter(r.headers["idempotency-key"] for r in receiver.received)
    assert len(keys) == 40 and set(keys.values()) == {1}
    assert sum(claimed) == 40 and min(claimed) > 0
    assert await OutboxMessage.filter(status="delivered").count() == 40


@requires_postgres
async def test_two_transactions_queueing_the_same_cause_both_commit_with_one_intent(program):
    # given one cause reported twice at once (say, a retried activity report)
    someone = await factories.member(program)
    started = asyncio.Barrier(2)

    async def report(name: str) -> None:
        async with in_transaction():
            await started.wait()  # both looked for the cause before either queued it
            await outbox.enqueue(program.id, str(someone.id), "badge", "Badge", "Earned", {}, "badge:same",
                                 factories.NOW)
            await OutboxMessage.create(program_id=program.id, member_id=someone.id, category="badge",
                                       title=name, body="marker", dedupe_key=f"marker:{name}",
                                       next_attempt_at=factories.NOW, created_at=factories.NOW)

    # when both transactions run (the second's insert waits on the unique key, then fails)
    await asyncio.gather(report("first"), report("second"))
    # then there is one intent for the cause, and neither transaction was rolled back
    assert await OutboxMessage.filter(dedupe_key="badge:same").count() == 1
    assert await OutboxMessage.filter(body="marker").count() == 2
