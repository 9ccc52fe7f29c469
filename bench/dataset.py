"""The benchmark's data: a program with tiers, challenges and badges, and a million members
with one earn entry each (so the all-time board has a million lines), inserted by SQL
on the server (INSERT … SELECT generate_series) because the ORM would take minutes.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from tortoise.fields.relational import RelationalField
from tortoise.models import Model

from domain.models import Member, Program, Tier
from domain.programs import get_or_create_program

SEED_POINTS = "1 + (n::bigint * 7919) % 5000"  # a spread of scores, so ranks differ


def member_id(n: int) -> str:
    """The id of the n-th benchmark member, known to the load generator without a query."""
    return str(uuid.UUID(hashlib.md5(f"bench-{n}".encode()).hexdigest()))


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _member_columns(program: Program, bronze: Tier, now: datetime) -> dict[str, str]:
    """An SQL expression of `n` for every column of the member table. Columns the bench
    does not know get their field's default, so new fields don't break it; a required
    column without a default stops it with its name."""
    known = {
        "id": "md5('bench-' || n)::uuid", "program_id": str(program.id),
        "external_id": "'bench-' || n", "display_name": "'Member ' || n",
        "referral_code": "'B' || n", "enrolled_at": f"'{(now - timedelta(days=400)).isoformat()}'",
        "tier_id": str(bronze.id), "tier_review_at": f"'{(now + timedelta(days=365)).isoformat()}'",
        "points_balance": SEED_POINTS, "lifetime_earned": SEED_POINTS,
    }
    return {column: known.get(column) or _default(Member, name) for name, column in _columns(Member)}


def _columns(model: type[Model]) -> list[tuple[str, str]]:
    fields = model._meta.fields_map
    return [(name, field.source_field or name) for name, field in fields.items()
            if not isinstance(field, RelationalField) and not name.endswith("_set")]


def _default(model: type[Model], name: str) -> str:
    field = model._meta.fields_map[name]
    default = field.default
    if callable(default):
        default = default()
    if isinstance(default, list | dict):
        return _literal(json.dumps(default))
    if default is not None:
        return _literal(default.value if hasattr(default, "value") else default)
    if field.null:
        return "NULL"
    raise RuntimeError(f"bench/dataset.py: say how to fill member.{name} (required, no default)")


@dataclass(frozen=True)
class Dataset:
    program: Program
    members: int
    seed_seconds: float


async def seed(database_url: str, members: int, now: datetime) -> Dataset:
    """Tiers, the demo's challenges and badges, `members` members each with one earn entry
    and its lot, dated two months ago (on the all-time board only)."""
    from api.seed_gamification import seed_gamification

    started = time.perf_counter()
    program = await get_or_create_program("bench", "Benchmark Coffee")
    tiers = [await Tier.create(program=program, name=name, threshold=threshold, earn_multiplier=multiplier,
                               benefits=[]) for name, threshold, multiplier in
             (("Bronze", 0, "1"), ("Silver", 500, "1.25"), ("Gold", 2000, "1.5"))]
    await seed_gamification(program, now)
    columns = _member_columns(program, tiers[0], now)
    earned_at = (now - timedelta(days=60)).isoformat()
    expires_at = (now + timedelta(days=300)).isoformat()
    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(
            f"INSERT INTO member ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM generate_series(1, {members}) AS n")
        await connection.execute(
            "INSERT INTO ledger_entry (program_id, member_id, kind, points, reason, created_at) "
            f"SELECT {program.id}, md5('bench-' || n)::uuid, 'earn', {SEED_POINTS}, 'bench seed', '{earned_at}' "
            f"FROM generate_series(1, {members}) AS n")
        await connection.execute(
            "INSERT INTO earn_lot (member_id, entry_id, points, remaining, earned_at, available_at, expires_at) "
            f"SELECT member_id, id, points, points, created_at, created_at, '{expires_at}' "
            f"FROM ledger_entry WHERE program_id = {program.id}")
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return Dataset(program, members, time.perf_counter() - started)


async def fresh_database(server_url: str, name: str) -> str:
    """Drop and create `name` on the server; returns its URL."""
    admin = await asyncpg.connect(f"{server_url.replace('postgres://', 'postgresql://', 1)}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return f"{server_url}/{name}"

