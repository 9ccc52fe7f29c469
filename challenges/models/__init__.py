"""Tortoise models of gamification, one concept a module (imported here for discovery)."""

from challenges.models.activity import Activity, ActivityType
from challenges.models.badge import Badge, MemberBadge
from challenges.models.challenge import (
    Challenge,
    ChallengeParticipation,
    ChallengeProgress,
    CommunityProgress,
)
from challenges.models.leaderboard import BoardRefreshRequest, LeaderboardProfile, MemberFollow
from challenges.models.notification import Device, NotificationPreference, OutboxMessage

__all__ = [
    "Activity",
    "ActivityType",
    "Badge",
    "BoardRefreshRequest",
    "Challenge",
    "ChallengeParticipation",
    "ChallengeProgress",
    "CommunityProgress",
    "Device",
    "LeaderboardProfile",
    "MemberBadge",
    "MemberFollow",
    "NotificationPreference",
    "OutboxMessage",
]
