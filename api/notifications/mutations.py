"""The signed-in member's devices and notification preferences."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.notifications.types import (
    Device,
    DeviceRegistered,
    DeviceUnregistered,
    NotificationPreference,
    NotificationPreferenceInput,
    NotificationPreferencesUpdated,
    RegisterDeviceInput,
    RegisterDevicePayload,
    UpdateNotificationPreferencesPayload,
)
from api.permissions import MemberOnly
from api.problems import problem
from challenges import devices
from challenges.devices import DevicePlatform
from challenges.notification_preferences import NotificationCategory, Preference, update_preferences
from domain.errors import DomainError

MAX_TOKEN_LENGTH = 4096


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(permission_classes=[MemberOnly],
                         description="Receive pushes on this device; the token's shape is checked per platform.")
    async def register_device(self, info: Info, input: RegisterDeviceInput) -> RegisterDevicePayload:
        ctx = info.context
        try:
            device = await devices.register_device(
                (await ctx.program()).id, ctx.principal.member_id, DevicePlatform(input.platform),
                input.token, ctx.now(), ctx.settings.web_relay_hosts,
            )
        except DomainError as error:
            return problem(error)
        return DeviceRegistered(device=Device.from_model(device))

    @strawberry.mutation(permission_classes=[MemberOnly], description="Stop pushes to this device.")
    async def unregister_device(self, info: Info, token: str) -> DeviceUnregistered:
        if len(token) > MAX_TOKEN_LENGTH:  # longer than any token stored: nothing to hash
            return DeviceUnregistered(removed=False)
        return DeviceUnregistered(removed=await devices.unregister_device(info.context.principal.member_id, token))

    @strawberry.mutation(permission_classes=[MemberOnly],
                         description="Switch categories on or off and set their quiet hours.")
    async def update_notification_preferences(
        self, info: Info, input: list[NotificationPreferenceInput]
    ) -> UpdateNotificationPreferencesPayload:
        ctx = info.context
        changes = [Preference(NotificationCategory(i.category), i.enabled, i.quiet_start, i.quiet_end)
                   for i in input]
        try:
            saved = await update_preferences((await ctx.program()).id, ctx.principal.member_id, changes)
        except DomainError as error:
            return problem(error)
        return NotificationPreferencesUpdated(preferences=[NotificationPreference.from_preference(p) for p in saved])
