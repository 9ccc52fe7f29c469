"""Reading leaderboards: a board with its top, the members around you, and your standing."""

from __future__ import annotations

import functools

import strawberry
from strawberry.types import Info

from api.ids import lookup_id
from api.leaderboards.types import BOARD_KINDS, HandleOf, Leaderboard, LeaderboardBoard, unavailable
from api.pagination import bad_argument
from api.permissions import MemberOnly
from challenges import leaderboard_reads as reads
from challenges.board_handles import BoardHandle, handle_for, read_handle
from challenges.leaderboards import MAX_AROUND, MAX_FIRST
from domain.errors import InvalidInput
from domain.members import is_member_id, parse_member_id


def _challenge_id(raw: strawberry.ID | None) -> int | None:
    if raw is None:
        return None
    if lookup_id(raw) is None:
        raise bad_argument("challengeId", f"{raw!r} is not a challenge id")
    return int(raw)


async def board_view(info: Info, member_id: str | None, board: LeaderboardBoard,
                     challenge_id: strawberry.ID | None, first: int, around: int) -> reads.BoardView:
    """The board as `member_id` sees it; bad arguments and an unreachable Redis are GraphQL
    errors naming the argument or carrying LEADERBOARD_UNAVAILABLE."""
    if not 1 <= first <= MAX_FIRST:
        raise bad_argument("first", f"must be between 1 and {MAX_FIRST}")
    if not 0 <= around <= MAX_AROUND:
        raise bad_argument("around", f"must be between 0 and {MAX_AROUND}")
    ctx = info.context
    program = await ctx.program()
    try:
        if board == LeaderboardBoard.FRIENDS:
            if challenge_id is not None:
                raise InvalidInput.one("challengeId", "only the CHALLENGE board takes a challenge")
            if member_id is None:
                raise InvalidInput.one("board", "FRIENDS is the board of a signed-in member")
            return await reads.friends_view(ctx.redis, program, member_id, first, around, ctx.now())
        chosen = await reads.choose_board(program, BOARD_KINDS[board], _challenge_id(challenge_id), ctx.now())
        return await reads.board_view(ctx.redis, chosen, member_id, first, around)
    except InvalidInput as error:
        raise bad_argument(error.problems[0].path, error.problems[0].message) from None
    except reads.LeaderboardUnavailable:
        raise unavailable() from None


async def leaderboard_rank(info: Info, member_id: str, board: LeaderboardBoard,
                           challenge_id: strawberry.ID | None) -> int | None:
    """The member's rank on a board (also when hidden), null before they score on it.
    Redis only for every board but FRIENDS: the home screen's `me` stays at its SQL count."""
    if board == LeaderboardBoard.FRIENDS:
        view = await board_view(info, member_id, board, challenge_id, 1, 0)
        return view.me.rank if view.me else None
    ctx = info.context
    try:
        chosen = await reads.choose_board(await ctx.program(), BOARD_KINDS[board], _challenge_id(challenge_id),
                                          ctx.now())
        standing = await reads.standing(ctx.redis, chosen, member_id)
    except InvalidInput as error:
        raise bad_argument(error.problems[0].path, error.problems[0].message) from None
    except reads.LeaderboardUnavailable:
        raise unavailable() from None
    return standing.rank if standing else None


async def handle_maker(info: Info) -> HandleOf:
    """Names members on boards by handle, under this server's key and program."""
    return functools.partial(handle_for, info.context.settings.board_handle_key, (await info.context.program()).id)


def read_board_handle(info: Info, program_id: int, raw: strawberry.ID) -> BoardHandle | None:
    return read_handle(info.context.settings.board_handle_key, program_id, str(raw))


def signed_in_member(info: Info) -> str | None:
    raw = info.context.principal.member_id
    return parse_member_id(raw) if raw and is_member_id(raw) else None


@strawberry.type
class LeaderboardQueries:
    @strawberry.field(
        permission_classes=[MemberOnly],
        description="A leaderboard: its top `first` members, up to `around` members on each side of "
        "you, and your standing. Hidden members are never listed but see their own rank.",
    )
    async def leaderboard(
        self,
        info: Info,
        board: LeaderboardBoard,
        challenge_id: strawberry.ID | None = None,
        first: int = 10,
        around: int = 5,
    ) -> Leaderboard:
        view = await board_view(info, signed_in_member(info), board, challenge_id, first, around)
        return Leaderboard.from_view(board, view, await handle_maker(info))
