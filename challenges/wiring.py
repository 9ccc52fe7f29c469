"""Subscribes gamification's handlers to the domain's event bus, once, at start-up.

Handlers here run inside the transaction of the purchase or activity that caused them.
"""

from __future__ import annotations

from challenges import badge_awards, campaign_triggers, notification_triggers, privacy, progress
from challenges.events import ActivityRecorded, BadgeEarned
from domain.events import EventBus, MemberErased, PointsDonated, PurchaseRecorded, TierChanged


def register(bus: EventBus) -> None:
    """Idempotent: subscribing a handler twice keeps one subscription."""
    bus.subscribe(ActivityRecorded, badge_awards.on_activity_recorded)
    bus.subscribe(ActivityRecorded, campaign_triggers.on_activity_recorded)  # review/survey bonuses
    bus.subscribe(PurchaseRecorded, badge_awards.on_purchase_recorded)
    bus.subscribe(PointsDonated, badge_awards.on_points_donated)  # first donation, ...
    progress.register(bus)  # challenge progress: purchases, earn credits, activities
    bus.subscribe(BadgeEarned, notification_triggers.on_badge_earned)  # push: badge earned
    bus.subscribe(TierChanged, notification_triggers.on_tier_changed)  # push: tier up
    bus.subscribe(MemberErased, privacy.on_member_erased)  # erasure: devices, follows, ...
