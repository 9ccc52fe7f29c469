"""How members take part in leaderboards: whom they follow, and how they appear.

Database only; the caller brings Redis up to date after commit
(`leaderboard_service.refresh_member`), and readers check the database anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from challenges.board_handles import BoardHandle
from challenges.leaderboards import MAX_FOLLOWING, alias_problem
from challenges.models import LeaderboardProfile, MemberFollow
from domain.errors import InvalidInput, NotFound, Problems
from domain.models import Member, Program


class _Keep:
    """Marks a profile setting the caller leaves as it is."""


KEEP = _Keep()


NOT_A_HANDLE = "is not a member's handle from a leaderboard"


async def _other_member(program: Program, follower_id: str, handle: BoardHandle | None,
                        raw: str) -> tuple[Member, BoardHandle]:
    """The member a handle names; NotFound carries the handle as given, never their id."""
    if handle is None:
        raise InvalidInput.one("handle", NOT_A_HANDLE)
    if handle.member_id == follower_id:
        raise InvalidInput.one("handle", "you can't follow yourself")
    found = {str(m.id): m for m in await Member.filter(  # erased members neither follow nor are followed
        id__in=[follower_id, handle.member_id], program_id=program.id, erased_at=None)}
    if follower_id not in found:  # a token can outlive its member
        raise NotFound("member", follower_id)
    if handle.member_id not in found:
        raise NotFound("member", raw)
    return found[handle.member_id], handle


async def follow_member(program: Program, follower_id: str, handle: BoardHandle | None, raw: str,
                        now: datetime) -> None:
    """Follow the member behind a board handle (idempotent). The handle must be for the name
    they show now: one from before an alias change names nobody. Following shares nothing
    with them: they appear on the follower's friends board as they appear on every board."""
    followee, handle = await _other_member(program, follower_id, handle, raw)
    if not handle.shows((await board_profile(followee)).shown_as):
        raise NotFound("member", raw)
    if await MemberFollow.exists(follower_id=follower_id, followee_id=followee.id):
        return
    # A soft cap (two requests at once may pass it together): it only bounds the work of a
    # friends board, computed per query.
    if await MemberFollow.filter(follower_id=follower_id).count() >= MAX_FOLLOWING:
        raise InvalidInput.one("handle", f"you follow {MAX_FOLLOWING} members already: unfollow one first")
    try:
        await MemberFollow.create(follower_id=follower_id, followee_id=followee.id, created_at=now)
    except IntegrityError:
        pass  # a concurrent request followed them first: same outcome


async def unfollow_member(program: Program, follower_id: str, handle: BoardHandle | None, raw: str) -> None:
    """Stop following (idempotent). Any handle the member was ever shown under will do:
    letting go of someone needs no current name (and a hidden member shows none)."""
    followee, _ = await _other_member(program, follower_id, handle, raw)
    await MemberFollow.filter(follower_id=follower_id, followee_id=followee.id).delete()


async def following(member_id: str) -> list[str]:
    rows = await MemberFollow.filter(follower_id=member_id).order_by("id").values_list("followee_id", flat=True)
    return [str(followee) for followee in rows]


@dataclass(frozen=True)
class BoardProfile:
    hidden: bool
    alias: str | None
    shown_as: str  # what other members see: the alias, else the display name


async def board_profile(member: Member) -> BoardProfile:
    profile = await LeaderboardProfile.get_or_none(member_id=member.id)
    hidden, alias = (profile.hidden, profile.alias) if profile else (False, None)
    return BoardProfile(hidden, alias, alias or member.display_name)


async def set_board_profile(
    program: Program, member_id: str, hidden: bool | _Keep = KEEP, alias: str | None | _Keep = KEEP
) -> BoardProfile:
    """Hide from (or show on) every board, and choose the name others see (None: the
    display name). A hidden member still sees their own rank."""
    problems = Problems()
    if isinstance(alias, str) and (problem := alias_problem(alias)) is not None:
        problems.add("alias", problem)
    problems.raise_if_any()
    member = await Member.get_or_none(id=member_id, program_id=program.id, erased_at=None)
    if member is None:
        raise NotFound("member", member_id)
    changes: dict[str, object] = {}
    if not isinstance(hidden, _Keep):
        changes["hidden"] = hidden
    if not isinstance(alias, _Keep):
        changes["alias"] = alias.strip() if alias else None
    # filter().update(), not save(): Tortoise can't bind a UUID primary key that is also a
    # one-to-one field on SQLite.
    if not await LeaderboardProfile.filter(member_id=member.id).exists():
        try:
            await LeaderboardProfile.create(member_id=member.id, **changes)
            changes = {}
        except IntegrityError:
            pass  # created concurrently: update it below
    if changes:
        await LeaderboardProfile.filter(member_id=member.id).update(**changes)
    return await board_profile(member)
