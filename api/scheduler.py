"""The worker's periodic jobs: expiring points, reminding members before they expire,
releasing reward holds the till never answered, reviewing tiers that are due.

Why not APScheduler: the worker already runs a clock-driven loop (`OutboxWorker.run_forever`
calls `Schedule.tick` between outbox batches), every job is idempotent and catches up on
whatever is due when it runs, so missed or doubled runs (a restart, two workers) are
harmless; a scheduler library would add a second timing loop and a job store for nothing.

Each job is bounded by a timeout (the outbox waits while a job runs), logged with what it
did, and a failure is logged and retried on the job's next beat: it never stops the worker
or the other jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from challenges.community_settlement import settle_community_challenges
from challenges.notification_triggers import remind_expiring_points
from domain.models import Program
from domain.points import expire_points
from domain.rewards.holds import release_expired_holds
from domain.tiers import review_due_tiers

log = logging.getLogger(__name__)

JobRun = Callable[[datetime], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobRun  # given the moment of the tick; returns how many things it did
    timeout: timedelta = timedelta(minutes=10)


async def review_tiers(now: datetime) -> int:
    """`loyalty review-tiers` for every program: downgrades reach members who stopped
    buying. A reviewed member's next review is months away, so a second run moves nobody."""
    moved = 0
    for program in await Program.all():
        moved += await review_due_tiers(program, now)
    return moved


def worker_jobs() -> list[Job]:
    return [
        Job("release-holds", timedelta(minutes=5), release_expired_holds),
        Job("expire-points", timedelta(hours=1), expire_points),
        # Reminders are keyed by member and expiry day: daily finds every lot within the
        # 7-day notice at least once, and a second run that day queues nothing again.
        Job("remind-expiring", timedelta(days=1), remind_expiring_points),
        # Community goals reached: every contributor told and rewarded, once each.
        Job("settle-community-challenges", timedelta(minutes=5), settle_community_challenges),
        # Tier reviews fall due by the day (tier_review_at): daily is soon enough.
        Job("review-tiers", timedelta(days=1), review_tiers),
    ]


@dataclass
class Schedule:
    jobs: list[Job]
    next_run: dict[str, datetime] = field(default_factory=dict)  # absent: due now

    def due(self, now: datetime) -> list[Job]:
        return [job for job in self.jobs if self.next_run.get(job.name, now) <= now]

    async def tick(self, now: datetime) -> dict[str, int | None]:
        """Run the jobs due at `now`, in order; each job's result, None when it failed."""
        results: dict[str, int | None] = {}
        for job in self.due(now):
            self.next_run[job.name] = now + job.every  # a failing job waits its turn too
            results[job.name] = await run_job(job, now)
        return results

    async def run_all(self, now: datetime) -> dict[str, int | None]:
        """Every job once, due or not: `loyalty worker --once`."""
        self.next_run.clear()
        return await self.tick(now)


async def run_job(job: Job, now: datetime) -> int | None:
    try:
        done = await asyncio.wait_for(job.run(now), timeout=job.timeout.total_seconds())
    except TimeoutError:
        log.warning("job %s stopped after %s; it resumes where it stopped next time", job.name, job.timeout)
        return None
    except Exception:  # noqa: BLE001 - a job's failure must not stop the worker
        log.exception("job %s failed; retried in %s", job.name, job.every)
        return None
    log.info("job %s: %s", job.name, done)
    return done
