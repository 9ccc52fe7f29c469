"""A time limit for one GraphQL operation (strawberry has no extension for it).

The operation is cancelled when the limit passes: its transaction, if any, rolls back,
and the client gets a GraphQL error with code TIMEOUT instead of waiting on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from contextvars import ContextVar

from graphql import GraphQLError
from strawberry.types import ExecutionResult


def timeout_error(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"the request took longer than {seconds:g}s and was stopped",
        extensions={"code": "TIMEOUT", "timeoutSeconds": seconds},
    )


def timeout_result(seconds: float) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[timeout_error(seconds)])


# When the operation running in this task must be done (time.monotonic()), and its limit.
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("request_deadline", default=None)


def deadline_passed() -> float | None:
    """The limit in seconds if the current operation's time is up, else None.

    Parsing and validating are synchronous: the asyncio timeout cannot interrupt them, and
    fires only at the next await, if there is one. A check after them answers TIMEOUT
    rather than running resolvers for a client that was promised a limit."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() >= deadline[0]:
        return deadline[1]
    return None


async def within_timeout(seconds: float, operation: Awaitable[ExecutionResult]) -> ExecutionResult:
    deadline = asyncio.timeout(seconds)
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        async with deadline:
            return await operation
    except TimeoutError:
        if not deadline.expired():
            raise  # some inner wait timed out on its own: not ours to rename
        return timeout_result(seconds)
    finally:
        _deadline.reset(token)
