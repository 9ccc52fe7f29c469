"""Recording who changed what, in the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.models import AuditEntry


async def record(
    program_id: int, actor: str, action: str, target: str, details: dict[str, Any], now: datetime
) -> None:
    await AuditEntry.create(
        program_id=program_id,
        actor=actor,
        action=action,
        target=target,
        details=details,
        created_at=now,
    )
