"""What every provider adapter sends and answers, independent of the provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class Push:
    """One outbox message, as the adapters see it."""

    outbox_id: int
    program_id: int
    member_id: str
    category: str
    title: str
    body: str
    data: dict[str, Any]
    cause: str  # the outbox's dedupe key: what made us send this
    created_at: datetime
    attempt: int  # 1 on the first try

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and workers: a receiver that saw it already drops it."""
        return f"outbox:{self.outbox_id}"

    def payload(self) -> dict[str, Any]:
        """The provider-neutral JSON body (the webhook sends exactly this)."""
        return {
            "id": str(self.outbox_id),
            "idempotency_key": self.idempotency_key,
            "program_id": self.program_id,
            "member_id": self.member_id,
            "category": self.category,
            "title": self.title,
            "body": self.body,
            "data": self.data,
            "cause": self.cause,
            "created_at": self.created_at.isoformat(),
            "attempt": self.attempt,
        }


class Channel(StrEnum):
    APNS = "apns"
    FCM = "fcm"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Target:
    key: str  # "device:12", or "webhook" for the deployment's sink
    channel: Channel
    address: str  # a device token, or a URL for webhooks
    device_id: int | None = None


class Outcome(StrEnum):
    DELIVERED = "delivered"
    GONE = "gone"  # the token is dead (app uninstalled): forget the device
    RETRY = "retry"  # transient: network, 429, 5xx, an expired provider credential
    REJECTED = "rejected"  # permanent: retrying the same request cannot succeed
    SKIPPED = "skipped"  # no adapter configured for this channel


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    detail: str = ""
    retry_after_seconds: float | None = field(default=None)  # the provider's Retry-After


class PushSender(Protocol):
    async def send(self, push: Push, target: Target) -> DeliveryResult: ...


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare from push providers: ignored)."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def by_status(status: int, detail: str, gone: bool = False) -> DeliveryResult:
    """The common reading of an HTTP answer; adapters refine it with provider reasons."""
    if 200 <= status < 300:
        return DeliveryResult(Outcome.DELIVERED)
    if gone:
        return DeliveryResult(Outcome.GONE, detail)
    if status in (408, 425, 429) or status >= 500:
        return DeliveryResult(Outcome.RETRY, detail)
    return DeliveryResult(Outcome.REJECTED, detail)
