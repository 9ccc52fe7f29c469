"""What turns into a push: a badge earned, a tier up, points about to expire.

Badge and tier handlers run on the event bus inside the transaction that caused them, so
the intent commits with its cause. Expiry reminders come from a scan the worker runs
periodically (and `loyalty remind-expiring`). Every intent's dedupe key names its cause,
so a replay, a second scan or a concurrent worker queues nothing twice.
(Challenge-progress milestones are queued by the progress handler itself.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from challenges import outbox
from challenges.events import BadgeEarned
from challenges.models import Badge, OutboxMessage
from challenges.notification_preferences import NotificationCategory
from challenges.quiet_hours import zone
from domain.events import TierChanged
from domain.models import EarnLot, Member, TierChange
from domain.unit_of_work import unit_of_work

EXPIRY_NOTICE = timedelta(days=7)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Quiet hours are about when a phone buzzes, so intents are stamped with the wall clock,
# not the cause's business time (a purchase may be reported hours after it happened).
clock: Callable[[], datetime] = utcnow


def _level_name(badge: Badge, level: int) -> str | None:
    levels = badge.levels or []
    if 0 <= level < len(levels) and isinstance(levels[level], dict):
        return levels[level].get("name")
    return None


async def on_badge_earned(event: BadgeEarned) -> None:
    badge = await Badge.get_or_none(id=event.badge_id)
    if badge is None:
        return
    level = _level_name(badge, event.level)
    label = f"{badge.name} ({level})" if level else badge.name
    await outbox.enqueue(
        event.program_id, event.member_id, NotificationCategory.BADGE,
        title="New badge earned", body=f"You earned the {label} badge.",
        data={"kind": "badge_earned", "badge_id": str(badge.id), "level": event.level,
              "level_name": level},
        dedupe_key=f"badge:{event.member_id}:{event.badge_id}:{event.level}",
        now=clock(),
    )


async def on_tier_changed(event: TierChanged) -> None:
    if event.reason != "upgrade" or event.to_tier is None:
        return
    # The change row was written just before the event: its id makes this cause unique
    # (a member may climb to Gold again next year, and should hear about it again).
    change = await TierChange.filter(member_id=event.member_id).order_by("-id").first()
    cause = change.id if change else f"{event.from_tier}->{event.to_tier}"
    await outbox.enqueue(
        event.program_id, event.member_id, NotificationCategory.TIER,
        title=f"Welcome to {event.to_tier}",
        body=f"You moved up to {event.to_tier}. Enjoy your new benefits.",
        data={"kind": "tier_up", "from_tier": event.from_tier, "to_tier": event.to_tier},
        dedupe_key=f"tier:{event.member_id}:{cause}",
        now=clock(),
    )


async def remind_expiring_points(now: datetime, batch: int = 500) -> int:
    """Queue one reminder per member and expiry day for points expiring within 7 days.

    Days are the member's own; lots expiring the same day make one reminder with their
    sum. Safe to run as often as wanted: the dedupe key is member and day. Returns the
    number of reminders queued by this run.
    """
    queued = 0
    after_id = 0
    while True:
        lots = await (
            EarnLot.filter(id__gt=after_id, remaining__gt=0, expires_at__gt=now,
                           expires_at__lte=now + EXPIRY_NOTICE)
            .order_by("id").limit(batch).values("id", "member_id", "remaining", "expires_at")
        )
        if not lots:
            return queued
        after_id = lots[-1]["id"]
        queued += await _remind(lots, now)


async def _remind(lots: list[dict], now: datetime) -> int:
    members = {
        str(m.id): m for m in await Member.filter(id__in=list({lot["member_id"] for lot in lots}))
    }
    soonest: dict[tuple[str, date], datetime] = {}  # (member, their local day) -> first expiry
    for lot in lots:
        member = members.get(str(lot["member_id"]))
        if member is None:
            continue
        key = (str(member.id), lot["expires_at"].astimezone(zone(member.time_zone)).date())
        soonest[key] = min(soonest.get(key, lot["expires_at"]), lot["expires_at"])
    queued = 0
    for (member_id, day), expires_at in sorted(soonest.items()):
        dedupe_key = f"expiry:{member_id}:{day.isoformat()}"
        if await OutboxMessage.exists(dedupe_key=dedupe_key):
            continue  # reminded on an earlier run
        member = members[member_id]
        # The whole day's total, not just this page's: lots of one day may span pages.
        points = await _points_expiring_on(member, day, now)
        async with unit_of_work.transaction():
            message = await outbox.enqueue(
                member.program_id, member_id, NotificationCategory.POINTS_EXPIRY,
                title="Points expiring soon",
                body=f"{points} points expire on {day.isoformat()}. Use them before they go.",
                data={"kind": "points_expiring", "points": points, "expires_on": day.isoformat(),
                      "expires_at": expires_at.isoformat()},
                dedupe_key=dedupe_key,
                now=now,
            )
        queued += message is not None
    return queued


async def _points_expiring_on(member: Member, day: date, now: datetime) -> int:
    tz = zone(member.time_zone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC)
    lots = await EarnLot.filter(member_id=member.id, remaining__gt=0, expires_at__gt=max(start, now),
                                expires_at__lt=end).values_list("remaining", flat=True)
    return sum(lots)
