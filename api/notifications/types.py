"""GraphQL types of push notifications: devices and per-category preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.problems import InvalidInput, NotFound
from challenges import models
from challenges.devices import DevicePlatform as DevicePlatformEnum
from challenges.notification_preferences import NotificationCategory as CategoryEnum
from challenges.notification_preferences import Preference

DevicePlatform = strawberry.enum(DevicePlatformEnum, name="DevicePlatform")
NotificationCategory = strawberry.enum(
    CategoryEnum, name="NotificationCategory",
    description="What a push is about: challenge progress milestones, badges earned, tier "
    "upgrades, points expiring within 7 days.",
)


@strawberry.type
class Device:
    id: strawberry.ID
    platform: DevicePlatform
    token_suffix: str = strawberry.field(description="The token's last 8 characters, to tell devices apart.")
    registered_at: datetime
    last_seen_at: datetime

    @classmethod
    def from_model(cls, device: models.Device) -> Device:
        return cls(id=strawberry.ID(str(device.id)), platform=DevicePlatformEnum(device.platform),
                   token_suffix=device.token[-8:], registered_at=device.created_at,
                   last_seen_at=device.last_seen_at)


@strawberry.type
class NotificationPreference:
    category: NotificationCategory
    enabled: bool
    quiet_start: str | None = strawberry.field(description="Member-local 24-hour time, e.g. 22:00.")
    quiet_end: str | None = strawberry.field(description="Member-local 24-hour time, e.g. 07:00; "
                                             "earlier than quietStart means the window crosses midnight.")

    @classmethod
    def from_preference(cls, preference: Preference) -> NotificationPreference:
        return cls(category=preference.category, enabled=preference.enabled,
                   quiet_start=preference.quiet_start, quiet_end=preference.quiet_end)


@strawberry.input(description="A device token of the platform's shape: IOS an APNs token (64 hex "
                  "characters); ANDROID an FCM registration token; WEB an FCM registration token "
                  "or an https:// URL of an allowed web-push relay.")
class RegisterDeviceInput:
    platform: DevicePlatform
    token: str


@strawberry.input(description="Replaces this category's settings. Quiet hours are in the member's "
                  "time zone; pushes due inside them are held until they end, never dropped.")
class NotificationPreferenceInput:
    category: NotificationCategory
    enabled: bool
    quiet_start: str | None = None
    quiet_end: str | None = None


@strawberry.type(description="The device receives the member's pushes (it moved to them if "
                 "another member had registered the same token).")
class DeviceRegistered:
    device: Device


@strawberry.type
class DeviceUnregistered:
    removed: bool = strawberry.field(description="False when the caller had no device with this token.")


@strawberry.type
class NotificationPreferencesUpdated:
    preferences: list[NotificationPreference]


RegisterDevicePayload = Annotated[
    DeviceRegistered | InvalidInput | NotFound, strawberry.union("RegisterDevicePayload")
]
UpdateNotificationPreferencesPayload = Annotated[
    NotificationPreferencesUpdated | InvalidInput | NotFound,
    strawberry.union("UpdateNotificationPreferencesPayload"),
]
