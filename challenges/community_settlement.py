"""Settling community challenges: once the collective goal of a period is crossed, every
member who contributed hears of it and receives the challenge's reward.

Why a job, not the crossing transaction: paying hundreds of contributors inside the
purchase or activity that crossed the line would lock every one of them in that
transaction (slow, and a deadlock waiting to happen with their own purchases). Here each
contributor is settled in a transaction of their own that takes the locks in the order
purchases take them (the member's row first, then their progress row), so it queues
behind a purchase of that member instead of deadlocking with it.

Idempotent: a contributor's progress row is marked `rewarded_at` by a guarded update in
the same transaction as the reward, so a second run (or a second worker) pays nobody
twice. A contribution that arrives after the goal was reached reopens the period
(`settled_at` cleared by the increment itself), so late contributors are settled by the
next run.
"""

from __future__ import annotations

from datetime import datetime

from challenges.events import ChallengeCompleted
from challenges.goals import Measure
from challenges.models import Challenge, ChallengeProgress, CommunityProgress
from challenges.progress import notify_progress, reward_member
from domain import ledger
from domain.errors import NotFound
from domain.events import event_bus
from domain.models import Program
from domain.unit_of_work import unit_of_work

COMPLETE = 100  # the milestone that says "the goal is reached"


async def settle_community_challenges(now: datetime, batch: int = 100) -> int:
    """Settle every reached community goal that has unsettled contributors; returns how
    many contributors were settled by this run."""
    settled = 0
    while True:
        totals = await CommunityProgress.filter(completed_at__isnull=False, settled_at__isnull=True).order_by("id").limit(batch)
        if not totals:
            return settled
        for total in totals:
            settled += await _settle_period(total, now)


async def _settle_period(total: CommunityProgress, now: datetime) -> int:
    challenge = await Challenge.get(id=total.challenge_id)  # type: ignore[attr-defined]
    program = await Program.get(id=challenge.program_id)  # type: ignore[attr-defined]
    contributors = await ChallengeProgress.filter(
        challenge_id=challenge.id, period_key=total.period_key, rewarded_at__isnull=True, value__gt=0,
    ).order_by("id")
    settled = 0
    for row in contributors:
        settled += await _settle_contributor(program, challenge, total, row, now)
    # Settled only if no contribution arrived meanwhile (it changes the total, and clears
    # `settled_at` itself if it commits after this update): the next run takes it then.
    await CommunityProgress.filter(id=total.id, value=total.value).update(settled_at=now)
    return settled


async def _settle_contributor(
    program: Program, challenge: Challenge, total: CommunityProgress, row: ChallengeProgress, now: datetime,
) -> int:
    target = int(challenge.community_target or 0)
    reached_at = total.completed_at or now
    async with unit_of_work.transaction():
        try:
            await ledger.lock_member(program.id, str(row.member_id))  # type: ignore[attr-defined]
        except NotFound:
            # Erased since: nobody to pay or tell; never look at this row again.
            await ChallengeProgress.filter(id=row.id).update(rewarded_at=now)
            return 0
        if await ChallengeProgress.filter(id=row.id, rewarded_at__isnull=True).update(rewarded_at=now) == 0:
            return 0  # another run settled this contributor first
        member_id = str(row.member_id)  # type: ignore[attr-defined]
        await reward_member(program, member_id, challenge, reached_at)
        fresh = await ChallengeProgress.get(id=row.id)
        if COMPLETE not in fresh.milestones_reached:
            # Contributors who crossed the line (or gave after it) heard it with their
            # contribution; everyone else hears it now, once.
            reached = sorted({*fresh.milestones_reached, *challenge.milestones, COMPLETE})
            await ChallengeProgress.filter(id=row.id).update(milestones_reached=reached)
            shown = Measure(total.value, target, 100, True)
            await notify_progress(program.id, member_id, challenge, total.period_key, COMPLETE, shown, now)
            await event_bus.publish(ChallengeCompleted(program.id, member_id, challenge.id, total.period_key, reached_at))
    return 1
