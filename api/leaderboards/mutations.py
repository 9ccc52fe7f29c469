"""Members on leaderboards: following others, hiding, choosing the name others see."""

from __future__ import annotations

import logging
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.leaderboards.queries import read_board_handle, signed_in_member
from api.leaderboards.types import LeaderboardProfileSaved, MemberFollowed, MemberUnfollowed
from api.permissions import MemberOnly
from api.problems import InvalidInput, NotFound, problem
from challenges import leaderboard_members as members
from challenges.leaderboard_service import REDIS_FAILURES, refresh_member
from domain.errors import DomainError
from domain.errors import NotFound as NotFoundError

log = logging.getLogger(__name__)

FollowMemberPayload = Annotated[MemberFollowed | InvalidInput | NotFound, strawberry.union("FollowMemberPayload")]
UnfollowMemberPayload = Annotated[MemberUnfollowed | InvalidInput | NotFound, strawberry.union("UnfollowMemberPayload")]
SetLeaderboardProfilePayload = Annotated[
    LeaderboardProfileSaved | InvalidInput | NotFound, strawberry.union("SetLeaderboardProfilePayload")
]


def _me(info: Info) -> str:
    member_id = signed_in_member(info)
    if member_id is None:  # a member token whose subject is no member id
        raise NotFoundError("member", str(info.context.principal.member_id))
    return member_id


@strawberry.type
class LeaderboardMutations:
    @strawberry.mutation(permission_classes=[MemberOnly],
                         description="Follow the member behind a leaderboard entry's handle: they join your "
                         "FRIENDS board. Idempotent. A handle from before they changed their name is NotFound.")
    async def follow_member(
        self, info: Info,
        handle: Annotated[strawberry.ID, strawberry.argument(description="LeaderboardEntry.handle")],
    ) -> FollowMemberPayload:
        ctx = info.context
        program = await ctx.program()
        try:
            await members.follow_member(program, _me(info), read_board_handle(info, program.id, handle), str(handle),
                                        ctx.now())
        except DomainError as error:
            return problem(error)
        return MemberFollowed(handle=handle)

    @strawberry.mutation(permission_classes=[MemberOnly],
                         description="Stop following a member, by any handle they were shown under. Idempotent.")
    async def unfollow_member(
        self, info: Info,
        handle: Annotated[strawberry.ID, strawberry.argument(description="LeaderboardEntry.handle")],
    ) -> UnfollowMemberPayload:
        program = await info.context.program()
        try:
            await members.unfollow_member(program, _me(info), read_board_handle(info, program.id, handle), str(handle))
        except DomainError as error:
            return problem(error)
        return MemberUnfollowed(handle=handle)

    @strawberry.mutation(permission_classes=[MemberOnly],
                         description="Hide from every board others see, or show yourself; choose an alias "
                         "(null: your display name). Omitted arguments stay as they are.")
    async def set_leaderboard_profile(
        self, info: Info, hidden: bool | None = strawberry.UNSET, alias: str | None = strawberry.UNSET
    ) -> SetLeaderboardProfilePayload:
        ctx = info.context
        program = await ctx.program()
        try:
            member_id = _me(info)
            saved = await members.set_board_profile(
                program, member_id,
                hidden=members.KEEP if hidden is None or hidden is strawberry.UNSET else hidden,
                alias=members.KEEP if alias is strawberry.UNSET else alias,
            )
        except DomainError as error:
            return problem(error)
        try:
            if isinstance(hidden, bool):  # an alias is read at query time: only hiding moves boards
                await refresh_member(ctx.redis, program, member_id, ctx.now())
        except REDIS_FAILURES as error:
            # Saved: readers check the database, so a hidden member is never shown meanwhile.
            log.warning("leaderboards not updated for a profile change (Redis: %s)", error)
        return LeaderboardProfileSaved(hidden=saved.hidden, alias=saved.alias, shown_as=saved.shown_as)
