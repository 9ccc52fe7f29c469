"""Everything the program holds about a member, as JSON.

Tables are found, not listed: every model with a foreign key (or one-to-one) to Member
is exported, so a table added later by any context (challenges/ included, whose models
this module never imports) is in the export without an edit here.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from tortoise import Tortoise
from tortoise.fields.relational import ForeignKeyFieldInstance, OneToOneFieldInstance
from tortoise.models import Model

from domain.models import AuditEntry, Member, Program

EXPORT_FORMAT = 1
# A stored JSON value nested deeper than this (possible before inputs were limited to 5
# levels) is exported as its JSON text: nesting hundreds deep would exhaust the recursion
# of every step that walks it, and the whole export would fail.
MAX_EXPORT_DEPTH = 32


@dataclass(frozen=True)
class MemberTable:
    """A model that points at Member, and the columns (e.g. `member_id`, `follower_id`) that do."""

    model: type[Model]
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


# Secrets that identify a device to a push provider: the member learns a device is there,
# not a credential that would let whoever holds the file send pushes to it.
REDACTED = {("device", "token"), ("device", "token_hash"), ("outbox_message", "lease_token")}


def member_tables() -> list[MemberTable]:
    """Every registered model but Member with at least one relation to Member, by table name."""
    found = []
    for model in Tortoise.apps.get_models_iterable():
        if model is Member:
            continue  # the profile is exported on its own; others' rows that name them are not theirs
        columns = tuple(
            sorted(
                field.source_field or f"{name}_id"
                for name, field in model._meta.fields_map.items()
                if isinstance(field, ForeignKeyFieldInstance | OneToOneFieldInstance)
                and field.related_model is Member
            )
        )
        if columns:
            found.append(MemberTable(model, columns))
    return sorted(found, key=lambda t: t.table)


def json_value(value: Any) -> Any:
    """A column value as JSON: instants in ISO 8601, decimals as strings (no float rounding)."""
    match value:
        case datetime() | date() | time():
            return value.isoformat()
        case Decimal() | uuid.UUID():
            return str(value)
        case Enum():
            return value.value
        case bytes():
            return base64.b64encode(value).decode()
        case dict():
            return {str(k): json_value(v) for k, v in value.items()}
        case list() | tuple():
            return [json_value(v) for v in value]
    return value


def _row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {column: ("[redacted]" if (table, column) in REDACTED else _column_value(value))
            for column, value in row.items()}


def _column_value(value: Any) -> Any:
    if isinstance(value, dict | list) and _deeper_than(value, MAX_EXPORT_DEPTH):
        return {"format": "json-text", "json": _json_text(value)}
    return json_value(value)


def _deeper_than(value: Any, max_depth: int) -> bool:
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        level = [child for container in level
                 for child in (container.values() if isinstance(container, dict) else container)
                 if isinstance(child, dict | list)]
    return False


def _json_text(value: Any) -> str:
    """Compact JSON of a value of any depth, without recursion."""
    out: list[str] = []
    pending: list[tuple[bool, Any]] = [(False, value)]  # (is literal text, item)
    while pending:
        literal, item = pending.pop()
        if literal:
            out.append(item)
        elif isinstance(item, dict):
            parts: list[tuple[bool, Any]] = [(True, "}")]
            entries = list(item.items())
            for i in range(len(entries) - 1, -1, -1):
                key, child = entries[i]
                parts += [(False, child), (True, json.dumps(str(key)) + ":")] + ([(True, ",")] if i else [])
            pending += [*parts, (True, "{")]
        elif isinstance(item, list):
            parts = [(True, "]")]
            for i in range(len(item) - 1, -1, -1):
                parts += [(False, item[i])] + ([(True, ",")] if i else [])
            pending += [*parts, (True, "[")]
        else:
            out.append(json.dumps(json_value(item)))
    return "".join(out)


async def _rows(spec: MemberTable, member_id: str) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    pk = spec.model._meta.db_pk_column
    for column in spec.columns:
        for row in await spec.model.filter(**{column: member_id}).values():
            seen[row.get(pk, len(seen))] = row  # a row that names the member twice, once
    return [_row(spec.table, seen[key]) for key in sorted(seen, key=str)]


async def export_member(program: Program, member_id: str, now: datetime) -> dict[str, Any] | None:
    """The member's profile, every row of every table that refers to them, and the audit
    entries about them; None when no such member (or erased: nothing personal is left)."""
    profile = await Member.filter(id=member_id, program_id=program.id, erased_at=None).values()
    if not profile:
        return None
    tables = {spec.table: await _rows(spec, member_id) for spec in member_tables()}
    audit = await AuditEntry.filter(program_id=program.id, target=f"member:{member_id}").order_by("id").values()
    return {
        "format": EXPORT_FORMAT,
        "exportedAt": now.isoformat(),
        "program": program.code,
        "member": _row("member", profile[0]),
        "tables": tables,
        "auditEntries": [_row("audit_entry", row) for row in audit],
    }
