"""Firebase Cloud Messaging, HTTP v1 API, for Android and web FCM tokens.

Auth is Google's OAuth2 service-account flow: sign a JWT (RS256, `kid` = the key's id)
with the service account's private key, exchange it at the account's `token_uri` for an
access token, send with `Authorization: Bearer`. The token lives an hour; it is cached and
renewed a minute early, or at once when FCM answers 401.
FCM itself does not deduplicate: the app drops repeats by `data.idempotency_key`, and
`android.collapse_key` makes a device keep only the newest of repeats it has not shown.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt

from challenges.delivery.push import DeliveryResult, Outcome, Push, Target, by_status, retry_after

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# FCM error codes that mean the token will never work again.
DEAD_TOKEN_CODES = {"UNREGISTERED", "SENDER_ID_MISMATCH"}


@dataclass(frozen=True)
class ServiceAccount:
    project_id: str
    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str

    @classmethod
    def from_file(cls, path: Path, token_uri: str | None = None) -> ServiceAccount:
        """`token_uri` overrides the file's (a local stand-in in tests)."""
        raw = json.loads(path.read_text())
        # Sign once now: a broken key fails the worker's start, not every delivery.
        jwt.encode({"probe": True}, raw["private_key"], algorithm="RS256")
        return cls(
            project_id=raw["project_id"],
            client_email=raw["client_email"],
            private_key=raw["private_key"],
            private_key_id=raw.get("private_key_id", ""),
            token_uri=token_uri or raw["token_uri"],
        )


class GoogleAccessToken:
    """One cached OAuth2 access token, renewed by one task at a time."""

    def __init__(self, account: ServiceAccount, client: httpx.AsyncClient,
                 clock: Callable[[], float] = time.time) -> None:
        self.account = account
        self.client = client
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def assertion(self) -> str:
        now = int(self.clock())
        claims = {"iss": self.account.client_email, "scope": SCOPE, "aud": self.account.token_uri,
                  "iat": now, "exp": now + 3600}
        headers = {"kid": self.account.private_key_id} if self.account.private_key_id else None
        return jwt.encode(claims, self.account.private_key, algorithm="RS256", headers=headers)

    async def get(self) -> str:
        async with self._lock:
            if self._token is None or self.clock() >= self._expires_at - 60:
                response = await self.client.post(
                    self.account.token_uri, data={"grant_type": JWT_BEARER, "assertion": self.assertion()}
                )
                response.raise_for_status()
                body = response.json()
                self._token = body["access_token"]
                self._expires_at = self.clock() + float(body.get("expires_in", 3600))
            return self._token

    def invalidate(self) -> None:
        self._token = None


def message_of(push: Push, token: str) -> dict[str, Any]:
    # FCM's data map holds strings only: nested values travel as JSON text.
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in push.data.items()}
    data |= {"idempotency_key": push.idempotency_key, "category": push.category,
             "outbox_id": str(push.outbox_id)}
    return {
        "message": {
            "token": token,
            "notification": {"title": push.title, "body": push.body},
            "data": data,
            "android": {"collapse_key": push.idempotency_key},
        }
    }


def _error_code(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return ""
    for detail in error.get("details", []):
        if detail.get("errorCode"):
            return str(detail["errorCode"])
    return str(error.get("status", ""))


class FcmSender:
    def __init__(self, client: httpx.AsyncClient, account: ServiceAccount, api_url: str,
                 access_token: GoogleAccessToken | None = None) -> None:
        self.client = client
        self.account = account
        self.url = f"{api_url.rstrip('/')}/v1/projects/{account.project_id}/messages:send"
        self.access_token = access_token or GoogleAccessToken(account, client)

    async def send(self, push: Push, target: Target) -> DeliveryResult:
        try:
            token = await self.access_token.get()
            response = await self.client.post(
                self.url, json=message_of(push, target.address),
                headers={"Authorization": f"Bearer {token}"},
            )
        except (httpx.HTTPError, KeyError, ValueError) as error:
            # Includes a failed token exchange: Google's token endpoint down is transient.
            return DeliveryResult(Outcome.RETRY, f"fcm: {type(error).__name__}: {error}")
        code = _error_code(response) if response.status_code >= 400 else ""
        detail = f"fcm: HTTP {response.status_code} {code}".rstrip()
        if response.status_code == 401:
            self.access_token.invalidate()
            return DeliveryResult(Outcome.RETRY, detail)
        gone = response.status_code == 404 or code in DEAD_TOKEN_CODES
        result = by_status(response.status_code, detail, gone)
        if result.outcome == Outcome.RETRY:
            return DeliveryResult(result.outcome, detail, retry_after(response.headers.get("Retry-After")))
        return result
