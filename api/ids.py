"""Row ids as GraphQL IDs: digits only, checked before any query runs."""

from __future__ import annotations

from domain.errors import InvalidInput, NotFound
from domain.row_ids import MAX_BIGINT_ID, MAX_INT_ID

__all__ = ["MAX_BIGINT_ID", "MAX_INT_ID", "is_digits", "lookup_id", "row_id"]


def is_digits(raw: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²' or '٣', which int() refuses."""
    return raw.isascii() and raw.isdigit()


def lookup_id(raw: str, max_id: int = MAX_INT_ID) -> int | None:
    """For lookups that answer null: the id, or None when no row can have it."""
    return int(raw) if is_digits(raw) and 0 < int(raw) <= max_id else None


def row_id(raw: str, path: str, entity: str, max_id: int | None = None) -> int:
    """The id as a number; InvalidInput naming `path` when it is not one. Above `max_id`
    no row can exist, so the answer is NotFound rather than a database error."""
    if not is_digits(raw):
        raise InvalidInput.one(path, f"{raw!r} is not a {entity} id")
    if max_id is not None and int(raw) > max_id:
        raise NotFound(entity, raw)
    return int(raw)
