"""Reading the signed-in member's notification preferences."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.notifications.types import NotificationPreference
from api.permissions import MemberOnly
from challenges.notification_preferences import preferences_of


async def preferences_of_member(member_id: str) -> list[NotificationPreference]:
    """Every category, defaults included (also for a `Member.notificationPreferences` field)."""
    return [NotificationPreference.from_preference(p) for p in await preferences_of(member_id)]


@strawberry.type
class NotificationQueries:
    @strawberry.field(permission_classes=[MemberOnly],
                      description="The signed-in member's settings for every category.")
    async def notification_preferences(self, info: Info) -> list[NotificationPreference]:
        return await preferences_of_member(info.context.principal.member_id)
