"""How members take part in leaderboards: whom they follow, and how they appear.

Database only; the caller brings Redis up to date after commit
(`leaderboard_service.refresh_member`), and readers check the database anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from challenges.leaderboards import MAX_FOLLOWING, alias_problem
from challenges.models import LeaderboardProfile, MemberFollow
from domain.errors import InvalidInput, NotFound, Problems
from domain.members import parse_member_id
from domain.models import Member, Program


class _Keep:
    """Marks a profile setting the caller leaves as it is."""


KEEP = _Keep()


async def _other_member(program: Program, follower_id: str, raw_id: str) -> str:
    followee_id = parse_member_id(raw_id)
    if followee_id == follower_id:
        raise InvalidInput.one("memberId", "you can't follow yourself")
    found = {str(i) for i in await Member.filter(  # erased members neither follow nor are followed
        id__in=[follower_id, followee_id], program_id=program.id, erased_at=None).values_list("id", flat=True)}
    for someone in (follower_id, followee_id):  # the follower too: a token can outlive its member
        if someone not in found:
            raise NotFound("member", someone)
    return followee_id


async def follow_member(program: Program, follower_id: str, raw_id: str, now: datetime) -> str:
    """Follow a member (idempotent); returns their id. Following shares nothing with them:
    they appear on the follower's friends board as they appear on every board."""
    followee_id = await _other_member(program, follower_id, raw_id)
    if await MemberFollow.exists(follower_id=follower_id, followee_id=followee_id):
        return followee_id
    # A soft cap (two requests at once may pass it together): it only bounds the work of a
    # friends board, computed per query.
    if await MemberFollow.filter(follower_id=follower_id).count() >= MAX_FOLLOWING:
        raise InvalidInput.one("memberId", f"you follow {MAX_FOLLOWING} members already: unfollow one first")
    try:
        await MemberFollow.create(follower_id=follower_id, followee_id=followee_id, created_at=now)
    except IntegrityError:
        pass  # a concurrent request followed them first: same outcome
    return followee_id


async def unfollow_member(program: Program, follower_id: str, raw_id: str) -> str:
    """Stop following (idempotent); returns their id."""
    followee_id = await _other_member(program, follower_id, raw_id)
    await MemberFollow.filter(follower_id=follower_id, followee_id=followee_id).delete()
    return followee_id


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
