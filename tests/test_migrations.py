"""Migrations build the schema the models describe, on a new database, and re-run safely."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from api.database import migrate_database, tortoise_config
from api.seed import DEMO_PURCHASES, seed_demo
from api.settings import Settings
from domain.models import LedgerEntry, Member, Tier
from tests.conftest import DATABASE_URL, ON_POSTGRES


async def test_models_have_no_changes_missing_a_migration():
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        changes = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert changes == [], "models changed without a migration: run `make migrations`"


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables: a SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield f"sqlite://{tmp_path}/fresh.sqlite3"
        return
    server = DATABASE_URL.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    name = f"loyalty_migrate_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{server}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_migrate_then_seed_twice_gives_one_demo_program(empty_database: str):
    # given a database with no tables
    settings = Settings(database_url=empty_database, program_code="demo")
    # when it is migrated twice and the demo is seeded twice
    try:
        await migrate_database(empty_database)
        await migrate_database(empty_database)
    finally:
        await Tortoise.close_connections()  # an open SQLite thread would keep pytest alive
    await Tortoise.init(config=tortoise_config(empty_database))
    try:
        first = await seed_demo(settings)
        second = await seed_demo(settings)
        # then the second run added nothing
        assert first.member.id == second.member.id
        assert await Member.all().count() == 1
        assert await Tier.all().count() == 3
        assert await LedgerEntry.all().count() == len(DEMO_PURCHASES)  # one earn entry a purchase
        assert second.member.points_balance == first.member.points_balance > 0
    finally:
        await Tortoise.close_connections()
