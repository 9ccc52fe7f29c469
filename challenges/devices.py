"""Devices a member receives pushes on, and what a push token may look like per platform.

Token shapes (checked before anything is stored; a wrong one is `InvalidInput` on `token`):
- IOS: an APNs device token, 64 hexadecimal characters (32 bytes); stored lower-case.
- ANDROID: an FCM registration token, 100 to 4096 characters of `A-Z a-z 0-9 - _ :`.
- WEB: either an FCM registration token (the Firebase JS SDK's, delivered through FCM)
  or the `https://` URL of the brand's own web-push relay, which gets the signed webhook.
  Because the worker POSTs to that URL, its host must be one the deployment allows
  (`PUSH_WEB_RELAY_HOSTS`): a member must not point the worker at internal addresses.
A token belongs to one device of one member: registering it again moves it to the caller
(a phone changed hands or accounts), so pushes never go to the previous member.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from challenges.models import Device
from domain.errors import InvalidInput, NotFound
from domain.models import Member

APNS_TOKEN = re.compile(r"^[0-9a-fA-F]{64}$")
FCM_TOKEN = re.compile(r"^[A-Za-z0-9_:\-]{100,4096}$")
MAX_URL_LENGTH = 2048
# A member's oldest devices make way beyond this: it bounds the fan-out of one push.
MAX_DEVICES_PER_MEMBER = 10


class DevicePlatform(StrEnum):
    IOS = "ios"
    ANDROID = "android"
    WEB = "web"


def is_relay_url(token: str) -> bool:
    return token.startswith("https://")


def token_problem(platform: DevicePlatform, token: str, relay_hosts: Collection[str]) -> str | None:
    """Why this token cannot be a `platform` token, or None when it can."""
    if platform == DevicePlatform.IOS:
        return None if APNS_TOKEN.match(token) else "an iOS token is 64 hexadecimal characters (APNs)"
    if platform == DevicePlatform.ANDROID:
        return None if FCM_TOKEN.match(token) else (
            "an Android token is an FCM registration token: 100 to 4096 of A-Z a-z 0-9 - _ :"
        )
    if FCM_TOKEN.match(token):
        return None
    if not is_relay_url(token):
        return "a web token is an FCM registration token or an https:// web-push relay URL"
    if len(token) > MAX_URL_LENGTH:
        return f"a relay URL is at most {MAX_URL_LENGTH} characters"
    parts = urlsplit(token)
    if parts.username or parts.password or not parts.hostname or any(c.isspace() for c in token):
        return "a relay URL needs a host and no credentials or spaces"
    if parts.hostname.lower() not in {h.lower() for h in relay_hosts}:
        return f"{parts.hostname} is not an allowed web-push relay host"
    return None


def normalise(platform: DevicePlatform, token: str) -> str:
    token = token.strip()
    return token.lower() if platform == DevicePlatform.IOS else token


def token_hash(token: str) -> str:
    """Tokens run to kilobytes; a unique index goes on their digest."""
    return hashlib.sha256(token.encode()).hexdigest()


async def register_device(
    program_id: int,
    member_id: str,
    platform: DevicePlatform,
    token: str,
    now: datetime,
    relay_hosts: Collection[str] = (),
) -> Device:
    token = normalise(platform, token)
    problem = token_problem(platform, token, relay_hosts)
    if problem:
        raise InvalidInput.one("token", problem)
    digest = token_hash(token)
    for _ in range(2):  # a concurrent first registration of the same token wins once
        try:
            async with in_transaction():
                if not await Member.exists(id=member_id, program_id=program_id, erased_at=None):
                    raise NotFound("member", member_id)
                device = await Device.filter(token_hash=digest).select_for_update().first()
                if device is None:
                    device = await Device.create(member_id=member_id, platform=platform.value, token=token,
                                                 token_hash=digest, created_at=now, last_seen_at=now)
                else:
                    device.member_id = member_id  # moves to the caller, see the module's doc
                    device.platform = platform.value
                    device.last_seen_at = now
                    await device.save(update_fields=["member_id", "platform", "last_seen_at"])
                await _drop_oldest(member_id)
                return device
        except IntegrityError:
            continue
    raise RuntimeError("device registration kept conflicting")  # two retries lost: a bug


async def _drop_oldest(member_id: str) -> None:
    keep = await Device.filter(member_id=member_id).order_by("-last_seen_at", "-id").limit(
        MAX_DEVICES_PER_MEMBER).values_list("id", flat=True)
    await Device.filter(member_id=member_id).exclude(id__in=list(keep)).delete()


async def unregister_device(member_id: str, token: str) -> bool:
    """Forget the caller's device with this token; False when the caller has none such.

    Another member's token is left alone and answered the same way as an unknown one.
    """
    digests = {token_hash(token.strip()), token_hash(token.strip().lower())}
    return await Device.filter(member_id=member_id, token_hash__in=list(digests)).delete() > 0


async def devices_of(member_id: str) -> list[Device]:
    return await Device.filter(member_id=member_id).order_by("id")


async def forget_token(device_id: int) -> None:
    """The provider said the token is dead (app uninstalled): stop sending to it."""
    await Device.filter(id=device_id).delete()
