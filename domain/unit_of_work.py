"""The unit of work: a use case's transaction, the events it published, and the work that
must wait for its commit (leaderboards, live updates, metrics), whoever called the use case.

Services open their transaction with `unit_of_work.transaction()` instead of Tortoise's
`in_transaction()`: the same single transaction (no extra statement), plus the events
published inside it. Units nest like transactions do:

- an inner unit (a savepoint) hands its events to the enclosing unit when it succeeds and
  drops them when it fails: they were rolled back with their cause;
- the outermost unit runs the after-commit handlers once its transaction committed;
- an entry point may open a `scope()` around many use cases (one GraphQL operation, one
  chunk of an import, one scheduled job): it opens no transaction, collects the events of
  the units inside it, and runs the after-commit work once at its end, with the program it
  already loaded (the hot path pays no query to find it again).

The domain knows no handler: the composition root (api/bootstrap.py) registers them with
`on_commit`. A handler's failure is logged, never raised: the cause is committed, and what
it derives (Redis) can be rebuilt from the database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.connection import get_connections
from tortoise.transactions import in_transaction

from domain.events import EventBus, event_bus
from domain.models import Program

log = logging.getLogger(__name__)

ProgramHint = Program | Callable[[], Awaitable[Program]] | None


@dataclass
class Committed:
    """What an outermost unit hands to the after-commit handlers."""

    events: list[object]
    now: datetime
    _hint: ProgramHint = None
    _programs: dict[int, Program] = field(default_factory=dict)

    async def program(self, program_id: int) -> Program:
        """The program of an event: the caller's own when it has one loaded, else one query
        per program and unit (scheduled jobs, which span programs)."""
        if program_id in self._programs:
            return self._programs[program_id]
        hint = self._hint
        if callable(hint):
            hint = self._hint = await hint()
        program = hint if hint is not None and hint.id == program_id else await Program.get(id=program_id)
        self._programs[program_id] = program
        return program


AfterCommit = Callable[[Committed], Awaitable[None]]


class _Unit:
    """A marker: some unit is open in this task."""


# The innermost open unit (or scope) of the current task.
_open_unit: ContextVar[_Unit | None] = ContextVar("open_unit", default=None)


def _in_foreign_transaction() -> bool:
    """A database transaction opened outside any unit: its commit is not ours to see."""
    try:
        return isinstance(get_connections().get("default"), TransactionalDBClient)
    except Exception:  # noqa: BLE001 - no ORM set up (pure unit tests): no transaction either
        return False


class UnitOfWork:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._after_commit: list[AfterCommit] = []

    def on_commit(self, handler: AfterCommit) -> None:
        """Idempotent, like the bus's subscriptions."""
        if handler not in self._after_commit:
            self._after_commit.append(handler)

    def handlers(self) -> list[AfterCommit]:
        return list(self._after_commit)

    def clear(self) -> None:
        self._after_commit.clear()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[TransactionalDBClient]:
        """A use case's transaction (a savepoint when nested), as a unit of work."""
        async with self._unit(None, transactional=True):
            async with in_transaction() as connection:
                yield connection

    @asynccontextmanager
    async def scope(self, program: ProgramHint = None) -> AsyncIterator[None]:
        """Many use cases of one entry point, their after-commit work run once at the end.
        `program`: the caller's program, or a coroutine function that returns it (cached).
        A scope has no transaction of its own: what its units committed before a failure
        stays committed, so its after-commit work runs then too."""
        async with self._unit(program, transactional=False):
            yield

    @asynccontextmanager
    async def _unit(self, program: ProgramHint, transactional: bool) -> AsyncIterator[None]:
        outermost = _open_unit.get() is None and not _in_foreign_transaction()
        token = _open_unit.set(_Unit())
        published: list[object] = []
        try:
            # A failed transaction leaves here with its exception: its events were rolled
            # back with it and go nowhere; a successful one hands them to the enclosing unit.
            with self.bus.recording() as published:
                yield
        except BaseException:
            _open_unit.reset(token)
            if outermost and not transactional:
                await self.committed(published, program)
            raise
        _open_unit.reset(token)
        if outermost:
            await self.committed(published, program)

    async def committed(self, events: list[object], program: ProgramHint = None) -> None:
        """Run the after-commit handlers over events that are committed."""
        if not events:
            return
        done = Committed(list(events), datetime.now(UTC), program)
        for handler in self._after_commit:
            try:
                await handler(done)
            except Exception:  # noqa: BLE001 - committed: derived state is repaired later
                log.exception("after-commit work %s failed; run `loyalty rebuild-leaderboards`",
                              getattr(handler, "__qualname__", handler))


# The one unit of work of the process, on the one bus; api/bootstrap.py registers its
# after-commit handlers at start-up.
unit_of_work = UnitOfWork(event_bus)
