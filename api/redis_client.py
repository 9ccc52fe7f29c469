"""The Redis client: in-process fakeredis by default, a real server via REDIS_URL."""

from __future__ import annotations

from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis

# One server per process, so that publishers and subscribers share state.
_embedded_server = FakeServer()


EMBEDDED_URLS = ("", "memory://")


def make_redis(url: str) -> Redis:
    if url in EMBEDDED_URLS:
        return FakeAsyncRedis(server=_embedded_server, decode_responses=True)
    # Bounded waits: a Redis that stops answering must not stall purchases' after-commit
    # work or board queries, which degrade instead (see api/after_commit.py).
    return Redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2)
