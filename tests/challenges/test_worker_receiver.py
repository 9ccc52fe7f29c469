"""`loyalty worker --once` delivering to `loyalty webhook-receiver`: what a developer
watches on a laptop, end to end over real sockets; and the refusals of the commands and
settings that could not work."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from api.cli import main
from api.notifications.worker import run_worker
from api.settings import Settings
from challenges import outbox
from challenges.delivery.receiver import receiver_app
from challenges.delivery.webhook import signature
from challenges.models import OutboxMessage
from tests import factories
from tests.challenges.fake_providers import serving

SECRET = "receiver-secret-0123456789abcdef-0123456789"


async def test_the_worker_run_once_delivers_to_the_receiver_which_prints_verified_pushes(program, settings):
    # given a receiver on a local port and a member's milestone push in the outbox
    lines: list[str] = []
    someone = await factories.member(program)
    message = await outbox.enqueue(program.id, str(someone.id), "challenge_progress", "50% of Recycle Week",
                                   "5 of 10: keep going!", {"milestone": 50}, "progress:1:x:all:50", factories.NOW)
    async with serving(receiver_app(SECRET, out=lines.append)) as base_url:
        configured = Settings(**{**settings.model_dump(), "push_webhook_url": f"{base_url}/",
                                 "push_webhook_secret": SECRET})
        # when the worker runs once
        report = await run_worker(configured, once=True)
        # then the receiver printed the verified push
        assert report is not None and report.outcomes == {"delivered": 1}
        assert lines == [f"[challenge_progress] 50% of Recycle Week - 5 of 10: keep going!  (member {someone.id}, "
                         f"outbox:{message.id}, attempt 1)"]
        assert (await OutboxMessage.get(id=message.id)).status == "delivered"

        async with httpx.AsyncClient(base_url=base_url) as client:
            # and a forged delivery is refused
            forged = await client.post("/", content=b'{"title": "free points"}', headers={
                "X-Loyalty-Timestamp": str(int(time.time())), "X-Loyalty-Signature": "sha256=" + "0" * 64})
            assert forged.status_code == 401
            # and a signed one from long ago is refused too (a replay)
            old = str(int(time.time()) - 3600)
            body = b'{"title": "replayed"}'
            replayed = await client.post("/", content=body, headers={
                "X-Loyalty-Timestamp": old, "X-Loyalty-Signature": signature(SECRET, old, body)})
            assert replayed.status_code == 401
    assert lines[1:] == ["REFUSED: bad or stale signature"] * 2


async def test_the_receiver_acknowledges_a_repeat_without_showing_it_twice(program):
    lines: list[str] = []
    app = receiver_app(SECRET, out=lines.append)
    now = str(int(time.time()))
    body = b'{"category": "badge", "title": "New badge", "body": "Recycler", "idempotency_key": "outbox:9"}'
    headers = {"X-Loyalty-Timestamp": now, "X-Loyalty-Signature": signature(SECRET, now, body),
               "Idempotency-Key": "outbox:9"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://receiver") as client:
        answers = [(await client.post("/", content=body, headers=headers)).json() for _ in range(2)]
    assert answers == [{"status": "ok"}, {"status": "duplicate"}]
    assert len(lines) == 2 and lines[1] == "repeat of outbox:9: acknowledged, not shown again"


def test_the_worker_command_refuses_a_batch_size_it_cannot_bound():
    with pytest.raises(SystemExit, match="--batch-size"):
        main(["worker", "--once", "--batch-size", "0"])


def test_the_receiver_command_needs_the_shared_secret(monkeypatch):
    monkeypatch.delenv("PUSH_WEBHOOK_SECRET", raising=False)
    with pytest.raises(SystemExit, match="PUSH_WEBHOOK_SECRET"):
        main(["webhook-receiver", "--port", "0"])


@pytest.mark.parametrize("changes, says", [
    ({"push_webhook_url": "http://127.0.0.1:9000/"}, "PUSH_WEBHOOK_SECRET of 32+ bytes"),
    ({"push_webhook_url": "ftp://example.com/", "push_webhook_secret": SECRET}, "http(s) URL"),
    ({"push_web_relay_hosts": "relay.example.com"}, "PUSH_WEBHOOK_SECRET"),
    ({"apns_key_file": __file__}, "APNS_KEY_ID"),
    ({"fcm_service_account_file": "/nonexistent/sa.json"}, "is not a readable file"),
    ({"push_backoff_base_seconds": 60, "push_backoff_cap_seconds": 30}, "PUSH_BACKOFF_CAP_SECONDS"),
])
def test_push_settings_that_cannot_work_fail_at_start(changes, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        Settings(**changes)
