"""Subscribes gamification's handlers to the domain's event bus, once, at start-up.

Handlers here run inside the transaction of the purchase or activity that caused them.
"""

from __future__ import annotations

from domain.events import EventBus


def register(bus: EventBus) -> None:
    """Idempotent: subscribing a handler twice keeps one subscription."""
