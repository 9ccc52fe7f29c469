"""Challenge progress, moved by purchases, earn credits and activities.

The handlers run on the domain's event bus INSIDE the transaction of the purchase or
activity: progress, rewards and milestone notifications commit with their cause or not
at all. A replayed request publishes no event, so it never counts twice.

Times: progress is reached when its cause happened (the purchase's or activity's
occurred_at, the credit's earned_at), which also places it in the right period when it
is reported late; completion, rewards and notifications carry that moment too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.expressions import F
from tortoise.functions import Count

from challenges import outbox
from challenges.badges import award_badge
from challenges.challenge_catalog import ChallengeStatus
from challenges.enrolment import segments_of, takes_part
from challenges.challenge_periods import Period, Window, local_day, period_at
from challenges.events import ActivityRecorded, ChallengeCompleted, ChallengeProgressed
from challenges.goals import Goal, GoalEvent, Measure, fold, measure, new_milestones
from challenges.models import Challenge, ChallengeParticipation, ChallengeProgress, CommunityProgress
from domain import ledger
from domain.events import EventBus, PointsEarned, PurchaseRecorded, event_bus
from domain.models import LedgerKind, Member, Program, Purchase

NOTIFICATION_CATEGORY = "challenge_progress"

# Set while a challenge reward is credited: its PointsEarned must not feed points goals
# (a reward completing another challenge whose reward completes another...).
_granting_reward: ContextVar[bool] = ContextVar("granting_challenge_reward", default=False)


@contextmanager
def _granting() -> Iterator[None]:
    token = _granting_reward.set(True)
    try:
        yield
    finally:
        _granting_reward.reset(token)


@dataclass
class _Candidate:
    challenge: Challenge
    goal: Goal
    period: Period


async def on_purchase(event: PurchaseRecorded) -> None:
    async def goal_event(tz: ZoneInfo) -> GoalEvent:
        purchase = await Purchase.get(id=event.purchase_id)
        items = tuple((item.get("category"), item["quantity"] * item["unit_price"]) for item in purchase.items)
        return GoalEvent("purchase", local_day(event.occurred_at, tz), amount=event.amount, items=items)

    await _advance(event.program_id, event.member_id, "purchase", event.occurred_at, goal_event)


async def on_points_earned(event: PointsEarned) -> None:
    if event.kind != LedgerKind.EARN.value or _granting_reward.get():
        return

    async def goal_event(tz: ZoneInfo) -> GoalEvent:
        return GoalEvent("points", local_day(event.earned_at, tz), points=event.points)

    await _advance(event.program_id, event.member_id, "points", event.earned_at, goal_event)


async def on_activity(event: ActivityRecorded) -> None:
    async def goal_event(tz: ZoneInfo) -> GoalEvent:
        return GoalEvent(
            "activity", local_day(event.occurred_at, tz), activity_type=event.type_code,
            attributes=event.attributes, impact=event.impact_amount,
        )

    await _advance(event.program_id, event.member_id, "activity", event.occurred_at, goal_event)


async def _candidates(program: Program, member_id: str, kind: str, moment: datetime) -> list[_Candidate]:
    """Published challenges this event could move, that the member takes part in, in
    the period of `moment`, below their completion cap. Ordered by id: transactions
    touching several community totals lock them in one order (no deadlock)."""
    tz = ZoneInfo(program.time_zone)
    found: list[_Candidate] = []
    for challenge in await Challenge.filter(program_id=program.id, status=ChallengeStatus.PUBLISHED.value).order_by("id"):
        goal = Goal.from_json(challenge.goal)
        period = period_at(Window.from_json(challenge.window), moment, tz)
        if goal.listens_to(kind) and period is not None:
            found.append(_Candidate(challenge, goal, period))
    if not found:
        return []
    ids = [c.challenge.id for c in found]
    member = await Member.get(id=member_id)
    tier_id = member.tier_id  # type: ignore[attr-defined]
    in_segments = await segments_of(program, member, [c.challenge for c in found], moment)
    joined = {p.challenge_id: p for p in await ChallengeParticipation.filter(member_id=member_id, challenge_id__in=ids)}
    done = await completions(member_id, ids)
    return [
        c for c in found
        if takes_part(c.challenge, tier_id, joined.get(c.challenge.id), in_segments)
        and (c.challenge.community_target is not None or done.get(c.challenge.id, 0) < c.challenge.max_completions)
    ]


async def completions(member_id: str, challenge_ids: list[int]) -> dict[int, int]:
    """How many periods of each challenge the member completed, for the cap."""
    rows = (
        await ChallengeProgress.filter(member_id=member_id, challenge_id__in=challenge_ids, completed_at__isnull=False)
        .group_by("challenge_id").annotate(n=Count("id")).values("challenge_id", "n")
    )
    return {row["challenge_id"]: row["n"] for row in rows}


async def _advance(
    program_id: int, member_id: str, kind: str, moment: datetime,
    goal_event: Callable[[ZoneInfo], Awaitable[GoalEvent]],
) -> None:
    program = await Program.get(id=program_id)
    candidates = await _candidates(program, member_id, kind, moment)
    if not candidates:
        return
    event = await goal_event(ZoneInfo(program.time_zone))
    rows = await ChallengeProgress.filter(
        member_id=member_id,
        challenge_id__in=[c.challenge.id for c in candidates],
        period_key__in=list({c.period.key for c in candidates}),
    )
    by_key = {(row.challenge_id, row.period_key): row for row in rows}  # type: ignore[attr-defined]
    for candidate in candidates:
        row = by_key.get((candidate.challenge.id, candidate.period.key))
        await _apply(program, member_id, candidate, row, event, moment)


async def _apply(
    program: Program, member_id: str, candidate: _Candidate, row: ChallengeProgress | None,
    event: GoalEvent, moment: datetime,
) -> None:
    challenge, goal, period = candidate.challenge, candidate.goal, candidate.period
    if row is not None and row.completed_at is not None:
        return  # this period is done; the next one starts afresh
    before = row.state if row else {}
    after = fold(goal, before, event)
    if after == before:
        return
    mine = measure(goal, after)
    shown, crossed = mine, mine.completed
    if challenge.community_target is not None:
        shown, crossed = await _add_to_community(challenge, period.key, mine.value - measure(goal, before).value, moment)
    reached = list(row.milestones_reached) if row else []
    milestones = new_milestones(list(challenge.milestones), reached, shown.percent)
    completed_at = moment if crossed and challenge.community_target is None else None
    fields = {
        "value": mine.value, "state": after, "percent": shown.percent,
        "milestones_reached": sorted(reached + milestones), "completed_at": completed_at, "updated_at": moment,
    }
    if row is None:
        await ChallengeProgress.create(challenge_id=challenge.id, member_id=member_id, period_key=period.key, **fields)
    else:
        await ChallengeProgress.filter(id=row.id).update(**fields)
    await event_bus.publish(ChallengeProgressed(
        program.id, member_id, challenge.id, period.key, mine.value, shown.percent, moment, milestones))
    if milestones:
        # One push for the furthest milestone an update crosses: "90%: keep going!" next
        # to "Challenge complete!" would only be noise.
        await notify_progress(program.id, member_id, challenge, period.key, max(milestones), shown, moment)
    if crossed:
        await event_bus.publish(ChallengeCompleted(program.id, member_id, challenge.id, period.key, moment))
        if challenge.community_target is None:
            await reward_member(program, member_id, challenge, moment)
        # A community goal rewards every contributor: challenges.community_settlement.


async def _add_to_community(challenge: Challenge, period_key: str, delta: int, moment: datetime) -> tuple[Measure, bool]:
    """Add a contribution to the collective total. The guarded increment locks the total's
    row until commit, so exactly one contribution sees the target being crossed."""
    target = int(challenge.community_target or 0)
    match = CommunityProgress.filter(challenge_id=challenge.id, period_key=period_key)
    # Clearing `settled_at` reopens a reached goal to the settlement job: this
    # contributor may be new and still owed the reward.
    if await match.update(value=F("value") + delta, updated_at=moment, settled_at=None) == 0:
        # First contribution of the period; a concurrent first one may insert too.
        await CommunityProgress.bulk_create(
            [CommunityProgress(challenge_id=challenge.id, period_key=period_key, value=0, updated_at=moment)],
            ignore_conflicts=True,
        )
        await match.update(value=F("value") + delta, updated_at=moment, settled_at=None)
    total = await match.get()
    crossed = total.value >= target and total.value - delta < target
    if crossed:
        await match.update(completed_at=moment)
    percent = 100 if total.value >= target else min(99, total.value * 100 // target)
    return Measure(total.value, target, percent, total.value >= target), crossed


async def notify_progress(
    program_id: int, member_id: str, challenge: Challenge, period_key: str, milestone: int,
    shown: Measure, moment: datetime,
) -> None:
    if milestone >= 100:
        title = "Challenge complete!"
        body = (f"Together you reached the goal of {challenge.name}." if challenge.community_target is not None
                else f"You completed {challenge.name}.")
    else:
        title = f"{milestone}% of {challenge.name}"
        body = f"{shown.value} of {shown.target}: keep going!"
    await outbox.enqueue(
        program_id, member_id, category=NOTIFICATION_CATEGORY, title=title, body=body,
        data={"challengeId": str(challenge.id), "periodKey": period_key, "milestone": milestone,
              "percent": shown.percent},
        dedupe_key=f"progress:{challenge.id}:{member_id}:{period_key}:{milestone}",
        now=moment,
    )


async def reward_member(program: Program, member_id: str, challenge: Challenge, moment: datetime) -> None:
    """Points are an EARN credit ("challenge <name>"): they count as points earned for
    leaderboards and lifetime totals, not toward tiers (those count purchases)."""
    if challenge.reward_points > 0:
        member = await Member.get(id=member_id)
        with _granting():
            await ledger.credit(
                member, challenge.reward_points, LedgerKind.EARN, f"challenge {challenge.name}",
                moment, ledger.LotTerms.for_program(program, moment),
            )
    if challenge.reward_badge_id is not None:  # type: ignore[attr-defined]
        await award_badge(program.id, member_id, challenge.reward_badge_id, 0, moment)  # type: ignore[attr-defined]


def register(bus: EventBus) -> None:
    """Called by challenges.wiring.register; subscribing twice keeps one subscription."""
    bus.subscribe(PurchaseRecorded, on_purchase)
    bus.subscribe(PointsEarned, on_points_earned)
    bus.subscribe(ActivityRecorded, on_activity)
