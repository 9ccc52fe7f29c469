"""Live subscriptions over graphql-transport-ws, fanned out through Redis pub/sub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from api.auth import Role, mint_token
from api.schema import schema
from api.live_events import publish_live
from challenges.events import ChallengeProgressed, NotificationQueued
from tests import factories
from tests.live_server import live_server

PROGRESS = "subscription { challengeProgress { challengeId periodKey value percent milestones } }"
NOTIFICATIONS = "subscription { notifications { category title body data } }"


@pytest.fixture
async def server_url(program, settings, redis) -> AsyncIterator[str]:
    async with live_server(settings, redis) as url:
        yield url


async def subscribe(url: str, token: str | None, query: str) -> websockets.ClientConnection:
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"} if token else {}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def next_payload(ws: websockets.ClientConnection, timeout: float = 5) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert message["type"] in ("next", "error"), message
    return message["payload"]


def progressed(program_id: int, member_id: object, percent: int) -> ChallengeProgressed:
    return ChallengeProgressed(program_id, str(member_id), 7, "2026-W23", percent // 10, percent, datetime.now(UTC), [percent])


async def until_subscribed(redis, channels: int) -> None:
    """Wait until the server has subscribed to the members' channels (bounded)."""
    for _ in range(100):
        if len(await redis.pubsub_channels()) >= channels:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the subscription never reached Redis")


async def test_a_member_sees_their_progress_move_live(program, settings, redis, server_url):
    # given a member subscribed to their challenge progress
    member = await factories.member(program)
    ws = await subscribe(server_url, mint_token(settings, Role.MEMBER, str(member.id)), PROGRESS)
    await until_subscribed(redis, 1)
    # when another API process commits progress for them (it publishes through Redis)
    await publish_live(redis, [progressed(program.id, member.id, 50)])
    # then the update arrives on the subscription
    payload = await next_payload(ws)
    assert payload["data"]["challengeProgress"] == {
        "challengeId": "7", "periodKey": "2026-W23", "value": 5, "percent": 50, "milestones": [50]
    }
    await ws.close()


async def test_a_member_never_receives_another_members_events(program, settings, redis, server_url):
    alice = await factories.member(program)
    bob = await factories.member(program)
    ws = await subscribe(server_url, mint_token(settings, Role.MEMBER, str(alice.id)), PROGRESS)
    await until_subscribed(redis, 1)
    # Bob's progress, then Alice's: Alice's subscription yields only her own
    await publish_live(redis, [progressed(program.id, bob.id, 90), progressed(program.id, alice.id, 50)])
    payload = await next_payload(ws)
    assert payload["data"]["challengeProgress"]["percent"] == 50
    with pytest.raises(asyncio.TimeoutError):
        await next_payload(ws, timeout=0.5)
    await ws.close()


async def test_notifications_arrive_live(program, settings, redis, server_url):
    member = await factories.member(program)
    ws = await subscribe(server_url, mint_token(settings, Role.MEMBER, str(member.id)), NOTIFICATIONS)
    await until_subscribed(redis, 1)
    queued = NotificationQueued(program.id, str(member.id), 1, "badge", "New badge", "You earned Recycler", {"badgeId": 3}, datetime.now(UTC))
    await publish_live(redis, [queued])
    payload = await next_payload(ws)
    assert payload["data"]["notifications"] == {"category": "badge", "title": "New badge", "body": "You earned Recycler", "data": {"badgeId": 3}}
    await ws.close()


async def test_a_forged_token_is_refused_at_connection(settings, server_url):
    ws = await websockets.connect(server_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer not.a.token"}}))
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4403


SUBSCRIPTIONS = {"challengeProgress": PROGRESS, "notifications": NOTIFICATIONS}


def test_every_subscription_field_is_in_the_matrix():
    assert set(schema._schema.subscription_type.fields) == set(SUBSCRIPTIONS)


@pytest.mark.parametrize("field", sorted(SUBSCRIPTIONS))
@pytest.mark.parametrize(
    ("role", "code"),
    [(None, "UNAUTHENTICATED"), (Role.INTEGRATION, "FORBIDDEN"), (Role.MARKETER, "FORBIDDEN"), (Role.ADMIN, "FORBIDDEN")],
)
async def test_only_members_may_subscribe(settings, server_url, field, role, code):
    token = mint_token(settings, role, "staff-1") if role else None
    ws = await subscribe(server_url, token, SUBSCRIPTIONS[field])
    payload = await next_payload(ws)
    assert payload[0]["extensions"]["code"] == code
    await ws.close()
