"""Work that waits for a use case's commit: derived state in Redis, pub/sub.

Redis holds only what can be rebuilt from the database, so a failure here is logged and
repaired later (`loyalty rebuild-leaderboards`), never surfaced to the caller whose
purchase already committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from redis.exceptions import RedisError

from api.context import LoyaltyContext
from api.live_events import publish_live
from api.observability import metrics
from challenges import leaderboard_service
from domain.events import event_bus

log = logging.getLogger(__name__)
T = TypeVar("T")


async def settled(ctx: LoyaltyContext, use_case: Awaitable[T]) -> T:
    """Run a use case, then the work that waits for its commit. A DomainError propagates:
    the use case rolled back, and there is nothing to dispatch."""
    with event_bus.recording() as published:
        result = await use_case
    await dispatch(ctx, published)
    return result


async def dispatch(ctx: LoyaltyContext, events: list[object]) -> None:
    if not events:
        return
    metrics.count_ledger_entries(events)  # committed: counted once, with no I/O
    try:
        await publish_live(ctx.redis, events)
    except RedisError:
        # Live views miss this update; they re-read a snapshot when they reconnect.
        log.warning("live events not published: Redis unavailable", exc_info=True)
    # Logs and carries on when Redis is down; `loyalty rebuild-leaderboards` repairs.
    await leaderboard_service.apply_events(ctx.redis, await ctx.program(), events, ctx.now())
