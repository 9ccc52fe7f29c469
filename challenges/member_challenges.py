"""What a member sees of their challenges: the home screen's list.

A fixed number of queries whatever the number of challenges (the home screen is the
app's most frequent request): published challenges, the member's participations, their
progress rows, completion counts, and community totals when a community challenge is
among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from challenges.challenge_catalog import Audience, ChallengeStatus
from challenges.enrolment import segments_of, takes_part
from challenges.challenge_periods import Period, Window, period_at
from challenges.models import Challenge, ChallengeParticipation, ChallengeProgress, CommunityProgress
from challenges.progress import completions
from domain.models import Member, Program


class MemberChallengeStatus(StrEnum):
    ACTIVE = "active"  # taking part, current period not yet completed
    AVAILABLE = "available"  # open to the member, not joined (opt-in) or left
    COMPLETED = "completed"  # every completed period, newest first
    ALL = "all"  # active and completed


@dataclass(frozen=True)
class MemberChallenge:
    challenge: Challenge
    period_key: str
    period_ends_at: datetime | None  # None for completed periods: they are over
    progress: int  # the member's value; for a community challenge, the collective total
    percent: int
    completed_at: datetime | None
    contribution: int | None  # community challenges: the member's own share


def _percent(value: int, target: int) -> int:
    return 100 if value >= target else min(99, value * 100 // target)


async def _community_totals(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], CommunityProgress]:
    if not pairs:
        return {}
    rows = await CommunityProgress.filter(
        challenge_id__in=list({c for c, _ in pairs}), period_key__in=list({p for _, p in pairs})
    )
    return {(row.challenge_id, row.period_key): row for row in rows}  # type: ignore[attr-defined]


def _view(challenge: Challenge, period: Period | None, key: str, row: ChallengeProgress | None,
          community: CommunityProgress | None) -> MemberChallenge:
    ends_at = period.ends_at if period else None
    value = row.value if row else 0
    if challenge.community_target is None:
        return MemberChallenge(challenge, key, ends_at, value, row.percent if row else 0,
                               row.completed_at if row else None, None)
    total = community.value if community else 0
    return MemberChallenge(challenge, key, ends_at, total, _percent(total, int(challenge.community_target)),
                           community.completed_at if community else None, value)


async def _current(program: Program, member: Member, now: datetime, wanted: MemberChallengeStatus) -> list[MemberChallenge]:
    tz = ZoneInfo(program.time_zone)
    open_now: list[tuple[Challenge, Period]] = []
    published = await Challenge.filter(program_id=program.id, status=ChallengeStatus.PUBLISHED.value).order_by("id")
    in_segments = await segments_of(program, member, published, now)
    for challenge in published:
        period = period_at(Window.from_json(challenge.window), now, tz)
        if period is not None and Audience.from_json(challenge.audience).admits(member.tier_id, in_segments):
            open_now.append((challenge, period))
    if not open_now:
        return []
    ids = [c.id for c, _ in open_now]
    joined = {p.challenge_id: p for p in await ChallengeParticipation.filter(member_id=member.id, challenge_id__in=ids)}  # type: ignore[attr-defined]
    rows = await ChallengeProgress.filter(member_id=member.id, challenge_id__in=ids,
                                          period_key__in=list({p.key for _, p in open_now}))
    by_key = {(r.challenge_id, r.period_key): r for r in rows}  # type: ignore[attr-defined]
    done = await completions(str(member.id), ids)
    community = await _community_totals({(c.id, p.key) for c, p in open_now if c.community_target is not None})
    found: list[MemberChallenge] = []
    for challenge, period in open_now:
        view = _view(challenge, period, period.key, by_key.get((challenge.id, period.key)),
                     community.get((challenge.id, period.key)))
        capped = challenge.community_target is None and done.get(challenge.id, 0) >= challenge.max_completions
        if view.completed_at is not None or capped:
            continue
        active = takes_part(challenge, member.tier_id, joined.get(challenge.id), in_segments)
        if active == (wanted == MemberChallengeStatus.ACTIVE):
            found.append(view)
    return sorted(found, key=lambda v: (v.period_ends_at, v.challenge.id))  # ending soonest first


async def _completed(program: Program, member: Member) -> list[MemberChallenge]:
    # A member's community rows never complete themselves: the collective total does.
    finished = Q(completed_at__isnull=False) | Q(challenge__community_target__isnull=False)
    rows = await ChallengeProgress.filter(finished, member_id=member.id, challenge__program_id=program.id).select_related("challenge")
    community = await _community_totals(
        {(r.challenge_id, r.period_key) for r in rows if r.challenge.community_target is not None}  # type: ignore[attr-defined]
    )
    found = [
        _view(r.challenge, None, r.period_key, r, community.get((r.challenge_id, r.period_key)))  # type: ignore[attr-defined]
        for r in rows
    ]
    done = [v for v in found if v.completed_at is not None and (v.contribution is None or v.contribution > 0)]
    return sorted(done, key=lambda v: (v.completed_at, v.challenge.id), reverse=True)


async def member_challenges(
    program: Program, member: Member, status: MemberChallengeStatus, now: datetime
) -> list[MemberChallenge]:
    if status == MemberChallengeStatus.COMPLETED:
        return await _completed(program, member)
    if status == MemberChallengeStatus.ALL:
        return await _current(program, member, now, MemberChallengeStatus.ACTIVE) + await _completed(program, member)
    return await _current(program, member, now, status)
