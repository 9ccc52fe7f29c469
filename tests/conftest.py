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
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis
from tortoise.context import TortoiseContext, tortoise_test_context

from api.bootstrap import Application, bootstrap
from api.database import MODEL_MODULES, tortoise_config
from api.settings import Settings
from domain.models import Program
from domain.programs import get_or_create_program
from tests.graphql_client import GraphQLClient

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
ON_REAL_REDIS = REDIS_URL.startswith("redis://")
# Parallel runs on one machine (several developers, CI) each pick their own database.
REDIS_TEST_DB = int(os.environ.get("REDIS_TEST_DB", "15"))

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


def _server_url() -> str:
    return DATABASE_URL.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]


async def _admin_execute(sql: str) -> None:
    connection = await asyncpg.connect(f"{_server_url()}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _drop_database(name: str) -> None:
    await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def postgres_database() -> AsyncIterator[str | None]:
    """One PostgreSQL database with the schema for the whole session, dropped at the end.
    Tests share it but never see each other's rows: `db` empties every table first
    (creating a database per test costs about a second on this machine)."""
    if not ON_POSTGRES:
        yield None
        return
    name = f"loyalty_test_{uuid.uuid4().hex[:12]}"
    await _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(f"{_server_url()}/{name}"))
            await ctx.generate_schemas()
        yield f"{_server_url()}/{name}"
    finally:
        await _drop_database(name)


async def _empty_all_tables(ctx: TortoiseContext) -> None:
    tables = ", ".join(
        f'"{model._meta.db_table}"' for app in ctx.apps.values() for model in app.values()
    )
    await ctx.connections.get("default").execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def database_url(tmp_path: Path, postgres_database: str | None) -> str:
    """Where `db` keeps the test's data: for a second process (a `loyalty` command) to use."""
    return postgres_database or f"sqlite://{tmp_path}/loyalty.sqlite3"


@pytest.fixture
async def db(database_url: str, postgres_database: str | None) -> AsyncIterator[None]:
    """An empty database for one test: a new SQLite file, or the emptied PostgreSQL one."""
    if postgres_database is None:
        async with tortoise_test_context(MODEL_MODULES, db_url=database_url):
            yield
        return
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(postgres_database))
        await _empty_all_tables(ctx)
        yield


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


@pytest.fixture(autouse=True)
def application(request: pytest.FixtureRequest, settings: Settings) -> Application:
    """Every test runs on the composition root's wiring (api/bootstrap.py), as the app,
    the commands and the worker do: every event handler, and the after-commit work onto
    the test's `redis` when it asks for one (a private fakeredis otherwise)."""
    if "redis" in request.fixturenames:
        redis = request.getfixturevalue("redis")
    else:
        redis = FakeAsyncRedis(server=FakeServer(), decode_responses=True)
    return bootstrap(settings, redis=redis)


@pytest.fixture
async def program(db: None, settings: Settings) -> Program:
    return await get_or_create_program(settings.program_code, "Test Rewards")


@pytest.fixture
async def gql(program: Program, settings: Settings, redis: Redis) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient.running(settings, redis) as client:
        yield client
