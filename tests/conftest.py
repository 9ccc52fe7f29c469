"""Fixtures shared by every test: a fresh database per test, a Redis of the test's own,
a program, and a GraphQL client that hides the transport.

Backends come from the environment, one per pytest process (see STACK_NOTES):
  DATABASE_URL=postgres://...  -> a throwaway PostgreSQL database per test, dropped after
  REDIS_URL=redis://...        -> database number 15 of that server, flushed around each test
Unset, both are embedded: a SQLite file in the test's tmp dir and an in-process fakeredis.
With CI=true, an unreachable server fails the run instead of skipping anything.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis
from tortoise.connection import get_connection
from tortoise.context import tortoise_test_context

from api.database import MODEL_MODULES
from api.settings import Settings
from domain.models import Program
from domain.programs import get_or_create_program
from tests.graphql_client import GraphQLClient

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
ON_REAL_REDIS = REDIS_URL.startswith("redis://")
REDIS_TEST_DB = 15

# Row locks and real parallel transactions exist only on PostgreSQL; .ci/run's second
# pass sets DATABASE_URL, and its session start fails if the server is unreachable.
requires_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="PostgreSQL only: runs in the DATABASE_URL=postgres://... pass"
)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    for url, port, name in ((DATABASE_URL, 5432, "DATABASE_URL"), (REDIS_URL, 6379, "REDIS_URL")):
        if url and not url.startswith(("sqlite", "memory")) and not _reachable(url, port):
            pytest.exit(f"{name}={url} is not reachable: start the server (CI never skips it)", returncode=3)


def _test_database_url(tmp_path: Path) -> str:
    if ON_POSTGRES:
        base = DATABASE_URL.replace("postgresql://", "postgres://", 1)
        server = base.rsplit("/", 1)[0]
        return f"{server}/loyalty_test_{{}}"  # tortoise puts a random suffix in {}
    return f"sqlite://{tmp_path}/loyalty.sqlite3"


async def _drop_database(name: str) -> None:
    server = DATABASE_URL.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    name = None
    try:
        async with tortoise_test_context(MODEL_MODULES, db_url=_test_database_url(tmp_path)):
            name = get_connection("default").database if ON_POSTGRES else None
            yield
    finally:
        if ON_POSTGRES and name:
            await _drop_database(name)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    if ON_REAL_REDIS:
        client = Redis.from_url(REDIS_URL, db=REDIS_TEST_DB, decode_responses=True)
    else:
        client = FakeAsyncRedis(server=FakeServer(), decode_responses=True)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.flushdb()
        await client.aclose()


@pytest.fixture
def settings() -> Settings:
    return Settings(loyalty_env="test", database_url=DATABASE_URL or "sqlite://:memory:",
                    redis_url=REDIS_URL or "memory://", program_code="test")


@pytest.fixture
async def program(db: None, settings: Settings) -> Program:
    return await get_or_create_program(settings.program_code, "Test Rewards")


@pytest.fixture
async def gql(program: Program, settings: Settings, redis: Redis) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient.running(settings, redis) as client:
        yield client
