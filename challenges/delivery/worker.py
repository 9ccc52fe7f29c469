"""The outbox worker: claim due messages, deliver them, record what happened.

Claiming is one short transaction: `SELECT ... FOR UPDATE SKIP LOCKED` picks due rows no
other worker is claiming, and marks them in flight under a lease. Delivery happens
outside any transaction (a slow provider must not hold row locks). A worker killed
mid-delivery leaves leases that expire, and the messages are claimed again: delivery is
at least once, and each carries an idempotency key so that a repeat is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import prometheus_client
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from challenges.delivery.backoff import RetryPolicy
from challenges.delivery.providers import Providers
from challenges.delivery.push import DeliveryResult, Outcome, Push, Target
from challenges.devices import forget_token
from challenges.models import Device, OutboxMessage
from challenges.notification_preferences import NotificationCategory, decide, preference_of
from challenges.outbox import OutboxStatus
from domain.models import Member

log = logging.getLogger(__name__)

# Each message's attempt, by how it ended (delivered, pending = retry later, dead, no_device,
# switched_off, lease_lost, error): deliveries and failures on the process's /metrics.
PUSH_DELIVERIES = prometheus_client.Counter(
    "push_deliveries", "Outbox delivery attempts by outcome", ["outcome"]
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WorkerOptions:
    batch_size: int = 50  # messages claimed per transaction: bounds a lease's work
    lease: timedelta = timedelta(minutes=2)  # longer than a batch's deliveries take
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: int = 10  # messages of a batch in flight at once


@dataclass
class BatchReport:
    claimed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # final status -> count

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.outcomes.items()))
        return f"{self.claimed} claimed" + (f": {parts}" if parts else "")


@dataclass(frozen=True)
class Finish:
    """How one attempt ends for a message."""

    status: OutboxStatus
    next_attempt_at: datetime | None = None
    error: str | None = None
    attempts_delta: int = 0  # -1 when held: waiting for quiet hours is not an attempt
    held_until: datetime | None = None


class OutboxWorker:
    def __init__(
        self,
        providers: Providers,
        options: WorkerOptions | None = None,
        clock: Callable[[], datetime] = utcnow,
        random_unit: Callable[[], float] = random.random,
    ) -> None:
        self.providers = providers
        self.options = options or WorkerOptions()
        self.clock = clock
        self.random_unit = random_unit

    async def claim(self) -> tuple[str, list[OutboxMessage]]:
        """Due messages for this worker alone, marked in flight; with the claim's token."""
        now = self.clock()
        token = str(uuid.uuid4())
        due = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
            status=OutboxStatus.IN_FLIGHT, locked_until__lte=now  # a dead worker's lease
        )
        async with in_transaction():
            # `.only("id")`, not `.values_list()`: tortoise drops FOR UPDATE from the latter.
            locked = await (
                OutboxMessage.filter(due).order_by("next_attempt_at", "id")
                .limit(self.options.batch_size).select_for_update(skip_locked=True).only("id")
            )
            ids = [row.id for row in locked]
            if not ids:
                return token, []
            # `due` again: where row locks don't exist (SQLite), a worker that read the
            # same rows before our commit updates none of them, instead of claiming twice.
            await OutboxMessage.filter(due, id__in=ids).update(
                status=OutboxStatus.IN_FLIGHT, locked_until=now + self.options.lease,
                lease_token=token, attempts=F("attempts") + 1,
            )
            claimed = await OutboxMessage.filter(id__in=ids, lease_token=token).order_by("next_attempt_at", "id")
        return token, claimed

    async def run_once(self) -> BatchReport:
        """Claim one batch and deliver it: the bounded unit of `loyalty worker --once`."""
        token, messages = await self.claim()
        report = BatchReport(claimed=len(messages))
        gate = asyncio.Semaphore(self.options.concurrency)

        async def one(message: OutboxMessage) -> None:
            async with gate:
                try:
                    outcome = await self.deliver(message, token)
                except Exception:  # noqa: BLE001 - a bug or a lost database: the lease brings it back
                    log.exception("delivering outbox message %s failed; it returns when its lease ends",
                                  message.id)
                    outcome = "error"
                report.outcomes[outcome] += 1
                PUSH_DELIVERIES.labels(outcome).inc()

        await asyncio.gather(*(one(m) for m in messages))
        return report

    async def deliver(self, message: OutboxMessage, token: str) -> str:
        finish = await self._attempt(message)
        changes = {
            "status": finish.status,
            "next_attempt_at": finish.next_attempt_at or message.next_attempt_at,
            "last_error": finish.error,
            "delivered_to": message.delivered_to,
            "delivered_at": self.clock() if finish.status == OutboxStatus.DELIVERED else None,
            "attempts": F("attempts") + finish.attempts_delta,
            "locked_until": None,
            "lease_token": None,
        }
        if finish.held_until:
            changes["held_until"] = finish.held_until
        changed = await OutboxMessage.filter(
            id=message.id, lease_token=token, status=OutboxStatus.IN_FLIGHT
        ).update(**changes)
        if not changed:
            # Our lease ran out and another worker took the message: its record wins.
            log.warning("outbox message %s: lease lost before recording %s", message.id, finish.status)
            return "lease_lost"
        return finish.status.value

    async def _attempt(self, message: OutboxMessage) -> Finish:
        now = self.clock()
        member = await Member.get_or_none(id=message.member_id)
        if member is None:
            return Finish(OutboxStatus.DEAD, error="the member no longer exists")
        # The member's wishes may have changed since the intent was queued.
        category = NotificationCategory(message.category)
        decision = decide(await preference_of(str(member.id), category), member.time_zone, now)
        if not decision.send:
            return Finish(OutboxStatus.SWITCHED_OFF, error=f"{category.value} notifications are off")
        if decision.held_until:
            return Finish(OutboxStatus.PENDING, decision.held_until, attempts_delta=-1,
                          held_until=decision.held_until)
        done: list[str] = list(message.delivered_to or [])
        devices = await Device.filter(member_id=member.id).order_by("id")
        targets = [t for t in self.providers.targets(devices) if t.key not in done]
        push = Push(message.id, message.program_id, str(member.id), message.category, message.title,
                    message.body, message.data, message.dedupe_key, message.created_at, message.attempts)
        results = [(t, await self.providers.send(push, t)) for t in targets]
        for target, result in results:
            if result.outcome == Outcome.DELIVERED:
                done.append(target.key)
            elif result.outcome == Outcome.GONE and target.device_id is not None:
                await forget_token(target.device_id)
        message.delivered_to = done
        return self._finish(message, results, now)

    def _finish(self, message: OutboxMessage, results: list[tuple[Target, DeliveryResult]],
                now: datetime) -> Finish:
        def errors(*outcomes: Outcome) -> str:
            return "; ".join(f"{t.key}: {r.detail}" for t, r in results if r.outcome in outcomes)

        outcomes = {r.outcome for _, r in results}
        if Outcome.REJECTED in outcomes:
            return Finish(OutboxStatus.DEAD, error=errors(Outcome.REJECTED, Outcome.RETRY))
        if Outcome.RETRY in outcomes:
            if self.options.retry.exhausted(message.attempts):
                return Finish(OutboxStatus.DEAD, error=f"gave up after {message.attempts} attempts: "
                              + errors(Outcome.RETRY))
            wait = self.options.retry.delay(message.attempts, self.random_unit)
            asked = max((r.retry_after_seconds or 0.0 for _, r in results), default=0.0)
            wait = max(wait, timedelta(seconds=asked))
            return Finish(OutboxStatus.PENDING, now + wait, errors(Outcome.RETRY))
        if message.delivered_to:
            return Finish(OutboxStatus.DELIVERED)
        why = errors(Outcome.SKIPPED, Outcome.GONE) or "the member has no device"
        return Finish(OutboxStatus.NO_DEVICE, error=why)

    async def run_forever(
        self,
        stop: asyncio.Event,
        poll_seconds: float = 2.0,
        periodic: Callable[[datetime], Awaitable[object]] | None = None,
        periodic_every: timedelta = timedelta(hours=1),
    ) -> None:
        """Drain until `stop` is set; `periodic` (the expiry reminders) runs on its own beat."""
        next_periodic = self.clock()
        while not stop.is_set():
            if periodic is not None and self.clock() >= next_periodic:
                next_periodic = self.clock() + periodic_every  # a failing job waits its turn too
                try:
                    await periodic(self.clock())
                except Exception:  # noqa: BLE001 - reminders failing must not stop deliveries
                    log.exception("periodic outbox job failed")
            busy = False
            try:
                report = await self.run_once()
                busy = report.claimed >= self.options.batch_size
                if report.claimed:
                    log.info("outbox batch: %s", report)
            except Exception:  # noqa: BLE001 - keep serving; the database may come back
                log.exception("outbox worker iteration failed")
            if not busy:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
                except TimeoutError:
                    pass
