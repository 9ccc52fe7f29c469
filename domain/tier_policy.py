"""Tier policy: upgrade at once, downgrade only when a review falls due. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class HasThreshold(Protocol):
    @property
    def threshold(self) -> int: ...


T = TypeVar("T", bound=HasThreshold)


def qualified_tier(tiers: Sequence[T], qualifying_value: int) -> T | None:
    """The highest tier whose threshold the value reaches (None below every threshold)."""
    best: T | None = None
    for tier in sorted(tiers, key=lambda t: t.threshold):
        if qualifying_value >= tier.threshold:
            best = tier
    return best


@dataclass(frozen=True)
class TierDecision(Generic[T]):
    tier: T | None
    reason: str | None  # "upgrade", "downgrade" or None when nothing changes

    @property
    def changed(self) -> bool:
        return self.reason is not None


def decide_tier(
    tiers: Sequence[T], current: T | None, qualifying_value: int, review_due: bool
) -> TierDecision[T]:
    target = qualified_tier(tiers, qualifying_value)
    current_level = current.threshold if current is not None else -1
    target_level = target.threshold if target is not None else -1
    if target_level > current_level:
        return TierDecision(target, "upgrade")
    if target_level < current_level and review_due:
        return TierDecision(target, "downgrade")
    return TierDecision(current, None)


def next_tier(tiers: Sequence[T], current: T | None) -> T | None:
    """The tier above `current` (the lowest tier when the member has none)."""
    floor = current.threshold if current is not None else -1
    above = [t for t in tiers if t.threshold > floor]
    return min(above, key=lambda t: t.threshold) if above else None
