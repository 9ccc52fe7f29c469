"""The two floors every figure is compared with, served like the API (uvicorn, same
workers): what one ledger INSERT costs with no framework, and with the minimum of
strawberry (parser and validation caches on, nothing else).

`uvicorn bench.floors:bare_app` / `uvicorn bench.floors:graphql_app`; configured by
FLOOR_DATABASE_URL, FLOOR_PROGRAM_ID and FLOOR_MEMBER_ID.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

INSERT = """INSERT INTO ledger_entry (program_id, member_id, kind, points, reason, created_at)
VALUES ($1, $2, 'adjust', $3, 'floor', $4) RETURNING id"""

_pool: asyncpg.Pool | None = None


async def insert_entry(points: int) -> int:
    assert _pool is not None
    async with _pool.acquire() as connection:
        return await connection.fetchval(
            INSERT, int(os.environ["FLOOR_PROGRAM_ID"]), os.environ["FLOOR_MEMBER_ID"], points, datetime.now(UTC))


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    global _pool
    _pool = await asyncpg.create_pool(os.environ["FLOOR_DATABASE_URL"], min_size=2, max_size=10)
    try:
        yield
    finally:
        await _pool.close()


async def _bare(request: Request) -> JSONResponse:
    payload = await request.json()
    return JSONResponse({"data": {"id": await insert_entry(int(payload["points"]))}})


bare_app = Starlette(routes=[Route("/graphql", _bare, methods=["POST"])], lifespan=_lifespan)


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def record_entry(self, points: int) -> int:
        return await insert_entry(points)


_schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ParserCache, ValidationCache])
graphql_app = Starlette(routes=[Route("/graphql", GraphQL(_schema, graphql_ide=None), methods=["POST"])],
                        lifespan=_lifespan)

FLOOR_MUTATION = "mutation($points: Int!) { recordEntry(points: $points) }"
