"""Who takes part in a challenge: the audience, automatic or opt-in enrolment, and
members joining or leaving."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from challenges.challenge_catalog import Audience, ChallengeStatus, get_challenge
from challenges.challenge_periods import Window
from challenges.models import Challenge, ChallengeParticipation
from domain import ledger
from domain.errors import NotEligible, NotFound
from domain.models import Member, Program
from domain.segments.membership import member_in_segment
from domain.unit_of_work import unit_of_work

__all__ = ["NotEligible"]  # re-exported: challenge callers catch it from here


async def segments_of(
    program: Program, member: Member, challenges: Iterable[Challenge], now: datetime
) -> frozenset[int]:
    """The segments the member is in, among those the challenges' audiences name: only
    segment audiences cost a look at the member's facts."""
    wanted = {Audience.from_json(c.audience).segment_id for c in challenges} - {None}
    found = set()
    for segment_id in sorted(s for s in wanted if s is not None):
        try:
            if await member_in_segment(program, segment_id, member, now):
                found.add(segment_id)
        except NotFound:
            continue  # a segment gone from the program admits nobody
    return frozenset(found)


def takes_part(
    challenge: Challenge,
    tier_id: int | None,
    participation: ChallengeParticipation | None,
    in_segments: Collection[int] = (),
) -> bool:
    """Whether a member's events count toward a (published) challenge. Automatic
    enrolment: everyone in the audience who hasn't left; opt-in: only those who joined.
    `in_segments`: see segments_of (needed only for segment audiences)."""
    if not Audience.from_json(challenge.audience).admits(tier_id, in_segments):
        return False
    if challenge.opt_in:
        return participation is not None and participation.left_at is None
    return participation is None or participation.left_at is None


async def _open_challenge(program: Program, challenge_id: int, now: datetime) -> Challenge:
    challenge = await get_challenge(program.id, challenge_id)
    if challenge.status != ChallengeStatus.PUBLISHED:
        raise NotEligible("challengeId", "this challenge is not open")
    window = Window.from_json(challenge.window)
    if window.ends_at is not None and window.ends_at <= now:
        raise NotEligible("challengeId", "this challenge has ended")
    return challenge


async def join_challenge(program: Program, member_id: str, challenge_id: int, now: datetime) -> Challenge:
    """Join (or re-join after leaving). Joining twice is harmless."""
    async with unit_of_work.transaction():
        challenge = await _open_challenge(program, challenge_id, now)
        member = await ledger.lock_member(program.id, member_id)  # one join at a time
        audience = Audience.from_json(challenge.audience)
        in_segments = await segments_of(program, member, [challenge], now)
        if not audience.admits(member.tier_id, in_segments):
            who = "members of a segment" if audience.segment_id is not None else "members of other tiers"
            raise NotEligible("audience", f"this challenge is for {who}")
        participation = await ChallengeParticipation.get_or_none(challenge_id=challenge.id, member_id=member.id)
        if participation is None:
            await ChallengeParticipation.create(challenge_id=challenge.id, member_id=member.id, joined_at=now)
        elif participation.left_at is not None:
            await ChallengeParticipation.filter(id=participation.id).update(joined_at=now, left_at=None)
        return challenge


async def leave_challenge(program: Program, member_id: str, challenge_id: int, now: datetime) -> Challenge:
    """Stop taking part: progress so far stays, new events no longer count. Leaving an
    automatic challenge opts the member out of it."""
    async with unit_of_work.transaction():
        challenge = await get_challenge(program.id, challenge_id)
        if challenge.status != ChallengeStatus.PUBLISHED:
            raise NotEligible("challengeId", "this challenge is not open")
        member = await ledger.lock_member(program.id, member_id)
        participation = await ChallengeParticipation.get_or_none(challenge_id=challenge.id, member_id=member.id)
        if participation is None:
            await ChallengeParticipation.create(challenge_id=challenge.id, member_id=member.id, joined_at=now, left_at=now)
        elif participation.left_at is None:
            await ChallengeParticipation.filter(id=participation.id).update(left_at=now)
        return challenge
