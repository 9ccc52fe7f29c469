"""Apple Push Notification service over HTTP/2, with token (JWT) authentication.

The provider token is an ES256 JWT (`kid` = the .p8 key's id, `iss` = the team id, `iat`),
signed with the key from Apple's developer account. Apple refuses tokens older than an
hour and throttles renewing more often than every 20 minutes: it is cached for 40.
APNs needs HTTP/2, hence httpx's `http2=True` (the `h2` package, `httpx[http2]`).
`apns-collapse-id` is the message's idempotency key: a repeat replaces the notification
on the device instead of showing twice; `apns-id` is derived from it for Apple's logs.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt

from challenges.delivery.push import DeliveryResult, Outcome, Push, Target, by_status, retry_after

TOKEN_TTL_SECONDS = 40 * 60
DEAD_TOKEN_REASONS = {"BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic"}
STALE_PROVIDER_TOKEN = {"ExpiredProviderToken", "InvalidProviderToken"}
PRODUCTION_URL = "https://api.push.apple.com"
SANDBOX_URL = "https://api.sandbox.push.apple.com"


@dataclass(frozen=True)
class ApnsCredentials:
    key_pem: str  # the .p8 file's text (an EC P-256 private key)
    key_id: str
    team_id: str
    topic: str  # the app's bundle id

    @classmethod
    def from_file(cls, key_file: Path, key_id: str, team_id: str, topic: str) -> ApnsCredentials:
        pem = key_file.read_text()
        jwt.encode({"probe": True}, pem, algorithm="ES256")  # a broken key fails at start
        return cls(pem, key_id, team_id, topic)


class ProviderToken:
    def __init__(self, credentials: ApnsCredentials, clock: Callable[[], float] = time.time) -> None:
        self.credentials = credentials
        self.clock = clock
        self._token: str | None = None
        self._issued_at = 0.0

    def get(self) -> str:
        now = self.clock()
        if self._token is None or now - self._issued_at >= TOKEN_TTL_SECONDS:
            self._issued_at = now
            self._token = jwt.encode(
                {"iss": self.credentials.team_id, "iat": int(now)},
                self.credentials.key_pem,
                algorithm="ES256",
                headers={"kid": self.credentials.key_id},
            )
        return self._token

    def invalidate(self) -> None:
        self._token = None


def new_client(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(http2=True, timeout=timeout)


def payload_of(push: Push) -> dict[str, Any]:
    return {
        "aps": {"alert": {"title": push.title, "body": push.body}, "sound": "default"},
        "data": push.data,
        "category": push.category,
        "idempotency_key": push.idempotency_key,
    }


def headers_of(push: Push, credentials: ApnsCredentials, provider_token: str) -> dict[str, str]:
    return {
        "authorization": f"bearer {provider_token}",
        "apns-topic": credentials.topic,
        "apns-push-type": "alert",
        "apns-priority": "10",
        "apns-id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"loyalty:{push.idempotency_key}")),
        "apns-collapse-id": push.idempotency_key,  # at most 64 bytes: "outbox:<id>" is
    }


class ApnsSender:
    def __init__(self, client: httpx.AsyncClient, credentials: ApnsCredentials, api_url: str,
                 provider_token: ProviderToken | None = None) -> None:
        self.client = client
        self.credentials = credentials
        self.api_url = api_url.rstrip("/")
        self.provider_token = provider_token or ProviderToken(credentials)

    async def send(self, push: Push, target: Target) -> DeliveryResult:
        headers = headers_of(push, self.credentials, self.provider_token.get())
        try:
            response = await self.client.post(
                f"{self.api_url}/3/device/{target.address}", json=payload_of(push), headers=headers
            )
        except httpx.HTTPError as error:
            return DeliveryResult(Outcome.RETRY, f"apns: {type(error).__name__}: {error}")
        reason = ""
        if response.status_code >= 400:
            try:
                reason = str(response.json().get("reason", ""))
            except ValueError:
                reason = ""
        detail = f"apns: HTTP {response.status_code} {reason}".rstrip()
        if reason in STALE_PROVIDER_TOKEN:
            self.provider_token.invalidate()
            return DeliveryResult(Outcome.RETRY, detail)
        gone = response.status_code == 410 or reason in DEAD_TOKEN_REASONS
        result = by_status(response.status_code, detail, gone)
        if result.outcome == Outcome.RETRY:
            return DeliveryResult(result.outcome, detail, retry_after(response.headers.get("Retry-After")))
        return result
