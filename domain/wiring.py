"""Subscribes the core's own handlers to the event bus, once, at start-up.

Contexts inside domain/ (referrals, charity, campaign bonuses) react to each other's
events here rather than importing each other's services; handlers run inside the
transaction of the event's cause.
"""

from __future__ import annotations

from domain.events import EventBus


def register(bus: EventBus) -> None:
    """Idempotent: subscribing a handler twice keeps one subscription."""
