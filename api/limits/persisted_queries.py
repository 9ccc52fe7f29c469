"""Automatic persisted queries, as Apollo clients speak them (strawberry has none built in).

The app sends `extensions.persistedQuery {version: 1, sha256Hash}` without the query text.
A hash we know runs its stored text; an unknown one answers `PersistedQueryNotFound`, and
the client sends the text again with the hash: we check that the hash is the text's
SHA-256, run it, and keep the text in Redis (with a TTL) once it has passed validation,
so junk never fills the store. Works over POST and GET (queries only over GET).

Redis down: a lookup answers `PersistedQueryNotFound`, which makes the client send the
full text, and that request runs without being stored: degraded, never broken.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from strawberry.extensions import SchemaExtension

log = logging.getLogger(__name__)

KEY_PREFIX = "apq:"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"  # the exact text Apollo clients look for
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def query_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def requested_hash(operation_extensions: dict[str, Any] | None) -> str | None:
    """The hash of an APQ request, None for an ordinary one; a malformed one is an error."""
    persisted = (operation_extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise _error("PersistedQueryNotSupported: only version 1 is supported", "PERSISTED_QUERY_NOT_SUPPORTED")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise _error("persistedQuery.sha256Hash must be 64 lowercase hex digits", "PERSISTED_QUERY_INVALID")
    return sha


class PersistedQueries(SchemaExtension):
    def __init__(self, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds
        self._to_store: str | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        ec = self.execution_context
        sha = requested_hash(ec.operation_extensions)
        if sha is not None:
            redis: Redis = ec.context.redis
            if ec.query:
                if query_hash(ec.query) != sha:
                    raise _error("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
                self._to_store = sha
            else:
                ec.query = await self._lookup(redis, sha)
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        # Reached only by a document that parsed and validated: worth keeping.
        if self._to_store is not None and self.execution_context.query:
            try:
                await self.execution_context.context.redis.set(
                    KEY_PREFIX + self._to_store, self.execution_context.query, ex=self.ttl_seconds
                )
            except RedisError:
                log.warning("persisted query not stored: Redis unavailable")
        yield

    @staticmethod
    async def _lookup(redis: Redis, sha: str) -> str:
        try:
            text = await redis.get(KEY_PREFIX + sha)
        except RedisError:
            log.warning("persisted query lookup failed: Redis unavailable")
            text = None
        if text is None:
            raise _error(NOT_FOUND_MESSAGE, "PERSISTED_QUERY_NOT_FOUND")
        return text if isinstance(text, str) else text.decode()
