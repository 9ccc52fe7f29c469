"""Which earn lots a spend consumes: a pure rule, no I/O.

Soonest-expiring first, oldest first among equals; pending and expired points are never
spendable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InsufficientPoints


@dataclass(frozen=True)
class LotView:
    id: int
    remaining: int
    earned_at: datetime
    available_at: datetime
    expires_at: datetime

    def spendable_at(self, now: datetime) -> bool:
        return self.remaining > 0 and self.available_at <= now < self.expires_at


@dataclass(frozen=True)
class Take:
    lot_id: int
    points: int


def spend_order(lots: Iterable[LotView], now: datetime) -> list[LotView]:
    spendable = [lot for lot in lots if lot.spendable_at(now)]
    return sorted(spendable, key=lambda lot: (lot.expires_at, lot.earned_at, lot.id))


def spendable_points(lots: Iterable[LotView], now: datetime) -> int:
    return sum(lot.remaining for lot in lots if lot.spendable_at(now))


def plan_spend(lots: Sequence[LotView], points: int, now: datetime) -> list[Take]:
    """The takes that cover `points`, or InsufficientPoints if the spendable lots can't."""
    if points <= 0:
        raise ValueError("a spend must be positive")
    takes: list[Take] = []
    left = points
    for lot in spend_order(lots, now):
        take = min(lot.remaining, left)
        takes.append(Take(lot.id, take))
        left -= take
        if left == 0:
            return takes
    raise InsufficientPoints(points, points - left)
