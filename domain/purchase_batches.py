"""Recording many purchases in one call (an integration's catch-up, an end-of-day file).

Each purchase is its own transaction and idempotent on its own key: one bad row is
reported and skipped, the others are recorded, and replaying the whole batch after a
partial failure records only what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import DomainError, InvalidInput
from domain.events import event_bus
from domain.models import Program
from domain.purchases import PurchaseOutcome, PurchaseReport, record_purchase

MAX_BATCH = 500


@dataclass(frozen=True)
class BatchLine:
    index: int
    idempotency_key: str
    outcome: PurchaseOutcome | None = None
    error: DomainError | None = None


@dataclass
class BatchResult:
    lines: list[BatchLine] = field(default_factory=list)
    # Events of the recorded purchases only, for after-commit work (boards, live updates).
    events: list[object] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return sum(line.outcome is not None for line in self.lines)

    @property
    def rejected(self) -> int:
        return len(self.lines) - self.recorded


async def record_purchases(
    program: Program, reports: Sequence[PurchaseReport], now: datetime, *, scope: str | None = None
) -> BatchResult:
    if not reports:
        raise InvalidInput.one("input", "send at least one purchase")
    if len(reports) > MAX_BATCH:
        raise InvalidInput.one("input", f"at most {MAX_BATCH} purchases per call, got {len(reports)}")
    result = BatchResult()
    for index, report in enumerate(reports):
        # A recording per purchase: a rejected purchase's events were rolled back with it.
        with event_bus.recording() as published:
            try:
                outcome = await record_purchase(program, report, now, scope=scope)
            except DomainError as error:
                result.lines.append(BatchLine(index, report.idempotency_key, error=error))
                continue
        result.lines.append(BatchLine(index, report.idempotency_key, outcome=outcome))
        result.events.extend(published)
    return result
