"""GraphQL types of points: the summary, ledger entries, purchase outcomes."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.long_int import Long
from domain import models
from domain.points import PointsSummary

LedgerKind = strawberry.enum(models.LedgerKind)


@strawberry.type
class ExpiringPoints:
    points: Long
    expires_at: datetime


@strawberry.type
class Points:
    # Long: sums of the ledger (one partner purchase can earn up to 1,000 points a euro).
    balance: Long = strawberry.field(description="Sum of the member's ledger.")
    available: Long = strawberry.field(description="Spendable now.")
    pending: Long = strawberry.field(description="Earned, spendable once the return window closes.")
    lifetime_earned: Long
    expiring_soon: list[ExpiringPoints] = strawberry.field(
        description="Points expiring within 30 days, soonest first."
    )

    @classmethod
    def from_summary(cls, summary: PointsSummary) -> Points:
        return cls(
            balance=summary.balance,
            available=summary.available,
            pending=summary.pending,
            lifetime_earned=summary.lifetime_earned,
            expiring_soon=[ExpiringPoints(points=e.points, expires_at=e.expires_at) for e in summary.expiring_soon],
        )


@strawberry.type
class LedgerEntry:
    id: strawberry.ID
    kind: LedgerKind
    points: Long = strawberry.field(description="Signed: credits positive, debits negative.")
    reason: str
    created_at: datetime
    purchase_id: strawberry.ID | None

    @classmethod
    def from_model(cls, entry: models.LedgerEntry) -> LedgerEntry:
        return cls(
            id=strawberry.ID(str(entry.id)),
            kind=entry.kind,
            points=entry.points,
            reason=entry.reason,
            created_at=entry.created_at,
            purchase_id=strawberry.ID(str(entry.purchase_id)) if entry.purchase_id else None,
        )
