"""Challenge participation and completion for the program KPIs.

They live here, not in domain/kpis, because the challenge tables are gamification's and
domain/ never imports challenges/; api/kpis puts both halves into one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.expressions import Q, Subquery

from challenges.models import ChallengeParticipation, ChallengeProgress
from domain.kpis.definitions import completion_rate, participation_rate
from domain.models import Member


@dataclass(frozen=True)
class ChallengeKpis:
    participants: int
    completers: int
    participation_rate: Decimal | None
    completion_rate: Decimal | None


async def challenge_kpis(program_id: int, start: datetime, end: datetime, active_members: int) -> ChallengeKpis:
    """Participants: members who joined a challenge, made progress (last progress update)
    or completed one within [start, end). Completers: members who completed one then.

    Progress rows keep only their last update, so a past period's participant count can
    shrink when that progress moves on later; joins and completions never move."""
    joined = ChallengeParticipation.filter(
        challenge__program_id=program_id, joined_at__gte=start, joined_at__lt=end
    ).values("member_id")
    progressed = ChallengeProgress.filter(
        challenge__program_id=program_id, value__gt=0, updated_at__gte=start, updated_at__lt=end
    ).values("member_id")
    completed = ChallengeProgress.filter(
        challenge__program_id=program_id, completed_at__gte=start, completed_at__lt=end
    ).values("member_id")
    members = Member.filter(program_id=program_id)
    participants = await members.filter(
        Q(id__in=Subquery(joined)) | Q(id__in=Subquery(progressed)) | Q(id__in=Subquery(completed))
    ).count()
    completers = await Member.filter(program_id=program_id, id__in=Subquery(completed)).count()
    return ChallengeKpis(
        participants=participants,
        completers=completers,
        participation_rate=participation_rate(participants, active_members),
        completion_rate=completion_rate(completers, participants),
    )
