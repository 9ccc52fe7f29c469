"""A time limit for one GraphQL operation (strawberry has no extension for it).

The operation is cancelled when the limit passes: its transaction, if any, rolls back,
and the client gets a GraphQL error with code TIMEOUT instead of waiting on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from graphql import GraphQLError
from strawberry.types import ExecutionResult


def timeout_result(seconds: float) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(
        f"the request took longer than {seconds:g}s and was stopped",
        extensions={"code": "TIMEOUT", "timeoutSeconds": seconds},
    )])


async def within_timeout(seconds: float, operation: Awaitable[ExecutionResult]) -> ExecutionResult:
    deadline = asyncio.timeout(seconds)
    try:
        async with deadline:
            return await operation
    except TimeoutError:
        if not deadline.expired():
            raise  # some inner wait timed out on its own: not ours to rename
        return timeout_result(seconds)
