"""Tortoise configuration and schema migrations, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise.migrations.api import migrate

MODEL_MODULES = ["domain.models", "challenges.models"]
MIGRATIONS_PACKAGE = "migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _normalise(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "migrations": MIGRATIONS_PACKAGE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _normalise(url: str) -> str:
    # libpq spells it postgresql://, Tortoise wants postgres:// (asyncpg underneath).
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite://") and url not in ("sqlite://:memory:",):
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    return url


async def migrate_database(database_url: str) -> None:
    """Bring the schema up to the latest migration (creates tables on a new database)."""
    await migrate(config=tortoise_config(database_url))


def _cli_config() -> dict[str, Any]:
    from api.settings import Settings

    return tortoise_config(Settings().database_url)


# For tortoise's own CLI: `tortoise -c api.database.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = _cli_config()
