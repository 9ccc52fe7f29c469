"""A generic webhook, signed with HMAC-SHA256, for any receiver that speaks HTTP.

The receiver checks, with the shared secret:
    X-Loyalty-Timestamp: <unix seconds>
    X-Loyalty-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>." + raw body)>
The timestamp is inside the signature, so a captured request cannot be replayed later
with a fresh timestamp; receivers refuse timestamps older than a few minutes.
`Idempotency-Key` (also in the body) is the same on every retry of one message to one
target: a receiver that already processed it answers 2xx and does nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx

from challenges.delivery.push import DeliveryResult, Outcome, Push, Target, by_status, retry_after

SIGNATURE_HEADER = "X-Loyalty-Signature"
TIMESTAMP_HEADER = "X-Loyalty-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver runs before trusting a delivery."""
    if not timestamp or not signature_header or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(now - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signature_header)


def delivery_key(push: Push, target: Target) -> str:
    """Per message and target: two web devices behind one relay are two deliveries."""
    if target.device_id is None:
        return push.idempotency_key
    return f"{push.idempotency_key}:device:{target.device_id}"


def body_of(push: Push, target: Target) -> bytes:
    payload = {**push.payload(), "idempotency_key": delivery_key(push, target)}
    if target.device_id is not None:
        payload["device_id"] = str(target.device_id)
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, secret: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.secret = secret
        self.clock = clock

    async def send(self, push: Push, target: Target) -> DeliveryResult:
        body = body_of(push, target)
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, timestamp, body),
            IDEMPOTENCY_HEADER: delivery_key(push, target),
            "User-Agent": "loyalty-push/1",
        }
        try:
            response = await self.client.post(target.address, content=body, headers=headers)
        except httpx.HTTPError as error:
            return DeliveryResult(Outcome.RETRY, f"webhook: {type(error).__name__}: {error}")
        # 410 from a device's relay: that subscription is gone. The deployment's own sink
        # answering 410 is a misconfiguration, not a dead device: reject, don't forget.
        gone = response.status_code == 410 and target.device_id is not None
        result = by_status(response.status_code, f"webhook: HTTP {response.status_code}", gone)
        if result.outcome == Outcome.RETRY:
            return DeliveryResult(result.outcome, result.detail,
                                  retry_after(response.headers.get("Retry-After")))
        return result
