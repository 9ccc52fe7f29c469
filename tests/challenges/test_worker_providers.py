"""FCM (against a local stand-in for Google's token endpoint and the FCM API, on a real
socket) and APNs (through httpx.MockTransport: its HTTP/2 needs TLS a test server lacks),
driven by the worker."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from challenges import devices, outbox
from challenges.delivery import apns
from challenges.delivery.apns import ApnsCredentials, ApnsSender
from challenges.delivery.backoff import RetryPolicy
from challenges.delivery.providers import ProviderConfig, Providers, open_providers
from challenges.delivery.push import Channel
from challenges.delivery.webhook import WebhookSender
from challenges.delivery.worker import OutboxWorker, WorkerOptions
from challenges.devices import DevicePlatform
from challenges.models import Device, OutboxMessage
from tests import factories
from tests.challenges.fake_providers import Clock, FakeProvider, Reply, fake_provider

ANDROID_TOKEN = "dX3kq:APA91b" + "Q" * 140
IOS_TOKEN = "a1" * 32
SECRET = "webhook-secret-for-tests-0123456789abcdef"
OPTIONS = WorkerOptions(retry=RetryPolicy(max_attempts=3))


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


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


# --- APNs -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def apple_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def apple_credentials(tmp_path: Path, apple_key) -> ApnsCredentials:
    key_file = tmp_path / "AuthKey_ABC123DEFG.p8"
    key_file.write_text(pem(apple_key))
    return ApnsCredentials.from_file(key_file, key_id="ABC123DEFG", team_id="TEAM123456", topic="com.example.coffee")


class AppleStandIn:
    """Answers like APNs from a script, recording requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: list[httpx.Response] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.replies.pop(0) if self.replies else httpx.Response(200)


@contextlib.asynccontextmanager
async def apns_worker(credentials: ApnsCredentials, apple: AppleStandIn, clock: Clock) -> AsyncIterator[OutboxWorker]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(apple)) as client:
        sender = ApnsSender(client, credentials, apns.SANDBOX_URL)
        yield OutboxWorker(Providers({Channel.APNS: sender}), OPTIONS, clock=clock, random_unit=lambda: 0.0)


async def ios_member(program, clock: Clock):
    member = await factories.member(program)
    device = await devices.register_device(program.id, str(member.id), DevicePlatform.IOS, IOS_TOKEN.upper(), clock())
    return member, device


async def test_apns_gets_an_alert_for_the_device_with_a_team_signed_provider_token(
        program, apple_credentials, apple_key, clock):
    # given an iPhone member with an intent
    member, _ = await ios_member(program, clock)
    message = await queue(program, member, clock)
    apple = AppleStandIn()
    # when the worker delivers it
    async with apns_worker(apple_credentials, apple, clock) as worker:
        assert (await worker.run_once()).outcomes == {"delivered": 1}
    # then Apple got a POST for the (lower-cased) device token
    [request] = apple.requests
    assert str(request.url) == f"https://api.sandbox.push.apple.com/3/device/{IOS_TOKEN}"
    headers = request.headers
    assert (headers["apns-topic"], headers["apns-push-type"], headers["apns-priority"]) == (
        "com.example.coffee", "alert", "10")
    # with the message's idempotency key as collapse id, so a repeat replaces, not duplicates
    assert headers["apns-collapse-id"] == f"outbox:{message.id}"
    # and a provider token: ES256, kid = the key id, iss = the team
    scheme, token = headers["authorization"].split(" ")
    assert scheme == "bearer"
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "ABC123DEFG", "typ": "JWT"}
    assert jwt.decode(token, apple_key.public_key(), algorithms=["ES256"])["iss"] == "TEAM123456"
    assert json.loads(request.content) == {
        "aps": {"alert": {"title": "Welcome to Gold", "body": "You moved up to Gold."}, "sound": "default"},
        "data": {"to_tier": "Gold", "rank": 3}, "category": "tier", "idempotency_key": f"outbox:{message.id}"}


async def test_a_device_apple_calls_unregistered_is_forgotten(program, apple_credentials, clock):
    member, device = await ios_member(program, clock)
    await queue(program, member, clock)
    apple = AppleStandIn()
    apple.replies.append(httpx.Response(410, json={"reason": "Unregistered"}))
    async with apns_worker(apple_credentials, apple, clock) as worker:
        await worker.run_once()
    assert not await Device.exists(id=device.id)


async def test_an_expired_provider_token_is_replaced_and_the_push_retried(program, apple_credentials, clock):
    member, _ = await ios_member(program, clock)
    message = await queue(program, member, clock)
    apple = AppleStandIn()
    apple.replies.append(httpx.Response(403, json={"reason": "ExpiredProviderToken"}))
    async with apns_worker(apple_credentials, apple, clock) as worker:
        await worker.run_once()
        clock.advance(timedelta(minutes=1))
        await worker.run_once()
    assert (await OutboxMessage.get(id=message.id)).status == "delivered"
    first, second = (r.headers["authorization"] for r in apple.requests)
    assert first != second


def test_the_provider_token_is_reused_for_40_minutes_then_renewed(apple_credentials):
    now = [1_800_000_000.0]
    tokens = apns.ProviderToken(apple_credentials, clock=lambda: now[0])
    first = tokens.get()
    now[0] += 39 * 60
    assert tokens.get() == first
    now[0] += 60
    assert tokens.get() != first


async def test_the_apns_client_speaks_http2():
    # httpx refuses http2=True without the h2 package: this is the dependency check
    async with apns.new_client(timeout=5) as client:
        assert client is not None


# --- web relays -----------------------------------------------------------------------------

async def test_a_web_device_with_a_relay_url_gets_the_signed_webhook_with_a_per_device_key(program, clock):
    # given a web member whose token is the URL of the brand's push relay
    member = await factories.member(program)
    relay = "https://push-relay.example.com/subscriptions/42"
    device = await devices.register_device(program.id, str(member.id), DevicePlatform.WEB, relay, clock(),
                                           relay_hosts={"push-relay.example.com"})
    message = await queue(program, member, clock)
    seen: list[httpx.Request] = []

    def relay_server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    async with httpx.AsyncClient(transport=httpx.MockTransport(relay_server)) as client:
        providers = Providers({Channel.WEBHOOK: WebhookSender(client, SECRET)})
        await OutboxWorker(providers, OPTIONS, clock=clock).run_once()
    [request] = seen
    assert str(request.url) == relay
    assert request.headers["idempotency-key"] == f"outbox:{message.id}:device:{device.id}"
    assert json.loads(request.content)["device_id"] == str(device.id)
    assert (await OutboxMessage.get(id=message.id)).status == "delivered"


def test_a_broken_signing_key_stops_the_worker_at_start(tmp_path: Path):
    bad = tmp_path / "key.p8"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ValueError):
        ApnsCredentials.from_file(bad, "K", "T", "com.example")
