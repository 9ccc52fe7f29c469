"""Request body size limit (413 before parsing) and the per-request time limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from api.context import LoyaltyContext
from api.limits.timeout import within_timeout
from tests.graphql_client import GraphQLClient, MARKETER

LIMIT = 2048


@pytest.fixture
async def small_bodies(program, settings, redis) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient.running(settings.model_copy(update={"max_body_bytes": LIMIT}), redis) as client:
        yield client


def body_of(size: int) -> bytes:
    """A JSON GraphQL request padded with a comment to `size` bytes."""
    head = b'{"query": "{ __typename }#'
    return head + b"x" * (size - len(head) - 2) + b'"}'


async def test_a_body_declared_over_the_limit_is_refused_with_413(small_bodies):
    # when a client posts a body larger than the limit, with its Content-Length
    response = await small_bodies.http.post("/graphql", content=body_of(LIMIT + 1),
                                            headers={"Content-Type": "application/json"})
    # then it is refused, in JSON, naming the limit
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maxBytes": LIMIT}


async def test_a_streamed_body_without_length_is_counted_and_refused(small_bodies):
    # given a chunked body with no Content-Length, growing past the limit
    async def chunks() -> AsyncIterator[bytes]:
        data = body_of(LIMIT * 3)
        for start in range(0, len(data), 512):
            yield data[start:start + 512]

    # when it is posted
    response = await small_bodies.http.post("/graphql", content=chunks(),
                                            headers={"Content-Type": "application/json"})
    # then the count of bytes refuses it all the same
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_a_body_within_the_limit_is_served(small_bodies):
    # when a client posts a body just under the limit
    response = await small_bodies.http.post("/graphql", content=body_of(LIMIT),
                                            headers={"Content-Type": "application/json"})
    # then it runs as usual
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_within_timeout_stops_a_slow_operation_with_a_timeout_error():
    # given an operation that would take a minute
    started = asyncio.get_running_loop().time()
    # when it runs with a 50 ms limit
    result = await within_timeout(0.05, asyncio.sleep(60))
    # then it is stopped at once with a TIMEOUT error
    assert asyncio.get_running_loop().time() - started < 5
    assert result.data is None
    assert result.errors[0].extensions == {"code": "TIMEOUT", "timeoutSeconds": 0.05}


async def test_a_slow_request_is_cancelled_and_the_client_told_timeout(program, settings, redis, monkeypatch):
    # given a resolver dependency that hangs (injected for this test only)
    cancelled = asyncio.Event()
    original = LoyaltyContext.program

    async def hanging(self: LoyaltyContext):
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return await original(self)

    monkeypatch.setattr(LoyaltyContext, "program", hanging)
    # (long enough to reach the resolver: a limit already passed after validation runs nothing)
    fast = settings.model_copy(update={"request_timeout_seconds": 0.5})
    async with GraphQLClient.running(fast, redis) as gql:
        # when a query needs it
        result = await gql.execute("query Tiers { tiers { name } }", as_=MARKETER)
    # then the client gets a TIMEOUT error and the work was cancelled, not left running
    assert result.status == 200
    assert result.error_codes == ["TIMEOUT"]
    assert cancelled.is_set()
