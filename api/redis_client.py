"""The Redis client: in-process fakeredis by default, a real server via REDIS_URL."""

from __future__ import annotations

from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis

# One server per process, so that publishers and subscribers share state.
_embedded_server = FakeServer()


def make_redis(url: str) -> Redis:
    if url in ("", "memory://"):
        return FakeAsyncRedis(server=_embedded_server, decode_responses=True)
    return Redis.from_url(url, decode_responses=True)
