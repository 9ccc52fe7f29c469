"""A lost database connection as a retryable error with a code, not a stack trace.

When PostgreSQL restarts or fails over, requests in flight fail; their transactions roll
back, so the client may retry with the same idempotency key. They get the code
`SERVICE_UNAVAILABLE` instead of an unexplained error. The connection pool reconnects by
itself: the API needs no restart.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from tortoise.exceptions import DBConnectionError

# What a dropped, refused or shutting-down database raises through asyncpg and tortoise.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused or reset while (re)connecting
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # "connection is closed" on a pooled connection the restart cut
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    # The rollback of a transaction whose connection was cut mid-statement: the protocol is
    # left mid-operation (seen in tests/faults/test_postgres_restart.py).
    asyncpg.InternalClientError,
)

RETRY_MESSAGE = "the database is unavailable; retry the request (with the same idempotency key)"


def is_outage(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:  # follows `raise ... from` and implicit chaining
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _retryable(error: GraphQLError) -> GraphQLError:
    if (error.extensions or {}).get("code") or not is_outage(error.original_error):
        return error  # already explained (e.g. LEADERBOARD_UNAVAILABLE), or not an outage
    return GraphQLError(RETRY_MESSAGE, nodes=error.nodes, path=error.path,
                        extensions={"code": "SERVICE_UNAVAILABLE"})


class DatabaseOutages(SchemaExtension):
    """List it after MaskErrors: inner extensions see the result first, so the outage is
    named before anything without a code is masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if getattr(result, "errors", None):
            result.errors = [_retryable(error) for error in result.errors]
