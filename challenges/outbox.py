"""Writing push intents to the outbox, inside the transaction of their cause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from challenges.models import OutboxMessage


async def enqueue(
    program_id: int,
    member_id: str,
    category: str,
    title: str,
    body: str,
    data: dict[str, Any],
    dedupe_key: str,
    now: datetime,
) -> OutboxMessage | None:
    """Queue one notification intent; None when this cause was queued before."""
    if await OutboxMessage.exists(dedupe_key=dedupe_key):
        return None
    return await OutboxMessage.create(
        program_id=program_id,
        member_id=member_id,
        category=category,
        title=title,
        body=body,
        data=data,
        dedupe_key=dedupe_key,
        next_attempt_at=now,
        created_at=now,
    )
