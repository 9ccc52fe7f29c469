"""Which adapter serves which target, built from the deployment's configuration.

A member's devices are targets by platform: iOS -> APNs, Android -> FCM, web -> FCM for
an FCM token or the signed webhook for a relay URL. When the deployment sets a webhook
URL (its CRM, a message hub, or `loyalty webhook-receiver` on a laptop), every message
also goes there, whether or not the member has a device.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from challenges.delivery import apns
from challenges.delivery.apns import ApnsCredentials, ApnsSender
from challenges.delivery.fcm import FcmSender, ServiceAccount
from challenges.delivery.push import Channel, DeliveryResult, Outcome, Push, PushSender, Target
from challenges.delivery.webhook import WebhookSender
from challenges.devices import DevicePlatform, is_relay_url
from challenges.models import Device

SINK_KEY = "webhook"


@dataclass(frozen=True)
class ProviderConfig:
    """Everything the adapters need; api/ fills it from Settings (no secrets in code)."""

    webhook_url: str | None = None
    webhook_secret: str | None = None
    fcm_service_account_file: Path | None = None
    fcm_api_url: str = "https://fcm.googleapis.com"
    fcm_token_uri: str | None = None  # overrides the service account file's token_uri
    apns_key_file: Path | None = None
    apns_key_id: str | None = None
    apns_team_id: str | None = None
    apns_topic: str | None = None
    apns_url: str = apns.PRODUCTION_URL
    request_timeout_seconds: float = 10.0


def target_of(device: Device) -> Target:
    platform = DevicePlatform(device.platform)
    if platform == DevicePlatform.IOS:
        channel = Channel.APNS
    elif platform == DevicePlatform.WEB and is_relay_url(device.token):
        channel = Channel.WEBHOOK
    else:
        channel = Channel.FCM
    return Target(f"device:{device.id}", channel, device.token, device.id)


@dataclass
class Providers:
    senders: dict[Channel, PushSender]
    sink_url: str | None = None

    def targets(self, devices: Sequence[Device]) -> list[Target]:
        found = [target_of(d) for d in devices]
        if self.sink_url:
            found.append(Target(SINK_KEY, Channel.WEBHOOK, self.sink_url))
        return found

    async def send(self, push: Push, target: Target) -> DeliveryResult:
        sender = self.senders.get(target.channel)
        if sender is None:
            return DeliveryResult(Outcome.SKIPPED, f"{target.channel}: not configured")
        return await sender.send(push, target)


@contextlib.asynccontextmanager
async def open_providers(config: ProviderConfig) -> AsyncIterator[Providers]:
    """Adapters for what is configured, sharing connection pools for the worker's life."""
    timeout = httpx.Timeout(config.request_timeout_seconds)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=timeout))
        senders: dict[Channel, PushSender] = {}
        if config.webhook_secret:
            senders[Channel.WEBHOOK] = WebhookSender(http, config.webhook_secret)
        if config.fcm_service_account_file:
            account = ServiceAccount.from_file(config.fcm_service_account_file, config.fcm_token_uri)
            senders[Channel.FCM] = FcmSender(http, account, config.fcm_api_url)
        if config.apns_key_file and config.apns_key_id and config.apns_team_id and config.apns_topic:
            credentials = ApnsCredentials.from_file(
                config.apns_key_file, config.apns_key_id, config.apns_team_id, config.apns_topic
            )
            http2 = await stack.enter_async_context(apns.new_client(config.request_timeout_seconds))
            senders[Channel.APNS] = ApnsSender(http2, credentials, config.apns_url)
        sink = config.webhook_url if Channel.WEBHOOK in senders else None
        yield Providers(senders, sink)
