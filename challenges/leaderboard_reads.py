"""Reading leaderboards: the top of a board, a member's place, who stands around them,
and the board of the people a member follows.

What a member learns about others is a rank, a score and a name (their alias, else their
display name). Hidden members are never listed; the database, not Redis, has the last word
on that: an entry that Redis still lists for a member who hid is dropped before anyone sees
it, and unlisted on the spot.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from challenges.leaderboard_service import REDIS_FAILURES, zone_of
from challenges.leaderboards import (
    ALL_PERIODS,
    Board,
    BoardKind,
    around,
    challenge_period,
    month_key,
    parse_sort_key,
    week_key,
)
from challenges.models import Challenge, LeaderboardProfile, MemberFollow
from domain.errors import InvalidInput
from domain.models import Member, Program

log = logging.getLogger(__name__)


class LeaderboardUnavailable(RuntimeError):
    """Redis can't be reached: boards can't be read now (the database keeps everything)."""


@dataclass(frozen=True)
class Placing:
    rank: int
    member_id: str
    display_name: str
    score: int
    is_me: bool


@dataclass(frozen=True)
class Standing:
    rank: int  # where the member stands, also when hidden from others
    score: int
    hidden: bool


@dataclass(frozen=True)
class BoardView:
    period: str
    top: list[Placing]
    around: list[Placing]
    me: Standing | None  # None: the member has no score on this board yet


@contextlib.asynccontextmanager
async def _reading() -> AsyncIterator[None]:
    try:
        yield
    except REDIS_FAILURES as error:
        raise LeaderboardUnavailable(str(error)) from error


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def choose_board(program: Program, kind: BoardKind, challenge_id: int | None, now: datetime) -> Board:
    """The board a member means: this week, this month, or the challenge's current period."""
    zone = zone_of(program)
    if kind != BoardKind.CHALLENGE:
        if challenge_id is not None:
            raise InvalidInput.one("challengeId", "only the CHALLENGE board takes a challenge")
        period = {BoardKind.WEEKLY: week_key(now, zone), BoardKind.MONTHLY: month_key(now, zone)}
        return Board(program.id, kind, period.get(kind, ALL_PERIODS))
    if challenge_id is None:
        raise InvalidInput.one("challengeId", "is required for the CHALLENGE board")
    # Drafts are not shown to members yet: as if they did not exist.
    challenge = await Challenge.get_or_none(id=challenge_id, program_id=program.id, status__not="draft")
    if challenge is None:
        raise InvalidInput.one("challengeId", f"no challenge {challenge_id} in this program")
    window = challenge.window if isinstance(challenge.window, dict) else {}
    return Board(program.id, BoardKind.CHALLENGE, challenge_period(window, now, zone), challenge.id)


async def _place(redis: Redis, board: Board, member_id: str) -> tuple[str, Standing] | None:
    raw = await redis.hget(board.entries_key, member_id)
    if raw is None:
        return None
    mine = _text(raw)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zlexcount(board.ranking_key, "-", f"({mine}")  # listed members ranking above
        pipe.zscore(board.ranking_key, mine)
        above, listed = await pipe.execute()
    return mine, Standing(rank=above + 1, score=parse_sort_key(mine).score, hidden=listed is None)


async def standing(redis: Redis, board: Board, member_id: str) -> Standing | None:
    """The member's place on the board; Redis only, no SQL (the home screen asks for it)."""
    async with _reading():
        placed = await _place(redis, board, member_id)
    return placed[1] if placed else None


async def _names(member_ids: set[str]) -> tuple[dict[str, str], set[str]]:
    """Names others may see, and who must not be shown (hidden, or no longer a member)."""
    names = {str(i): name for i, name in await Member.filter(id__in=member_ids).values_list("id", "display_name")}
    hidden = set(member_ids) - set(names)
    profiles = await LeaderboardProfile.filter(member_id__in=member_ids).values_list("member_id", "hidden", "alias")
    for member_id, is_hidden, alias in profiles:
        if is_hidden:
            hidden.add(str(member_id))
        if alias:
            names[str(member_id)] = alias
    return names, hidden


def _placings(entries: list[tuple[int, str]], names: dict[str, str], me: str | None) -> list[Placing]:
    placings = []
    for rank, key in entries:
        score = parse_sort_key(key)
        placings.append(Placing(rank, score.member_id, names.get(score.member_id, ""), score.score,
                                score.member_id == me))
    return placings


async def board_view(redis: Redis, board: Board, member_id: str | None, first: int, each_side: int) -> BoardView:
    for attempt in range(2):  # a second pass only after unlisting members who hid meanwhile
        async with _reading():
            placed = await _place(redis, board, member_id) if member_id else None
            leaders = await redis.zrange(board.ranking_key, 0, first - 1)
            top = [(index + 1, _text(key)) for index, key in enumerate(leaders)]
            near: list[tuple[int, str]] = []
            if placed is not None:
                mine, me = placed
                start = max(0, me.rank - 1 - each_side)
                window = [_text(k) for k in await redis.zrange(board.ranking_key, start, me.rank - 1 + each_side)]
                near = around(window, start, mine, me.rank - 1, each_side)
        names, hidden = await _names({parse_sort_key(key).member_id for _, key in top + near})
        leaked = {key for _, key in top + near if parse_sort_key(key).member_id in hidden - {member_id}}
        if leaked and attempt == 0:
            log.warning("leaderboard %s listed %d hidden member(s); unlisting them", board.tag, len(leaked))
            async with _reading():
                await redis.zrem(board.ranking_key, *leaked)
            continue
        top, near = [e for e in top if e[1] not in leaked], [e for e in near if e[1] not in leaked]
        break
    return BoardView(board.period, _placings(top, names, member_id), _placings(near, names, member_id),
                     placed[1] if placed else None)


async def friends_view(redis: Redis, program: Program, member_id: str, first: int, each_side: int,
                       now: datetime) -> BoardView:
    """This week's points among the member and the members they follow, computed per query
    from the weekly board (nothing to rebuild)."""
    board = Board(program.id, BoardKind.WEEKLY, week_key(now, zone_of(program)))
    followed = await MemberFollow.filter(follower_id=member_id).values_list("followee_id", flat=True)
    circle = [member_id, *(str(f) for f in followed)]
    async with _reading():
        raws = await redis.hmget(board.entries_key, circle)
    keys = {parse_sort_key(_text(raw)).member_id: _text(raw) for raw in raws if raw}
    names, hidden = await _names(set(keys))
    listed = sorted(key for who, key in keys.items() if who not in hidden)  # sort key order is rank order
    top = [(index + 1, key) for index, key in enumerate(listed[:first])]
    mine = keys.get(member_id)
    if mine is None:
        return BoardView(board.period, _placings(top, names, member_id), [], None)
    position = bisect.bisect_left(listed, mine)
    me = Standing(rank=position + 1, score=parse_sort_key(mine).score, hidden=member_id in hidden)
    near = around(listed, 0, mine, position, each_side)
    return BoardView(board.period, _placings(top, names, member_id), _placings(near, names, member_id), me)
