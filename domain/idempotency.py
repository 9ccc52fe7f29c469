"""Idempotent use cases: a replay returns the first result and writes nothing.

The record of the first result is written in the same transaction as the work it
describes, so either both exist or neither does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from domain.errors import IdempotencyConflict, InvalidInput
from domain.events import current_recording
from domain.models import IdempotencyRecord
from domain.unit_of_work import unit_of_work

MAX_KEY_LENGTH = 200


def fingerprint(operation: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"operation": operation, "payload": payload}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_problem(key: str) -> str | None:
    """What is wrong with an idempotency key, if anything."""
    if not key or not key.strip():
        return "must not be blank"
    if len(key) > MAX_KEY_LENGTH:
        return f"must be at most {MAX_KEY_LENGTH} characters"
    return None


def check_key(key: str, path: str = "idempotencyKey") -> None:
    if (message := key_problem(key)) is not None:
        raise InvalidInput.one(path, message)


async def _stored_result(
    program_id: int, key: str, operation: str, print_: str
) -> dict[str, Any] | None:
    record = await IdempotencyRecord.get_or_none(program_id=program_id, key=key)
    if record is None:
        return None
    if record.operation != operation or record.fingerprint != print_:
        raise IdempotencyConflict(key)
    return record.result


async def run_once(
    program_id: int,
    key: str,
    operation: str,
    payload: dict[str, Any],
    now: datetime,
    work: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run `work` in one transaction unless `key` already holds this request's result.

    Two concurrent first requests with one key: the loser's insert of the record violates
    the unique key, its transaction rolls back whole, and the retry finds the winner's.
    """
    check_key(key)
    print_ = fingerprint(operation, payload)
    recorded = current_recording()
    mark = len(recorded) if recorded is not None else 0
    for attempt in range(2):
        try:
            async with unit_of_work.transaction():
                stored = await _stored_result(program_id, key, operation, print_)
                if stored is not None:
                    return stored
                result = await work()
                await IdempotencyRecord.create(
                    program_id=program_id,
                    key=key,
                    operation=operation,
                    fingerprint=print_,
                    result=result,
                    created_at=now,
                )
                return result
        except IntegrityError:
            if recorded is not None:
                del recorded[mark:]  # those events were rolled back with their cause
            if attempt == 1:
                raise
    raise AssertionError("unreachable")
