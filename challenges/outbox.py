"""Writing push intents to the outbox, inside the transaction of their cause.

The intent commits or rolls back with the progress, badge or tier change that caused it
(invariant 6); the worker (challenges/delivery/worker.py) delivers it later. Here the
member's wishes are applied once, at the source: a switched-off category queues nothing,
and an intent born in quiet hours is queued HELD, due when the quiet hours end.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError

from challenges.events import NotificationQueued
from challenges.models import OutboxMessage
from challenges.notification_preferences import NotificationCategory, decide, preference_of
from domain.events import event_bus
from domain.models import Member
from domain.unit_of_work import unit_of_work


class OutboxStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (later than created_at when held or backing off)
    IN_FLIGHT = "in_flight"  # claimed by a worker until locked_until; comes back if it dies
    DELIVERED = "delivered"
    NO_DEVICE = "no_device"  # nothing to deliver to: the member has no device, no sink is set
    SWITCHED_OFF = "switched_off"  # the member switched the category off after it was queued
    DEAD = "dead"  # gave up: attempts exhausted or a provider rejected it for good


async def enqueue(
    program_id: int,
    member_id: str,
    category: str,
    title: str,
    body: str,
    data: dict[str, Any],
    dedupe_key: str,
    now: datetime,
) -> OutboxMessage | None:
    """Queue one notification intent for the member, honouring their preferences.

    None when this cause was queued before (same `dedupe_key`) or the member switched the
    category off. `category` is a NotificationCategory value; another is a bug and raises.
    """
    kind = NotificationCategory(category)
    if await OutboxMessage.exists(dedupe_key=dedupe_key):
        return None
    member = await Member.get_or_none(id=member_id, program_id=program_id, erased_at=None)
    if member is None:
        return None  # unknown or erased: nobody to tell
    decision = decide(await preference_of(member_id, kind), member.time_zone, now)
    if not decision.send:
        return None
    try:
        # A savepoint: if a concurrent transaction queued the same cause first, only this
        # insert is undone, not the purchase or activity around it.
        async with unit_of_work.transaction():
            message = await OutboxMessage.create(
                program_id=program_id,
                member_id=member_id,
                category=kind.value,
                title=title[:200],
                body=body[:1000],
                data=data,
                dedupe_key=dedupe_key,
                next_attempt_at=decision.held_until or now,
                held_until=decision.held_until,
                created_at=now,
            )
    except IntegrityError:
        return None
    # Live subscribers see it after commit, even while the push itself is held.
    await event_bus.publish(NotificationQueued(
        program_id, str(member_id), message.id, kind.value, message.title, message.body, data, now
    ))
    return message
