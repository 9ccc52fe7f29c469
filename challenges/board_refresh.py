"""Boards changed by a process that cannot reach the server's Redis.

With the embedded default (no REDIS_URL: fakeredis inside the server process), a `loyalty`
command or the worker has a Redis of its own that nobody reads. Their after-commit work
therefore writes what the server must refresh into `board_refresh_request` (one INSERT per
unit of work: the members whose boards changed, or a rebuild of every board when there
are many), and the server polls the table every second or so and applies it.

Why the database: it is the one thing both processes already share, it outlives either of
them, and the server rebuilds every board at start anyway, so a request written while no
server runs is simply covered by the next start. Requests stay for an hour (several
embedded servers each keep their own cursor, so none deletes what another still needs);
applying one twice is harmless, as every board write recomputes from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from tortoise.functions import Max

from challenges.leaderboard_service import REDIS_FAILURES, boards_touched, rebuild, refresh_member
from challenges.models import BoardRefreshRequest
from domain.models import Program

log = logging.getLogger(__name__)

# More members than this in one unit of work: one full rebuild is cheaper than each.
MAX_MEMBERS = 100
KEEP = timedelta(hours=1)
POLL_SECONDS = 1.0  # how often an embedded server looks for new requests
_BATCH = 1000


async def request_refresh(program: Program, events: Collection[object], now: datetime) -> int:
    """After commit, in a process without the server's Redis: ask the server to refresh the
    boards the events touched. Returns how many requests were written."""
    members = list(dict.fromkeys(member for _, member in boards_touched(program, events)))
    if not members:
        return 0
    return await _write(program.id, None if len(members) > MAX_MEMBERS else members, now)


async def request_rebuild(program: Program, now: datetime) -> None:
    await _write(program.id, None, now)


async def _write(program_id: int, members: list[str] | None, now: datetime) -> int:
    rows = [BoardRefreshRequest(program_id=program_id, member_id=m, requested_at=now) for m in members or [None]]
    await BoardRefreshRequest.bulk_create(rows)
    return len(rows)


class BoardRefresher:
    """The embedded server's side: apply the requests written since it last looked."""

    def __init__(self, redis: Redis, program_code: str) -> None:
        self.redis = redis
        self.program_code = program_code
        self.cursor: int | None = None

    async def start(self) -> bool:
        """Call before the start-up rebuild: what was asked before is covered by it. False
        when the table cannot be read (a database not migrated yet): the server starts
        without polling rather than not at all."""
        try:
            last = (await BoardRefreshRequest.annotate(last=Max("id")).values_list("last", flat=True))[0]
        except Exception as error:  # noqa: BLE001 - boards are derived: serving matters more
            log.warning("board refresh requests off (%s: %s): commands' board changes wait for a restart",
                        type(error).__name__, error)
            return False
        self.cursor = last or 0
        return True

    async def apply_pending(self, now: datetime) -> int:
        """One poll: apply the new requests of this server's program; how many were read."""
        if self.cursor is None and not await self.start():
            return 0
        assert self.cursor is not None
        rows = await BoardRefreshRequest.filter(id__gt=self.cursor).order_by("id").limit(_BATCH)
        if not rows:
            return 0
        program = await Program.get_or_none(code=self.program_code)
        mine = [row for row in rows if program is not None and row.program_id == program.id]
        if program is not None and mine:
            if any(row.member_id is None for row in mine):
                await rebuild(self.redis, program, now)
            else:
                for member_id in dict.fromkeys(row.member_id for row in mine):
                    await refresh_member(self.redis, program, str(member_id), now)
        self.cursor = rows[-1].id
        await BoardRefreshRequest.filter(requested_at__lt=now - KEEP).delete()
        return len(rows)

    async def run(self, every_seconds: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.apply_pending(datetime.now(UTC))
            except REDIS_FAILURES:
                log.warning("board refresh requests not applied (Redis); retried next poll", exc_info=True)
            except Exception:  # noqa: BLE001 - a poll's failure must not stop the server
                log.exception("board refresh requests not applied; retried next poll")
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)
            except TimeoutError:
                pass
