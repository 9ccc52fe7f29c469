"""What live subscribers receive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON


@strawberry.type
class ChallengeProgressUpdate:
    challenge_id: strawberry.ID
    period_key: str
    value: int | None
    percent: int
    milestones: list[int] = strawberry.field(description="Milestones (percent) this update reached.")
    completed_at: datetime | None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ChallengeProgressUpdate:
        completed = payload.get("completed_at")
        return cls(
            challenge_id=strawberry.ID(str(payload["challenge_id"])),
            period_key=payload["period_key"],
            value=payload.get("value"),
            percent=payload["percent"],
            milestones=list(payload.get("milestones") or []),
            completed_at=datetime.fromisoformat(completed) if isinstance(completed, str) else completed,
        )


@strawberry.type
class LiveNotification:
    category: str
    title: str
    body: str
    data: JSON
    created_at: datetime

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> LiveNotification:
        created = payload["created_at"]
        return cls(
            category=payload["category"],
            title=payload["title"],
            body=payload["body"],
            data=payload.get("data") or {},
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else created,
        )
