"""The outbox worker against a local webhook receiver on a real socket: signed payloads,
retries with backoff, dead letters, quiet hours, preferences, leases."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from challenges import devices, outbox
from challenges.delivery.backoff import RetryPolicy
from challenges.delivery.providers import ProviderConfig, Providers, open_providers
from challenges.delivery.push import Channel
from challenges.delivery.webhook import WebhookSender, verify
from challenges.delivery.worker import OutboxWorker, WorkerOptions
from challenges.devices import DevicePlatform
from challenges.models import NotificationPreference, OutboxMessage
from domain.models import Member
from tests import factories
from tests.challenges.fake_providers import Clock, FakeProvider, Reply, fake_provider

SECRET = "webhook-secret-for-tests-0123456789abcdef"
POLICY = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=10))


@pytest.fixture
def clock() -> Clock:
    return Clock(factories.NOW)


@pytest.fixture
async def receiver() -> AsyncIterator[FakeProvider]:
    async with fake_provider() as provider:
        yield provider


@contextlib.asynccontextmanager
async def worker_for(receiver: FakeProvider | None, clock: Clock, **options: object) -> AsyncIterator[OutboxWorker]:
    config = ProviderConfig(webhook_url=f"{receiver.base_url}/hooks/push" if receiver else None,
                            webhook_secret=SECRET)
    async with open_providers(config) as providers:
        # random_unit 0: the lower edge of the jitter, so the schedule is exact
        yield OutboxWorker(providers, WorkerOptions(retry=POLICY, **options), clock=clock,
                           random_unit=lambda: 0.0)


async def queue(program, member: Member, clock: Clock, key: str = "badge:1", category: str = "badge") -> OutboxMessage:
    message = await outbox.enqueue(program.id, str(member.id), category, "New badge earned",
                                   "You earned the Recycler badge.", {"badge_id": "7"}, key, clock())
    assert message is not None
    return message


async def reload(message: OutboxMessage) -> OutboxMessage:
    return await OutboxMessage.get(id=message.id)


async def test_a_queued_push_reaches_the_webhook_signed_and_with_its_idempotency_key(program, receiver, clock):
    # given a member with one intent in the outbox
    member = await factories.member(program)
    message = await queue(program, member, clock)
    # when the worker runs once
    async with worker_for(receiver, clock) as worker:
        report = await worker.run_once()
    # then the receiver got one POST whose signature verifies with the shared secret
    assert report.claimed == 1 and report.outcomes == {"delivered": 1}
    [request] = receiver.received
    headers = request.headers
    assert request.path == "/hooks/push"
    assert verify(SECRET, headers["x-loyalty-timestamp"], headers["x-loyalty-signature"], request.body, time.time())
    expected = hmac.new(SECRET.encode(), headers["x-loyalty-timestamp"].encode() + b"." + request.body, "sha256")
    assert headers["x-loyalty-signature"] == f"sha256={expected.hexdigest()}"
    assert not verify(SECRET, headers["x-loyalty-timestamp"], headers["x-loyalty-signature"],
                      request.body.replace(b"Recycler", b"Cheater"), time.time())
    # and the body says what, for whom, and how to recognise a repeat
    assert headers["idempotency-key"] == f"outbox:{message.id}"
    body = request.json()
    assert {k: body[k] for k in ("id", "idempotency_key", "member_id", "category", "title", "body", "data",
                                 "cause", "attempt")} == {
        "id": str(message.id), "idempotency_key": f"outbox:{message.id}", "member_id": str(member.id),
        "category": "badge", "title": "New badge earned", "body": "You earned the Recycler badge.",
        "data": {"badge_id": "7"}, "cause": "badge:1", "attempt": 1}
    stored = await reload(message)
    assert (stored.status, stored.attempts, stored.delivered_at) == ("delivered", 1, clock())


async def test_a_failing_receiver_is_retried_with_growing_backoff_and_the_same_key(program, receiver, clock):
    # given a receiver that fails twice, then recovers
    member = await factories.member(program)
    message = await queue(program, member, clock)
    receiver.answer(Reply(503), Reply(502))
    async with worker_for(receiver, clock) as worker:
        # when the first attempt fails
        await worker.run_once()
        first = await reload(message)
        # then the message waits half of 30 s (jitter at its lower edge), with the error noted
        assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 1, clock() + timedelta(seconds=15))
        assert "HTTP 503" in first.last_error
        # and nothing is claimed before it is due
        assert (await worker.run_once()).claimed == 0
        clock.advance(timedelta(seconds=15))
        await worker.run_once()
        # then the second wait doubles
        assert (await reload(message)).next_attempt_at == clock() + timedelta(seconds=30)
        clock.advance(timedelta(seconds=30))
        await worker.run_once()
    # then the third attempt delivers, and all three carried the same idempotency key
    stored = await reload(message)
    assert (stored.status, stored.attempts, stored.last_error) == ("delivered", 3, None)
    assert [r.headers["idempotency-key"] for r in receiver.received] == [f"outbox:{message.id}"] * 3
    assert [r.json()["attempt"] for r in receiver.received] == [1, 2, 3]


async def test_a_message_that_keeps_failing_is_dead_after_the_last_attempt(program, receiver, clock):
    # given a receiver that is down for good, and three attempts allowed
    member = await factories.member(program)
    message = await queue(program, member, clock)
    receiver.default = Reply(500)
    async with worker_for(receiver, clock) as worker:
        # when the worker keeps trying as the schedule allows
        for _ in range(5):
            await worker.run_once()
            clock.advance(timedelta(hours=1))
    # then it tried exactly three times and gave up
    stored = await reload(message)
    assert (stored.status, stored.attempts) == ("dead", 3)
    assert "gave up after 3 attempts" in stored.last_error
    assert len(receiver.received) == 3


async def test_retry_after_from_the_receiver_is_honoured_when_longer_than_the_backoff(program, receiver, clock):
    member = await factories.member(program)
    message = await queue(program, member, clock)
    receiver.answer(Reply(429, headers={"Retry-After": "600"}))
    async with worker_for(receiver, clock) as worker:
        await worker.run_once()
    assert (await reload(message)).next_attempt_at == clock() + timedelta(seconds=600)


async def test_a_request_the_receiver_rejects_is_dead_at_once(program, receiver, clock):
    member = await factories.member(program)
    message = await queue(program, member, clock)
    receiver.answer(Reply(400, {"error": "bad payload"}))
    async with worker_for(receiver, clock) as worker:
        await worker.run_once()
        clock.advance(timedelta(hours=2))
        await worker.run_once()
    stored = await reload(message)
    assert (stored.status, stored.attempts, len(receiver.received)) == ("dead", 1, 1)
    assert "HTTP 400" in stored.last_error


async def night_owl_from(member: Member) -> None:
    """The member lives in Berlin and wants badge pushes quiet from 22:00 to 07:00."""
    await Member.filter(id=member.id).update(time_zone="Europe/Berlin")
    await NotificationPreference.create(member_id=member.id, category="badge", enabled=True,
                                        quiet_start="22:00", quiet_end="07:00")


async def night_owl(program) -> Member:
    member = await factories.member(program)
    await night_owl_from(member)
    return member


async def test_a_push_born_in_quiet_hours_is_held_until_they_end_then_delivered(program, receiver, clock):
    # given 23:00 in Berlin (21:00 UTC) and a member whose badge pushes are quiet at night
    member = await night_owl(program)
    clock.now = factories.NOW.replace(hour=21)
    message = await queue(program, member, clock)
    # then the intent is queued, held until 07:00 Berlin (05:00 UTC)
    morning = factories.NOW.replace(hour=5) + timedelta(days=1)
    assert (message.next_attempt_at, message.held_until) == (morning, morning)
    async with worker_for(receiver, clock) as worker:
        # when the worker runs during the night
        clock.now = morning - timedelta(minutes=1)
        assert (await worker.run_once()).claimed == 0
        assert receiver.received == []
        # and again at seven
        clock.now = morning
        await worker.run_once()
    # then it is delivered then, not dropped
    assert (await reload(message)).status == "delivered"
    assert len(receiver.received) == 1


async def test_quiet_hours_set_after_queueing_hold_the_push_without_spending_an_attempt(program, receiver, clock):
    # given an intent queued at 21:30 Berlin, before the member turned on quiet hours
    member = await factories.member(program)
    clock.now = factories.NOW.replace(hour=19, minute=30)
    message = await queue(program, member, clock)
    await night_owl_from(member)
    # when the worker reaches it at 22:30 Berlin
    clock.now = factories.NOW.replace(hour=20, minute=30)
    async with worker_for(receiver, clock) as worker:
        report = await worker.run_once()
    # then nothing is sent; it waits for 07:00 and no attempt was counted
    stored = await reload(message)
    morning = factories.NOW.replace(hour=5) + timedelta(days=1)
    assert report.outcomes == {"pending": 1}
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("pending", 0, morning)
    assert receiver.received == []


async def test_a_category_switched_off_after_queueing_is_not_sent(program, receiver, clock):
    member = await factories.member(program)
    message = await queue(program, member, clock)
    await NotificationPreference.create(member_id=member.id, category="badge", enabled=False)
    async with worker_for(receiver, clock) as worker:
        await worker.run_once()
    assert (await reload(message)).status == "switched_off"
    assert receiver.received == []


async def test_a_killed_workers_message_is_delivered_by_another_once_its_lease_ends(program, receiver, clock):
    # given worker A claimed a message and died before delivering it
    member = await factories.member(program)
    message = await queue(program, member, clock)
    async with worker_for(receiver, clock, lease=timedelta(minutes=2)) as a, worker_for(receiver, clock) as b:
        token_a, [claimed] = await a.claim()
        # when worker B looks while A's lease holds
        assert (await b.run_once()).claimed == 0
        # and after it ran out
        clock.advance(timedelta(minutes=2))
        assert (await b.run_once()).outcomes == {"delivered": 1}
        # then a late A cannot overwrite B's record
        assert await a.deliver(claimed, token_a) == "lease_lost"
    stored = await reload(message)
    assert (stored.status, stored.attempts) == ("delivered", 2)
    # and A's late try carried the same key as B's delivery: the receiver can drop it
    assert {r.headers["idempotency-key"] for r in receiver.received} == {f"outbox:{message.id}"}


async def test_with_no_device_and_no_webhook_the_message_is_marked_undeliverable(program, clock):
    member = await factories.member(program)
    message = await queue(program, member, clock)
    async with worker_for(None, clock) as worker:
        await worker.run_once()
    stored = await reload(message)
    assert (stored.status, stored.last_error) == ("no_device", "the member has no device")


async def test_once_claims_at_most_a_batch(program, receiver, clock):
    # given five intents and a batch size of two
    member = await factories.member(program)
    for n in range(5):
        await queue(program, member, clock, key=f"badge:{n}")
    async with worker_for(receiver, clock, batch_size=2) as worker:
        # when the worker runs once, then twice more
        sizes = [(await worker.run_once()).claimed for _ in range(4)]
    # then each run took at most two, oldest first, and all five arrived once
    assert sizes == [2, 2, 1, 0]
    assert sorted(r.json()["cause"] for r in receiver.received) == [f"badge:{n}" for n in range(5)]


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
        await OutboxWorker(providers, WorkerOptions(retry=POLICY), clock=clock).run_once()
    [request] = seen
    assert str(request.url) == relay
    assert request.headers["idempotency-key"] == f"outbox:{message.id}:device:{device.id}"
    assert json.loads(request.content)["device_id"] == str(device.id)
    assert (await OutboxMessage.get(id=message.id)).status == "delivered"


async def test_the_worker_loop_keeps_delivering_when_its_periodic_job_fails_and_stops_when_told(
        program, receiver, clock):
    # given an intent, and a reminder job that fails
    member = await factories.member(program)
    await queue(program, member, clock)
    beats: list[object] = []

    async def failing_reminders(now: object) -> None:
        beats.append(now)
        raise RuntimeError("reminder scan failed")

    stop = asyncio.Event()
    async with worker_for(receiver, clock) as worker:
        # when the loop runs until the push arrives, then is told to stop
        loop = asyncio.create_task(worker.run_forever(stop, poll_seconds=0.01, periodic=failing_reminders))
        for _ in range(500):
            if receiver.received:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(loop, timeout=5)
    # then the push was delivered despite the failing job, which ran once (its next beat is an hour away)
    assert len(receiver.received) == 1
    assert beats == [clock()]
