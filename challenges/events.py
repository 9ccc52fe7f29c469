"""Events of the gamification context, published on the domain's bus (domain.events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ActivityRecorded:
    program_id: int
    member_id: str
    activity_id: int
    type_code: str
    attributes: dict[str, Any]
    impact_unit: str | None
    impact_amount: int
    occurred_at: datetime
    self_reported: bool = False  # the member's own word from the app, no witness


@dataclass(frozen=True)
class ChallengeProgressed:
    program_id: int
    member_id: str
    challenge_id: int
    period_key: str
    value: int
    percent: int
    reached_at: datetime
    milestones: list[int] = field(default_factory=list)  # newly reached, e.g. [50]


@dataclass(frozen=True)
class ChallengeCompleted:
    program_id: int
    member_id: str
    challenge_id: int
    period_key: str
    completed_at: datetime


@dataclass(frozen=True)
class BadgeEarned:
    program_id: int
    member_id: str
    badge_id: int
    level: int
    earned_at: datetime


@dataclass(frozen=True)
class NotificationQueued:
    """An intent entered the outbox; after commit it is also sent to live subscribers."""

    program_id: int
    member_id: str
    outbox_id: int
    category: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
