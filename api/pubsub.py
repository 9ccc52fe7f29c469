"""Live member events over Redis pub/sub, so that an event handled by one API process
reaches subscribers connected to any other.

Each member has one channel; a subscriber only ever listens on the channel of the member
its token names, so nobody receives another member's events.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis


def member_channel(program_id: int, member_id: str) -> str:
    return f"loyalty:{{program:{program_id}}}:member:{member_id}"


async def publish(redis: Redis, program_id: int, member_id: str, kind: str, payload: dict[str, Any]) -> None:
    message = json.dumps({"kind": kind, "payload": payload}, default=str)
    await redis.publish(member_channel(program_id, member_id), message)


class MemberFeed:
    """A subscription to one member's channel. Subscribe (enter) before reading any
    snapshot, so that nothing published in between is lost."""

    def __init__(self, redis: Redis, program_id: int, member_id: str) -> None:
        self._pubsub = redis.pubsub(ignore_subscribe_messages=True)
        self._channel = member_channel(program_id, member_id)

    async def __aenter__(self) -> MemberFeed:
        await self._pubsub.subscribe(self._channel)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._pubsub.unsubscribe(self._channel)
        await self._pubsub.aclose()

    async def messages(self, kind: str) -> AsyncIterator[dict[str, Any]]:
        async for message in self._pubsub.listen():
            if message.get("type") != "message":
                continue
            event = json.loads(message["data"])
            if event.get("kind") == kind:
                yield event["payload"]
