"""The composition root: one function builds what every entry point runs on.

`bootstrap(settings, process=...)` gives the Starlette app (api/app.py), every `loyalty`
command (api/cli.py), the worker and its scheduled jobs, the benchmark and the tests the
same wiring: settings, the database configuration, Redis, the event bus with every
handler (domain/wiring.py, challenges/wiring.py) and the unit of work's after-commit
handlers (api/after_commit.py). Nothing else subscribes handlers at start-up.

What differs between processes is only where derived state goes after commit: with a
shared Redis (REDIS_URL=redis://...) everyone updates the boards and publishes live events
directly; with the embedded default (fakeredis inside the server process) only the server
can, so commands and the worker write board refresh requests to the database for the
server to apply (challenges/board_refresh.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis
from tortoise import Tortoise

from api import after_commit
from api.database import tortoise_config
from api.redis_client import EMBEDDED_URLS, make_redis
from api.settings import Settings
from challenges import wiring as challenges_wiring
from domain import wiring as domain_wiring
from domain.events import EventBus, event_bus
from domain.models import Program
from domain.programs import get_or_create_program
from domain.unit_of_work import AfterCommit, ProgramHint, UnitOfWork, unit_of_work


class Process(StrEnum):
    SERVER = "server"  # the API: owns the embedded Redis when there is no shared one
    COMMAND = "command"  # a `loyalty` command
    WORKER = "worker"  # `loyalty worker`: push delivery and the scheduled jobs


def wire_events(bus: EventBus) -> None:
    """Every handler of every context, in one place (idempotent)."""
    domain_wiring.register(bus)
    challenges_wiring.register(bus)


def after_commit_handlers(process: Process, redis: Redis, embedded: bool) -> list[AfterCommit]:
    if embedded and process is not Process.SERVER:
        # This process's fakeredis is its own: nobody would read boards or live events
        # written there. The running server picks the boards up from the database.
        return [after_commit.count_metrics, after_commit.request_board_refresh]
    return [after_commit.count_metrics, after_commit.PublishLive(redis), after_commit.ApplyToBoards(redis)]


@dataclass
class Application:
    settings: Settings
    process: Process
    bus: EventBus
    uow: UnitOfWork
    redis: Redis
    database: dict[str, Any]  # Tortoise's configuration
    embedded_redis: bool
    owns_redis: bool = field(default=True, repr=False)

    @property
    def reaches_server_redis(self) -> bool:
        """Whether what this process writes to Redis is what the API serves."""
        return not self.embedded_redis or self.process is Process.SERVER

    def scope(self, program: ProgramHint = None) -> contextlib.AbstractAsyncContextManager[None]:
        """Use cases of one entry point: their after-commit work runs once at the end."""
        return self.uow.scope(program)

    async def program(self) -> Program:
        return await get_or_create_program(self.settings.program_code, self.settings.program_name)

    @contextlib.asynccontextmanager
    async def connected(self) -> AsyncIterator[Application]:
        """The database for a command or the worker (the server's lifespan has its own)."""
        await Tortoise.init(config=self.database)
        try:
            yield self
        finally:
            await Tortoise.close_connections()
            await self.aclose()

    async def aclose(self) -> None:
        if self.owns_redis:
            await self.redis.aclose()


def bootstrap(
    settings: Settings | None = None,
    *,
    process: Process = Process.SERVER,
    redis: Redis | None = None,
    bus: EventBus = event_bus,
    uow: UnitOfWork = unit_of_work,
) -> Application:
    """Build the application of one process. The bus and the unit of work are the
    process's own (services publish on `domain.events.event_bus`); their handlers are
    replaced, so bootstrapping again (a test, a new app) never leaves stale ones."""
    settings = settings or Settings()
    embedded = settings.redis_url in EMBEDDED_URLS
    client = redis if redis is not None else make_redis(settings.redis_url)
    wire_events(bus)
    uow.clear()
    for handler in after_commit_handlers(process, client, embedded):
        uow.on_commit(handler)
    return Application(settings=settings, process=process, bus=bus, uow=uow, redis=client,
                       database=tortoise_config(settings.database_url), embedded_redis=embedded,
                       owns_redis=redis is None)
