"""Who takes part in a challenge: the audience, automatic or opt-in enrolment, and
members joining or leaving."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from challenges.challenge_catalog import Audience, ChallengeStatus, get_challenge
from challenges.challenge_periods import Window
from challenges.models import Challenge, ChallengeParticipation
from domain import ledger
from domain.errors import NotEligible
from domain.models import Program

__all__ = ["NotEligible"]  # re-exported: challenge callers catch it from here


def takes_part(challenge: Challenge, tier_id: int | None, participation: ChallengeParticipation | None) -> bool:
    """Whether a member's events count toward a (published) challenge. Automatic
    enrolment: everyone in the audience who hasn't left; opt-in: only those who joined."""
    if not Audience.from_json(challenge.audience).admits(tier_id):
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
    async with in_transaction():
        challenge = await _open_challenge(program, challenge_id, now)
        member = await ledger.lock_member(program.id, member_id)  # one join at a time
        if not Audience.from_json(challenge.audience).admits(member.tier_id):
            raise NotEligible("audience", "this challenge is for members of other tiers")
        participation = await ChallengeParticipation.get_or_none(challenge_id=challenge.id, member_id=member.id)
        if participation is None:
            await ChallengeParticipation.create(challenge_id=challenge.id, member_id=member.id, joined_at=now)
        elif participation.left_at is not None:
            await ChallengeParticipation.filter(id=participation.id).update(joined_at=now, left_at=None)
        return challenge


async def leave_challenge(program: Program, member_id: str, challenge_id: int, now: datetime) -> Challenge:
    """Stop taking part: progress so far stays, new events no longer count. Leaving an
    automatic challenge opts the member out of it."""
    async with in_transaction():
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
