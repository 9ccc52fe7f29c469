"""Turning committed events into messages for live subscribers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from redis.asyncio import Redis

from api import pubsub
from challenges.events import ChallengeCompleted, ChallengeProgressed, NotificationQueued

CHALLENGE_PROGRESS = "challenge_progress"
NOTIFICATION = "notification"


def live_message(event: object) -> tuple[str, dict[str, Any]] | None:
    """(kind, payload) for events members watch live; None for the rest."""
    match event:
        case ChallengeProgressed():
            payload = asdict(event)
            return CHALLENGE_PROGRESS, {**payload, "completed_at": None}
        case ChallengeCompleted():
            return CHALLENGE_PROGRESS, {**asdict(event), "percent": 100, "value": None, "milestones": []}
        case NotificationQueued():
            return NOTIFICATION, asdict(event)
    return None


async def publish_live(redis: Redis, events: list[object]) -> None:
    for event in events:
        message = live_message(event)
        if message is not None:
            kind, payload = message
            await pubsub.publish(redis, payload["program_id"], payload["member_id"], kind, payload)
