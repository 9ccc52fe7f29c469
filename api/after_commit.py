"""Work that waits for a use case's commit: derived state in Redis, pub/sub, metrics.

These are the unit of work's after-commit handlers (domain/unit_of_work.py); the
composition root (api/bootstrap.py) registers the ones that fit the process. Redis holds
only what can be rebuilt from the database, so a failure here is logged and repaired later
(`loyalty rebuild-leaderboards`), never surfaced to the caller whose purchase committed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.live_events import publish_live
from api.observability import metrics
from challenges import board_refresh, leaderboard_service
from domain.unit_of_work import Committed

log = logging.getLogger(__name__)


async def count_metrics(done: Committed) -> None:
    metrics.count_ledger_entries(done.events)  # committed: counted once, with no I/O


def _by_program(events: list[object]) -> dict[int, list[object]]:
    grouped: dict[int, list[object]] = defaultdict(list)
    for event in events:
        program_id = getattr(event, "program_id", None)
        if isinstance(program_id, int):
            grouped[program_id].append(event)
    return grouped


def _touches_boards(events: list[object]) -> bool:
    return any(leaderboard_service.touches_boards(event) for event in events)


@dataclass(frozen=True)
class PublishLive:
    redis: Redis

    async def __call__(self, done: Committed) -> None:
        try:
            await publish_live(self.redis, done.events)
        except RedisError:
            # Live views miss this update; they re-read a snapshot when they reconnect.
            log.warning("live events not published: Redis unavailable", exc_info=True)


@dataclass(frozen=True)
class ApplyToBoards:
    """This process reaches the Redis the server reads: update the boards directly."""

    redis: Redis

    async def __call__(self, done: Committed) -> None:
        if not _touches_boards(done.events):
            return  # no program to look up, no query
        for program_id, events in _by_program(done.events).items():
            # Logs and carries on when Redis is down; `loyalty rebuild-leaderboards` repairs.
            await leaderboard_service.apply_events(self.redis, await done.program(program_id), events, done.now)


async def request_board_refresh(done: Committed) -> None:
    """This process's Redis is its own (embedded, outside the server): ask the server to
    refresh the boards instead (challenges/board_refresh.py)."""
    if not _touches_boards(done.events):
        return
    for program_id, events in _by_program(done.events).items():
        await board_refresh.request_refresh(await done.program(program_id), events, done.now)
