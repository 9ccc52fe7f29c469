"""GraphQL types of leaderboards: boards, entries, the member's standing, profile outcomes."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import strawberry
from graphql import GraphQLError

from api.long_int import Long
from challenges import leaderboard_reads as reads
from challenges.leaderboards import BoardKind


@strawberry.enum(description="Which ranking. Points count what purchases and challenge rewards earned "
                             "(not admin adjustments), in the program's time zone.")
class LeaderboardBoard(Enum):
    ALL_TIME = strawberry.enum_value("ALL_TIME", description="Points earned since joining.")
    WEEKLY = strawberry.enum_value("WEEKLY", description="Points earned this ISO week (Monday to Sunday).")
    MONTHLY = strawberry.enum_value("MONTHLY", description="Points earned this calendar month.")
    FRIENDS = strawberry.enum_value("FRIENDS", description="This week's points among you and the members you follow.")
    CHALLENGE = strawberry.enum_value("CHALLENGE", description="Progress in one challenge's current period; "
                                                               "needs challengeId.")


# FRIENDS is a view over the weekly board, not a board of its own.
BOARD_KINDS = {
    LeaderboardBoard.ALL_TIME: BoardKind.ALL_TIME,
    LeaderboardBoard.WEEKLY: BoardKind.WEEKLY,
    LeaderboardBoard.MONTHLY: BoardKind.MONTHLY,
    LeaderboardBoard.CHALLENGE: BoardKind.CHALLENGE,
}


# (member id, name shown) -> the handle other members see; see challenges/board_handles.py
HandleOf = Callable[[str, str], str]


@strawberry.type(description="One member's line on a board, as every member sees it. Nothing on it "
                             "links the name to the member's id.")
class LeaderboardEntry:
    rank: int
    handle: strawberry.ID = strawberry.field(
        description="Opaque; to follow them (followMember). The same on every board while they keep "
        "this name, a new one when they change it.")
    display_name: str = strawberry.field(description="Their alias, else their display name.")
    score: Long
    is_me: bool = strawberry.field(description="This line is the signed-in member's own.")

    @classmethod
    def from_placing(cls, placing: reads.Placing, handle_of: HandleOf) -> LeaderboardEntry:
        return cls(rank=placing.rank, handle=strawberry.ID(handle_of(placing.member_id, placing.display_name)),
                   display_name=placing.display_name, score=placing.score, is_me=placing.is_me)


@strawberry.type(description="Where the signed-in member stands.")
class LeaderboardStanding:
    rank: int = strawberry.field(description="Also when hidden: the rank you would have if listed.")
    score: Long
    hidden: bool = strawberry.field(description="Whether others don't see you on this board.")


@strawberry.type
class Leaderboard:
    board: LeaderboardBoard
    period: str = strawberry.field(description='"all", or the period shown, e.g. 2026-W23, 2026-06.')
    entries: list[LeaderboardEntry] = strawberry.field(description="The top `first` members.")
    around: list[LeaderboardEntry] = strawberry.field(
        description="Up to `around` members on each side of you, and you; empty until you score.")
    me: LeaderboardStanding | None = strawberry.field(description="Null until you score on this board.")

    @classmethod
    def from_view(cls, board: LeaderboardBoard, view: reads.BoardView, handle_of: HandleOf) -> Leaderboard:
        me = view.me
        return cls(
            board=board,
            period=view.period,
            entries=[LeaderboardEntry.from_placing(p, handle_of) for p in view.top],
            around=[LeaderboardEntry.from_placing(p, handle_of) for p in view.around],
            me=LeaderboardStanding(rank=me.rank, score=me.score, hidden=me.hidden) if me else None,
        )


@strawberry.type
class MemberFollowed:
    handle: strawberry.ID = strawberry.field(description="As given.")


@strawberry.type
class MemberUnfollowed:
    handle: strawberry.ID = strawberry.field(description="As given.")


@strawberry.type
class LeaderboardProfileSaved:
    hidden: bool = strawberry.field(description="Hidden members are on no board others see.")
    alias: str | None
    shown_as: str = strawberry.field(description="The name other members see.")


def unavailable() -> GraphQLError:
    return GraphQLError("leaderboards are unavailable right now; try again shortly",
                        extensions={"code": "LEADERBOARD_UNAVAILABLE"})
