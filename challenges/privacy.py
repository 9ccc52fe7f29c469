"""Gamification's part of a member's erasure: its personal rows, and the leaderboards.

`on_member_erased` runs in the erasure's transaction (see domain/privacy/erasure.py):
devices and push tokens, notification preferences, follows both ways and queued pushes
are deleted; free-text activity attributes are blanked (type, time and impact stay, they
are counted); the leaderboard profile is kept hidden with no alias, so that a rebuild
from the ledger (which stays) never lists the member again. Badges and challenge progress
stay: they hold no personal data and feed the KPIs.
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis.asyncio import Redis
from tortoise.expressions import Q

from challenges.leaderboard_service import REDIS_FAILURES, live_boards
from challenges.models import (
    Activity,
    Device,
    LeaderboardProfile,
    MemberFollow,
    NotificationPreference,
    OutboxMessage,
)
from challenges.outbox import OutboxStatus
from domain.events import MemberErased
from domain.models import Program

log = logging.getLogger(__name__)


async def on_member_erased(event: MemberErased) -> None:
    member_id = event.member_id
    await Device.filter(member_id=member_id).delete()
    await NotificationPreference.filter(member_id=member_id).delete()
    await MemberFollow.filter(Q(follower_id=member_id) | Q(followee_id=member_id)).delete()
    await OutboxMessage.filter(
        member_id=member_id, status__in=[OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT]
    ).delete()
    await Activity.filter(member_id=member_id).update(attributes={})
    if await LeaderboardProfile.filter(member_id=member_id).exists():
        await LeaderboardProfile.filter(member_id=member_id).update(hidden=True, alias=None)
    else:
        await LeaderboardProfile.create(member_id=member_id, hidden=True, alias=None)


async def forget_on_boards(redis: Redis, program: Program, member_id: str, now: datetime) -> int:
    """After the erasure committed: drop the member from every live board. Redis holds
    derived state only, so a failure is logged, not raised (the hidden profile keeps them
    off any rebuilt board). Returns the number of boards cleaned."""
    try:
        boards = await live_boards(program, now, member_id)
        for board in boards:
            raw = await redis.hget(board.entries_key, member_id)
            async with redis.pipeline(transaction=True) as pipe:
                if raw:
                    pipe.zrem(board.ranking_key, raw)
                pipe.hdel(board.entries_key, member_id)
                await pipe.execute()
        return len(boards)
    except REDIS_FAILURES as error:
        log.warning("erased member %s still on leaderboards (Redis: %s); hidden, a rebuild drops them",
                    member_id, error)
        return 0
