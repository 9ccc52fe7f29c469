"""FCM driven by the worker, against a local stand-in for Google's OAuth2 token endpoint
and the FCM v1 API on a real socket."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from challenges import devices, outbox
from challenges.delivery.backoff import RetryPolicy
from challenges.delivery.providers import ProviderConfig, open_providers
from challenges.delivery.worker import OutboxWorker, WorkerOptions
from challenges.devices import DevicePlatform
from challenges.models import Device, OutboxMessage
from tests import factories
from tests.challenges.fake_providers import Clock, FakeProvider, Reply, fake_provider, pem

ANDROID_TOKEN = "dX3kq:APA91b" + "Q" * 140
SECRET = "webhook-secret-for-tests-0123456789abcdef"
OPTIONS = WorkerOptions(retry=RetryPolicy(max_attempts=3))


@pytest.fixture(scope="module")
def google_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def google() -> AsyncIterator[FakeProvider]:
    async with fake_provider() as provider:
        yield provider


@pytest.fixture
def service_account(tmp_path: Path, google_key, google) -> Path:
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "coffee-app", "private_key_id": "key-1",
        "private_key": pem(google_key), "client_email": "push@coffee-app.iam.gserviceaccount.com",
        "token_uri": f"{google.base_url}/token",
    }))
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(factories.NOW)


@contextlib.asynccontextmanager
async def fcm_worker(service_account: Path, google: FakeProvider, clock: Clock,
                     webhook: FakeProvider | None = None) -> AsyncIterator[OutboxWorker]:
    config = ProviderConfig(fcm_service_account_file=service_account, fcm_api_url=google.base_url,
                            webhook_url=f"{webhook.base_url}/hook" if webhook else None, webhook_secret=SECRET)
    async with open_providers(config) as providers:
        yield OutboxWorker(providers, OPTIONS, clock=clock, random_unit=lambda: 0.0)


async def android_member(program, clock: Clock, token: str = ANDROID_TOKEN):
    member = await factories.member(program)
    device = await devices.register_device(program.id, str(member.id), DevicePlatform.ANDROID, token, clock())
    return member, device


async def queue(program, member, clock: Clock, key: str = "tier:1") -> OutboxMessage:
    message = await outbox.enqueue(program.id, str(member.id), "tier", "Welcome to Gold",
                                   "You moved up to Gold.", {"to_tier": "Gold", "rank": 3}, key, clock())
    assert message is not None
    return message


SEND_PATH = "/v1/projects/coffee-app/messages:send"


async def test_fcm_gets_an_oauth_token_with_a_signed_service_account_jwt_and_sends_the_message(
        program, google, service_account, google_key, clock):
    # given an Android member with two intents
    member, _ = await android_member(program, clock)
    first, second = await queue(program, member, clock, "tier:1"), await queue(program, member, clock, "tier:2")
    # when the worker delivers them
    async with fcm_worker(service_account, google, clock) as worker:
        assert (await worker.run_once()).outcomes == {"delivered": 2}
    # then it exchanged one RS256 assertion, signed by the service account, for an access token
    [exchange] = google.to("/token")
    form = {k: v[0] for k, v in parse_qs(exchange.body.decode()).items()}
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert jwt.get_unverified_header(form["assertion"])["kid"] == "key-1"
    claims = jwt.decode(form["assertion"], google_key.public_key(), algorithms=["RS256"],
                        audience=f"{google.base_url}/token")
    assert claims["iss"] == "push@coffee-app.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    # and sent both messages with it, each with its idempotency key
    sends = google.to(SEND_PATH)
    assert [s.headers["authorization"] for s in sends] == ["Bearer access-1"] * 2
    bodies = sorted((s.json()["message"] for s in sends), key=lambda m: m["data"]["outbox_id"])
    assert bodies[0] == {
        "token": ANDROID_TOKEN,
        "notification": {"title": "Welcome to Gold", "body": "You moved up to Gold."},
        "data": {"to_tier": "Gold", "rank": "3", "idempotency_key": f"outbox:{first.id}", "category": "tier",
                 "outbox_id": str(first.id)},
        "android": {"collapse_key": f"outbox:{first.id}"},
    }
    assert bodies[1]["data"]["idempotency_key"] == f"outbox:{second.id}"


async def test_an_expired_access_token_is_renewed_and_the_message_retried(program, google, service_account, clock):
    member, _ = await android_member(program, clock)
    message = await queue(program, member, clock)
    google.answer(Reply(401, {"error": {"status": "UNAUTHENTICATED"}}))
    async with fcm_worker(service_account, google, clock) as worker:
        await worker.run_once()
        assert (await OutboxMessage.get(id=message.id)).status == "pending"
        clock.advance(timedelta(minutes=5))
        await worker.run_once()
    assert (await OutboxMessage.get(id=message.id)).status == "delivered"
    assert [s.headers["authorization"] for s in google.to(SEND_PATH)] == ["Bearer access-1", "Bearer access-2"]


async def test_a_token_fcm_calls_unregistered_forgets_the_device_and_is_not_retried(
        program, google, service_account, clock):
    member, device = await android_member(program, clock)
    message = await queue(program, member, clock)
    google.answer(Reply(404, {"error": {"status": "NOT_FOUND", "details": [
        {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}}))
    async with fcm_worker(service_account, google, clock) as worker:
        await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.attempts) == ("no_device", 1)
    assert "UNREGISTERED" in stored.last_error
    assert not await Device.exists(id=device.id)


async def test_only_the_target_that_failed_is_tried_again(program, google, service_account, clock):
    # given a member's Android phone (FCM briefly down) and the deployment's webhook (up)
    member, device = await android_member(program, clock)
    message = await queue(program, member, clock)
    google.answer(Reply(503))
    async with fake_provider() as webhook, fcm_worker(service_account, google, clock, webhook) as worker:
        # when the first attempt reaches only the webhook, and the retry comes
        await worker.run_once()
        half = await OutboxMessage.get(id=message.id)
        clock.advance(timedelta(minutes=1))
        await worker.run_once()
        # then the webhook was served once, the phone on the retry
        assert len(webhook.received) == 1
    assert (half.status, half.delivered_to) == ("pending", ["webhook"])
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.delivered_to) == ("delivered", ["webhook", f"device:{device.id}"])
    assert len(google.to(SEND_PATH)) == 2
