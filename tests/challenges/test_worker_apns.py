"""APNs driven by the worker, through httpx.MockTransport: APNs speaks HTTP/2 over TLS
only, which a throwaway local server does not offer; the request is what is checked."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from challenges import devices, outbox
from challenges.delivery import apns
from challenges.delivery.apns import ApnsCredentials, ApnsSender
from challenges.delivery.backoff import RetryPolicy
from challenges.delivery.providers import Providers
from challenges.delivery.push import Channel
from challenges.delivery.worker import OutboxWorker, WorkerOptions
from challenges.devices import DevicePlatform
from challenges.models import Device, OutboxMessage
from tests import factories
from tests.challenges.fake_providers import Clock, pem

IOS_TOKEN = "a1" * 32
OPTIONS = WorkerOptions(retry=RetryPolicy(max_attempts=3))


@pytest.fixture
def clock() -> Clock:
    return Clock(factories.NOW)


async def queue(program, member, clock: Clock) -> OutboxMessage:
    message = await outbox.enqueue(program.id, str(member.id), "tier", "Welcome to Gold",
                                   "You moved up to Gold.", {"to_tier": "Gold", "rank": 3}, "tier:1", clock())
    assert message is not None
    return message


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


def test_a_broken_signing_key_stops_the_worker_at_start(tmp_path: Path):
    bad = tmp_path / "key.p8"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ValueError):
        ApnsCredentials.from_file(bad, "K", "T", "com.example")
