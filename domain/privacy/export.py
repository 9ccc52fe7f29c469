"""Everything the program holds about a member, as JSON.

Tables are found, not listed: every model with a foreign key (or one-to-one) to Member
is exported, so a table added later by any context (challenges/ included, whose models
this module never imports) is in the export without an edit here.

The export names nobody else. A row that also names another member (a follow, a referral)
shows `[another member]` in that column, and a reference to another member's record (the
friend's purchase that completed a referral) `[another member's record]`; both are found
from the models too. Rows that others made about the member (who follows them) are theirs:
the export counts them (COUNTED) instead of listing them.
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
from tortoise.expressions import Q
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
    # Columns that point at rows of other member tables (e.g. a referral's purchase), which
    # may be another member's.
    references: tuple[tuple[str, type[Model]], ...] = ()

    @property
    def table(self) -> str:
        return self.model._meta.db_table


# Secrets that identify a device to a push provider: the member learns a device is there,
# not a credential that would let whoever holds the file send pushes to it.
REDACTED = {("device", "token"), ("device", "token_hash"), ("outbox_message", "lease_token")}
OTHER_MEMBER = "[another member]"
OTHER_RECORD = "[another member's record]"
# (table, column) -> name in `counts`: rows other members made that name this one there.
COUNTED = {("member_follow", "followee_id"): "followers"}


def _relation_columns(model: type[Model], to: Any) -> tuple[str, ...]:
    return tuple(sorted(
        field.source_field or f"{name}_id"
        for name, field in model._meta.fields_map.items()
        if isinstance(field, ForeignKeyFieldInstance | OneToOneFieldInstance) and to(field.related_model)
    ))


def member_tables() -> list[MemberTable]:
    """Every registered model but Member with at least one relation to Member, by table name."""
    found = []
    for model in Tortoise.apps.get_models_iterable():
        if model is Member:
            continue  # the profile is exported on its own; others' rows that name them are not theirs
        columns = _relation_columns(model, lambda related: related is Member)
        if columns:
            found.append(MemberTable(model, columns))
    owners = {spec.model for spec in found}
    return sorted(
        (MemberTable(spec.model, spec.columns, tuple(
            (column, field.related_model)
            for name, field in spec.model._meta.fields_map.items()
            if isinstance(field, ForeignKeyFieldInstance | OneToOneFieldInstance) and field.related_model in owners
            for column in (field.source_field or f"{name}_id",)
        )) for spec in found),
        key=lambda t: t.table,
    )


def _table_of(model: type[Model]) -> MemberTable:
    return next(spec for spec in member_tables() if spec.model is model)


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


async def _owned(model: type[Model], ids: set[Any], member_id: str) -> set[str]:
    """Which of these rows of a member table name the member."""
    if not ids:
        return set()
    naming = Q(*(Q(**{column: member_id}) for column in _table_of(model).columns), join_type="OR")
    pk = model._meta.pk_attr
    return {str(key) for key in await model.filter(naming, **{f"{pk}__in": list(ids)}).values_list(pk, flat=True)}


async def _hide_others(spec: MemberTable, rows: list[dict[str, Any]], member_id: str) -> None:
    for row in rows:
        for column in spec.columns:
            if row.get(column) is not None and str(row[column]) != member_id:
                row[column] = OTHER_MEMBER
    for column, model in spec.references:
        owned = await _owned(model, {row[column] for row in rows if row.get(column) is not None}, member_id)
        for row in rows:
            if row.get(column) is not None and str(row[column]) not in owned:
                row[column] = OTHER_RECORD


async def _rows(spec: MemberTable, member_id: str) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    pk = spec.model._meta.db_pk_column
    for column in spec.columns:
        if (spec.table, column) in COUNTED:
            continue
        for row in await spec.model.filter(**{column: member_id}).values():
            seen[row.get(pk, len(seen))] = row  # a row that names the member twice, once
    rows = [seen[key] for key in sorted(seen, key=str)]
    await _hide_others(spec, rows, member_id)
    return [_row(spec.table, row) for row in rows]


async def _counts(specs: list[MemberTable], member_id: str) -> dict[str, int]:
    return {name: await spec.model.filter(**{column: member_id}).count()
            for spec in specs for column in spec.columns
            if (name := COUNTED.get((spec.table, column))) is not None}


async def export_member(program: Program, member_id: str, now: datetime) -> dict[str, Any] | None:
    """The member's profile, every row of every table that refers to them (others' ids
    hidden; rows others made about them counted), and the audit entries about them; None
    when no such member (or erased: nothing personal is left)."""
    profile = await Member.filter(id=member_id, program_id=program.id, erased_at=None).values()
    if not profile:
        return None
    specs = member_tables()
    tables = {spec.table: await _rows(spec, member_id) for spec in specs}
    audit = await AuditEntry.filter(program_id=program.id, target=f"member:{member_id}").order_by("id").values()
    return {
        "format": EXPORT_FORMAT,
        "exportedAt": now.isoformat(),
        "program": program.code,
        "member": _row("member", profile[0]),
        "tables": tables,
        "counts": await _counts(specs, member_id),
        "auditEntries": [_row("audit_entry", row) for row in audit],
    }
