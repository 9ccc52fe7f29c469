"""The push worker is killed (SIGKILL, a real process) in the middle of delivering a batch:
nothing is lost, and whatever reaches a device twice carries the same idempotency key."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest

from challenges import outbox
from challenges.delivery.providers import ProviderConfig, open_providers
from challenges.delivery.worker import OutboxWorker, WorkerOptions, utcnow
from challenges.models import OutboxMessage
from tests import factories
from tests.challenges.fake_providers import fake_provider

SECRET = "webhook-secret-for-tests-0123456789abcdef"
MESSAGES = 20
BATCH = 5
LEASE = timedelta(seconds=10)


@pytest.fixture
def database_url(tmp_path: Path, postgres_database: str | None) -> str:
    """The test's own database, as the `db` fixture opened it, for another process."""
    return postgres_database or f"sqlite://{tmp_path}/loyalty.sqlite3"


def start_worker(database_url: str, webhook_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": "memory://", "LOYALTY_ENV": "test",
           "PUSH_WEBHOOK_URL": webhook_url, "PUSH_WEBHOOK_SECRET": SECRET,
           "PUSH_LEASE_SECONDS": str(int(LEASE.total_seconds()))}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", "--batch-size", str(BATCH), "--poll-seconds", "0.2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


async def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_with_the_same_key(
    program, database_url
):
    # given twenty queued pushes
    someone = await factories.member(program)
    for n in range(MESSAGES):
        await outbox.enqueue(program.id, str(someone.id), "badge", "Badge", "Earned", {}, f"badge:{n}", factories.NOW)
    async with fake_provider(delay_seconds=0.3) as receiver:
        # when a worker process is killed while a batch is in flight
        worker = start_worker(database_url, f"{receiver.base_url}/push")
        try:
            for _ in range(600):  # at most ~60 s for the first batch and a half to arrive
                if len(receiver.received) >= BATCH + 2:
                    break
                await asyncio.sleep(0.1)
            worker.send_signal(signal.SIGKILL)
        finally:
            worker.wait(timeout=10)
        received_before_kill = len(receiver.received)
        assert BATCH < received_before_kill < MESSAGES, "the kill did not land mid-delivery"

        # and another worker takes over once the dead worker's leases have run out
        config = ProviderConfig(webhook_url=f"{receiver.base_url}/push", webhook_secret=SECRET)
        async with open_providers(config) as providers:
            successor = OutboxWorker(providers, WorkerOptions(batch_size=BATCH, lease=LEASE),
                                     clock=lambda: utcnow() + LEASE + timedelta(seconds=1))
            for _ in range(MESSAGES):  # bounded: one message a round would still finish
                if not (await successor.run_once()).claimed:
                    break

    # then every push arrived, and each delivery of one push carried one and the same key
    keys_by_push: dict[str, set[str]] = defaultdict(set)
    for request in receiver.received:
        keys_by_push[request.json()["idempotency_key"]].add(request.headers["idempotency-key"])
    assert len(keys_by_push) == MESSAGES
    assert all(keys == {push} for push, keys in keys_by_push.items())
    # and only the batch in flight at the kill could arrive twice
    assert MESSAGES <= len(receiver.received) <= MESSAGES + BATCH
    assert await OutboxMessage.filter(status="delivered").count() == MESSAGES
