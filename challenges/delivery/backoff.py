"""When to try a failed push again, and when to give up. Pure; randomness is injected.

Exponential backoff spreads retries against a provider that is down; jitter keeps many
workers (and many messages failed in the same second) from retrying in lockstep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError("backoff needs 0 < base <= cap")

    def ceiling(self, attempts: int) -> timedelta:
        """The un-jittered delay after the `attempts`-th failed attempt (1-based)."""
        if attempts < 1:
            raise ValueError("attempts are counted from 1")
        # Cap the exponent too: 2**attempts of a huge count would overflow timedelta.
        factor = 2 ** min(attempts - 1, 32)
        return min(self.cap, self.base * factor)

    def delay(self, attempts: int, random: Callable[[], float]) -> timedelta:
        """"Equal jitter": half the ceiling for sure, the other half at random, so a retry
        is never sooner than half the schedule and never later than the ceiling."""
        ceiling = self.ceiling(attempts)
        return ceiling / 2 + (ceiling / 2) * random()

    def exhausted(self, attempts: int) -> bool:
        """After this many attempts, the message goes to the dead letters."""
        return attempts >= self.max_attempts
