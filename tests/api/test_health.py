"""Liveness and readiness probes, as a load balancer or Kubernetes would call them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.graphql_client import GraphQLClient


@pytest.fixture
async def broken_redis() -> AsyncIterator[Redis]:
    """A client of a port nobody listens on: every command fails to connect."""
    client = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, socket_timeout=1)
    try:
        yield client
    finally:
        await client.aclose()


async def test_healthz_answers_ok(gql):
    # when the liveness probe calls
    response = await gql.http.get("/healthz")
    # then the process is alive
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_when_database_and_redis_answer(gql):
    # given the app with its database and Redis up
    # when the readiness probe calls
    response = await gql.http.get("/readyz")
    # then both checks pass
    assert response.status_code == 200
    assert response.json() == {"ready": True, "database": "ok", "redis": "ok"}


async def test_readyz_is_503_naming_redis_when_redis_is_down(program, settings, broken_redis):
    # given the app wired to a Redis that refuses connections
    async with GraphQLClient.running(settings, broken_redis) as client:
        # when the readiness probe calls
        response = await client.http.get("/readyz")
    # then the app is not ready, and says Redis is why
    body = response.json()
    assert response.status_code == 503
    assert body["ready"] is False
    assert body["database"] == "ok"
    assert body["redis"] == "error: ConnectionError"
