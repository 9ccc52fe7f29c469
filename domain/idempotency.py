"""Idempotent use cases: a replay returns the first result and writes nothing.

The record of the first result is written in the same transaction as the work it
describes, so either both exist or neither does.

Keys are scoped per caller, as payment APIs scope them per account: a member's "r-1" and
another member's "r-1" are two keys, and so are two tills' "receipt-1". A record's key is
`<scope>:<sha256 of the client's key>`, which bounds its length; a message names only the
client's own key. Records written before keys were scoped hold the bare key: they still
answer an exact replay of their request (a till retrying across the upgrade), and are
otherwise nobody's (another caller's key of the same name is free).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from domain.errors import IdempotencyConflict, InvalidInput
from domain.events import current_recording
from domain.models import IdempotencyRecord
from domain.unit_of_work import unit_of_work

MAX_KEY_LENGTH = 200
M = TypeVar("M", bound=Model)
_MAX_SCOPE_LENGTH = 150  # + ":" + 40 hex digits fits the 200 characters of the column


def member_scope(member_id: str) -> str:
    return f"member:{member_id}"


def integration_scope(subject: str) -> str:
    return f"integration:{subject}"


def staff_scope(subject: str) -> str:
    """Marketers and admins: one person's keys, whichever of the two roles they act in."""
    return f"staff:{subject}"


def caller_scope(role: str, subject: str) -> str:
    """The key space of a caller: the member, the integration, or the staff subject."""
    if role == "member":
        return member_scope(subject)
    if role == "integration":
        return integration_scope(subject)
    return staff_scope(subject)


def stored_key(scope: str | None, key: str) -> str:
    """The record's key of a client's key in `scope`; None: the program-wide space of
    internal callers (seed, imports run from the shell), which keeps the bare key."""
    if scope is None:
        return key
    if len(scope) > _MAX_SCOPE_LENGTH:
        kind, _, subject = scope.partition(":")
        scope = f"{kind}:~{hashlib.sha256(subject.encode()).hexdigest()[:40]}"
    return f"{scope}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


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
    program_id: int, scope: str | None, key: str, operation: str, print_: str
) -> dict[str, Any] | None:
    own = stored_key(scope, key)
    candidates = [own] if own == key else [own, key]  # one query either way
    records = {r.key: r for r in await IdempotencyRecord.filter(program_id=program_id, key__in=candidates)}
    record = records.get(own)
    if record is None:
        legacy = records.get(key) if own != key else None
        if legacy is not None and legacy.operation == operation and legacy.fingerprint == print_:
            return legacy.result
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
    *,
    scope: str | None = None,
) -> dict[str, Any]:
    """Run `work` in one transaction unless `key` already holds this request's result.

    `scope` is the caller's key space (`caller_scope`); services whose caller is the
    member pass `member_scope`. None is the program-wide space of internal callers.

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
                stored = await _stored_result(program_id, scope, key, operation, print_)
                if stored is not None:
                    return stored
                result = await work()
                await IdempotencyRecord.create(
                    program_id=program_id,
                    key=stored_key(scope, key),
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


async def create_once(
    program_id: int,
    key: str | None,
    operation: str,
    payload: dict[str, Any],
    now: datetime,
    create: Callable[[], Awaitable[M]],
    model: type[M],
    *,
    scope: str | None = None,
) -> M:
    """A create with an optional key (the marketers' catalogue): with a key, a retry returns
    the row the first request created, as it is now; without one, every call creates."""
    if key is None:
        return await create()
    fresh: list[M] = []

    async def work() -> dict[str, Any]:
        fresh[:] = [await create()]
        return {"id": fresh[0].pk}

    result = await run_once(program_id, key, operation, payload, now, work, scope=scope)
    if fresh and fresh[0].pk == result["id"]:
        return fresh[0]
    return await model.get(pk=result["id"])
