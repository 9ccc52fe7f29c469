"""Keeping leaderboards in Redis: scores come from the database, always.

Every write recomputes the member's score on a board from the database (the ledger for
points, ChallengeProgress for challenges) and stores it atomically (see `_store`), so writes
are idempotent and may arrive in any order; the rebuild is the same computation for every
member at once, so a rebuilt board equals the live one.

Which points count: ledger credits of kind `earn` (purchases, and challenge rewards, which
are credited as `earn`), by when they were credited, in the program's time zone. Admin
adjustments don't: they correct balances, nobody earned them. Returns don't lower a board
(live or rebuilt alike): reversePurchase publishes nothing after commit yet, and points
only growing is what lets out-of-order writes settle without a lock.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisError, WatchError
from tortoise.functions import Max, Sum

from challenges.events import ChallengeProgressed
from challenges.leaderboards import (
    ALL_PERIODS,
    Board,
    BoardKind,
    Score,
    expires_at,
    fresher,
    is_guard_key,
    live_periods,
    parse_sort_key,
    period_bounds,
    points_boards,
    program_key_pattern,
    sort_key,
    window_end,
)
from challenges.models import Challenge, ChallengeProgress, LeaderboardProfile
from domain.events import PointsEarned
from domain.models import LedgerEntry, LedgerKind, Program

log = logging.getLogger(__name__)

# Redis failures the write path survives: the purchase committed, a rebuild repairs the board.
REDIS_FAILURES = (RedisError, OSError)
_ATTEMPTS = 20  # optimistic retries when the same member's entry changed meanwhile
_GUARD_SECONDS = 30  # far longer than one write; only bounds the memory of guards
_BATCH = 1000
# Longer than any transaction: a credit committed while a rebuild read the database has a
# `created_at` at most this far before the rebuild started.
CATCH_UP = timedelta(minutes=5)


def zone_of(program: Program) -> ZoneInfo:
    return ZoneInfo(program.time_zone)


def _utc(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # some drivers hand aggregates back as text
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- scores, from the database ------------------------------------------------------------

async def scores_on(board: Board, zone: ZoneInfo, member_id: str | None = None) -> list[Score]:
    """Every member's score on `board` (or one member's), straight from the database.

    Challenge values may fall back to zero (a broken streak): those rows come back too, so
    that the fall reaches the board; nobody with zero is stored."""
    if board.kind == BoardKind.CHALLENGE:
        rows = ChallengeProgress.filter(challenge_id=board.challenge_id, period_key=board.period)
        if member_id is not None:
            rows = rows.filter(member_id=member_id)
        return [Score(str(r["member_id"]), max(0, int(r["value"])), _utc(r["updated_at"]))
                for r in await rows.values("member_id", "value", "updated_at")]
    entries = LedgerEntry.filter(program_id=board.program_id, kind=LedgerKind.EARN, points__gt=0)
    if (bounds := period_bounds(board.period, zone)) is not None:
        entries = entries.filter(created_at__gte=bounds[0], created_at__lt=bounds[1])
    if member_id is not None:
        entries = entries.filter(member_id=member_id)
    totals = (entries.annotate(total=Sum("points"), reached=Max("created_at"))
              .group_by("member_id").values("member_id", "total", "reached"))
    return [Score(str(r["member_id"]), int(r["total"]), _utc(r["reached"])) for r in await totals]


async def hidden_members(program_id: int) -> set[str]:
    rows = await LeaderboardProfile.filter(hidden=True, member__program_id=program_id).values_list(
        "member_id", flat=True)
    return {str(member_id) for member_id in rows}


async def board_expiry(board: Board, zone: ZoneInfo) -> datetime | None:
    """When Redis may drop the board; a fixed-window challenge's board outlives its window."""
    end = None
    if board.kind == BoardKind.CHALLENGE and board.period == ALL_PERIODS:
        window = await Challenge.filter(id=board.challenge_id).values_list("window", flat=True)
        end = window_end(window[0]) if window and isinstance(window[0], dict) else None
    return expires_at(board.period, zone, end)


# --- the write path -----------------------------------------------------------------------

async def refresh(redis: Redis, program: Program, board: Board, member_id: str, now: datetime,
                  hidden: bool | None = None) -> None:
    """Recompute one member's score on one board and store it (no-op on expired boards)."""
    zone = zone_of(program)
    until = await board_expiry(board, zone)
    if until is not None and until <= now:
        return
    if hidden is None:
        hidden = await LeaderboardProfile.exists(member_id=member_id, hidden=True)

    async def read() -> Score | None:
        found = await scores_on(board, zone, member_id)
        return found[0] if found else None

    await _store(redis, board, member_id, read, not hidden, until)


ScoreRead = Callable[[], Awaitable[Score | None]]


async def _store(redis: Redis, board: Board, member_id: str, read: ScoreRead, listed: bool,
                 until: datetime | None) -> None:
    """Store the member's score as `read` finds it; list it unless hidden or zero.

    Read-compare-write is made atomic without Lua by WATCHing the member's guard (which every
    write of this entry bumps) and the board's generation (which a rebuild bumps): a write
    that raced either retries, and writes of different members never conflict, so a busy
    board takes them in parallel. Points only grow, so the database is
    read once, outside that window, and the fresher of stored and read wins (a read of no
    credits never erases a stored entry). Challenge values can fall and their times go
    backwards: only a read made after WATCH is known to be current, so it is read inside.
    """
    points = board.kind != BoardKind.CHALLENGE
    early = await read() if points else None
    for _ in range(_ATTEMPTS):
        async with redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(board.guard_key(member_id), board.generation_key)
                score = early if points else await read()
                raw = await pipe.hget(board.entries_key, member_id)
                current = parse_sort_key(_text(raw)) if raw else None
                kept = (fresher(current, score) if score else current) if points else score
                if kept is None and raw is None:
                    return  # nothing stored and nothing to store
                pipe.multi()
                if raw:
                    pipe.zrem(board.ranking_key, _text(raw))
                if kept is not None and kept.ranked:
                    pipe.hset(board.entries_key, member_id, sort_key(kept))
                    if listed:
                        pipe.zadd(board.ranking_key, {sort_key(kept): 0})
                else:
                    pipe.hdel(board.entries_key, member_id)
                if until is not None:
                    for key in board.stored_keys:
                        pipe.expireat(key, until)
                pipe.incr(board.guard_key(member_id))
                pipe.expire(board.guard_key(member_id), _GUARD_SECONDS)
                await pipe.execute()
                return
            except WatchError:
                continue
    log.warning("leaderboard %s: gave up storing member %s under contention; a rebuild repairs it",
                board.tag, member_id)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def touches_boards(event: object) -> bool:
    """Whether an event can move a board (without the program: no query to find out)."""
    return (isinstance(event, PointsEarned) and event.kind == LedgerKind.EARN.value) or isinstance(
        event, ChallengeProgressed)


def boards_touched(program: Program, events: Iterable[object]) -> list[tuple[Board, str]]:
    """(board, member) pairs a use case's events change, each once, in order."""
    zone = zone_of(program)
    touched: dict[tuple[Board, str], None] = {}
    for event in events:
        if isinstance(event, PointsEarned) and event.program_id == program.id and event.kind == LedgerKind.EARN.value:
            for board in points_boards(program.id, zone, event.earned_at):
                touched[(board, event.member_id)] = None
        elif isinstance(event, ChallengeProgressed) and event.program_id == program.id:
            board = Board(program.id, BoardKind.CHALLENGE, event.period_key, event.challenge_id)
            touched[(board, event.member_id)] = None
    return list(touched)


async def apply_events(redis: Redis, program: Program, events: Iterable[object], now: datetime) -> None:
    """After commit: bring the boards the events touched up to date. Never raises for Redis:
    the cause is committed, and `loyalty rebuild-leaderboards` repairs what is missed."""
    hidden: dict[str, bool] = {}
    for board, member_id in boards_touched(program, events):
        if member_id not in hidden:
            hidden[member_id] = await LeaderboardProfile.exists(member_id=member_id, hidden=True)
        try:
            await refresh(redis, program, board, member_id, now, hidden[member_id])
        except REDIS_FAILURES as error:
            log.warning("leaderboards not updated (Redis: %s); run `loyalty rebuild-leaderboards`", error)
            return


async def live_boards(program: Program, now: datetime, member_id: str | None = None) -> list[Board]:
    """Every board of the program that should exist in Redis at `now` (with `member_id`:
    those the member can be on)."""
    zone = zone_of(program)
    boards = [Board(program.id, BoardKind.ALL_TIME)]
    for kind in (BoardKind.WEEKLY, BoardKind.MONTHLY):
        boards += [Board(program.id, kind, period) for period in live_periods(kind, now, zone)]
    progress = ChallengeProgress.filter(challenge__program_id=program.id, value__gt=0)
    if member_id is not None:
        progress = progress.filter(member_id=member_id)
    for challenge_id, period in sorted(await progress.distinct().values_list("challenge_id", "period_key")):
        board = Board(program.id, BoardKind.CHALLENGE, period, challenge_id)
        until = await board_expiry(board, zone)
        if until is None or until > now:
            boards.append(board)
    return boards


async def refresh_member(redis: Redis, program: Program, member_id: str, now: datetime) -> None:
    """After a member hid or showed themself: (un)list them on every board. Raises on Redis
    failure; readers never show hidden members whatever Redis says."""
    hidden = await LeaderboardProfile.exists(member_id=member_id, hidden=True)
    for board in await live_boards(program, now, member_id):
        await refresh(redis, program, board, member_id, now, hidden)


# --- rebuild ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RebuildSummary:
    boards: int
    entries: int
    removed_keys: int


async def rebuild(redis: Redis, program: Program, now: datetime) -> RebuildSummary:
    """Recompute every board of the program from the database and swap it in atomically;
    drop the keys of boards that should not exist. Safe while purchases go on."""
    zone = zone_of(program)
    hidden = await hidden_members(program.id)
    boards = await live_boards(program, now)
    entries = 0
    for board in boards:
        scores = [s for s in await scores_on(board, zone) if s.ranked]
        await _replace(redis, board, scores, hidden, await board_expiry(board, zone))
        entries += len(scores)
    keep = {key for board in boards for key in board.stored_keys}
    found = [_text(key) async for key in redis.scan_iter(match=program_key_pattern(program.id))]
    stale = [key for key in found if key not in keep and not is_guard_key(key)]
    for key in stale:
        await redis.delete(key)
    await _catch_up(redis, program, now)
    return RebuildSummary(boards=len(boards), entries=entries, removed_keys=len(stale))


async def _replace(redis: Redis, board: Board, scores: list[Score], hidden: set[str],
                   until: datetime | None) -> None:
    """Build the board beside the live one (same hash slot), then swap it in with one
    transaction: readers see the old board or the new one, never half of it."""
    scores = [s for s in scores if s.ranked]
    draft_entries, draft_ranking = f"{board.entries_key}:rebuild", f"{board.ranking_key}:rebuild"
    await redis.delete(draft_entries, draft_ranking)
    listed = 0
    for start in range(0, len(scores), _BATCH):
        # One pipeline a chunk: a million-member board in a single write outlasts any
        # socket timeout (measured by bench/, which rebuilds a board of 1,000,000).
        chunk = scores[start:start + _BATCH]
        async with redis.pipeline(transaction=False) as fill:
            fill.hset(draft_entries, mapping={s.member_id: sort_key(s) for s in chunk})
            ranking = {sort_key(s): 0 for s in chunk if s.member_id not in hidden}
            if ranking:
                fill.zadd(draft_ranking, ranking)
                listed += len(ranking)
            await fill.execute()
    async with redis.pipeline(transaction=True) as swap:
        for draft_key, live_key, filled in ((draft_entries, board.entries_key, scores),
                                            (draft_ranking, board.ranking_key, listed)):
            if filled:
                swap.rename(draft_key, live_key)
                if until is not None:
                    swap.expireat(live_key, until)
            else:
                swap.delete(live_key)
        swap.incr(board.generation_key)  # writes that read the replaced board start again
        if until is not None:
            swap.expireat(board.generation_key, until)
        await swap.execute()


async def _catch_up(redis: Redis, program: Program, now: datetime) -> None:
    """A write that landed between reading the database and the swap was replaced by the
    older snapshot: redo the members who changed lately (writes are idempotent)."""
    since = now - CATCH_UP
    zone = zone_of(program)
    credits = await LedgerEntry.filter(program_id=program.id, kind=LedgerKind.EARN, points__gt=0,
                                       created_at__gte=since).values_list("member_id", "created_at")
    touched = {(board, str(member_id)) for member_id, at in credits
               for board in points_boards(program.id, zone, _utc(at))}
    progress = await ChallengeProgress.filter(challenge__program_id=program.id, updated_at__gte=since
                                              ).values_list("member_id", "challenge_id", "period_key")
    touched |= {(Board(program.id, BoardKind.CHALLENGE, period, challenge), str(member_id))
                for member_id, challenge, period in progress}
    for board, member_id in touched:
        await refresh(redis, program, board, member_id, now)
