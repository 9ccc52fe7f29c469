"""Domain events and the in-process bus that carries them between contexts.

Handlers run inside the publishing service's transaction, so whatever they write commits
or rolls back with the cause. Other contexts (challenges/) subscribe at start-up; the
domain never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Handler = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class MemberEnrolled:
    program_id: int
    member_id: str
    enrolled_at: datetime


@dataclass(frozen=True)
class PurchaseRecorded:
    program_id: int
    member_id: str
    purchase_id: int
    amount: int
    currency: str
    occurred_at: datetime


@dataclass(frozen=True)
class PointsEarned:
    program_id: int
    member_id: str
    entry_id: int
    points: int
    earned_at: datetime
    kind: str  # ledger kind of the credit: earn, adjust, ...


@dataclass(frozen=True)
class PointsSpent:
    program_id: int
    member_id: str
    entry_id: int
    points: int
    kind: str


@dataclass(frozen=True)
class TierChanged:
    program_id: int
    member_id: str
    from_tier: str | None
    to_tier: str | None
    reason: str


@dataclass(frozen=True)
class RewardRedeemed:
    """A redemption became final: redeemed outright, or a hold confirmed at the till.

    Charity and sustainability rewards carry what charity/ needs to count their impact:
    `impact` maps an impact unit to an amount, e.g. {"trees_planted": 1}."""

    program_id: int
    member_id: str
    redemption_id: int
    reward_id: int
    kind: str
    points: int
    charity_id: int | None
    impact: dict[str, int]
    occurred_at: datetime


@dataclass(frozen=True)
class RedemptionCancelled:
    """A final redemption was cancelled and its points refunded: its impact is undone."""

    program_id: int
    member_id: str
    redemption_id: int
    occurred_at: datetime


@dataclass(frozen=True)
class PointsDonated:
    """A member gave points to a charity: by hand, by auto-donation or through a reward."""

    program_id: int
    member_id: str
    donation_id: int
    charity_id: int
    points: int
    amount: int  # minor units of the program currency, brand match excluded
    source: str  # member, round_up, auto_share, reward
    occurred_at: datetime


@dataclass(frozen=True)
class ReferralCompleted:
    """The referee made their first qualifying purchase: both members were credited."""

    program_id: int
    referrer_id: str
    referee_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class SurveyAnswered:
    program_id: int
    member_id: str
    survey_id: int
    occurred_at: datetime


@dataclass(frozen=True)
class MemberErased:
    """A privacy erasure: handlers blank or delete the member's personal data in their own
    tables, in the erasure's transaction; ledger totals stay."""

    program_id: int
    member_id: str
    erased_at: datetime


# Events published in the current task since `EventBus.recording()` began.
_recorded: ContextVar[list[object] | None] = ContextVar("recorded_events", default=None)


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type, handler: Handler) -> None:
        if handler not in self._handlers[event_type]:
            self._handlers[event_type].append(handler)

    def unsubscribe(self, event_type: type, handler: Handler) -> None:
        self._handlers[event_type].remove(handler)

    async def publish(self, event: object) -> None:
        for handler in list(self._handlers[type(event)]):
            await handler(event)
        recorded = _recorded.get()
        if recorded is not None:
            recorded.append(event)

    def subscribers(self) -> dict[type, tuple[Handler, ...]]:
        """Who listens to what, in order: what the composition root wired."""
        return {kind: tuple(handlers) for kind, handlers in self._handlers.items() if handlers}

    def clear(self) -> None:
        self._handlers.clear()

    @staticmethod
    @contextmanager
    def recording() -> Iterator[list[object]]:
        """Collect what a use case publishes, for work that must wait for its commit
        (leaderboards, pub/sub; see domain/unit_of_work.py). Recordings nest: one that
        ends normally hands its events to the enclosing recording too; one that ends with
        an exception does not (its transaction rolled back)."""
        parent = _recorded.get()
        events: list[object] = []
        token = _recorded.set(events)
        try:
            yield events
        finally:
            _recorded.reset(token)
        if parent is not None:
            parent.extend(events)


def current_recording() -> list[object] | None:
    return _recorded.get()


# The one bus of the process; api/ wires subscribers onto it at start-up.
event_bus = EventBus()
