"""Run a `loyalty` command in this process and print, as JSON, the bus's subscribers at the
moment its use case runs (tests/api/test_entry_points.py runs it as a process of its own:
one database backend per process)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

from api import cli
from api.notifications import worker as worker_entry
from api.scheduler import Job
from domain import points
from domain.events import event_bus


def names(subscribers: dict[type, tuple[object, ...]]) -> dict[str, list[str]]:
    return {kind.__name__: [f"{h.__module__}.{h.__qualname__}" for h in handlers]
            for kind, handlers in sorted(subscribers.items(), key=lambda item: item[0].__name__)}


def main(argv: list[str]) -> None:
    def snapshot() -> None:
        print("SUBSCRIBERS " + json.dumps(names(event_bus.subscribers())), flush=True)

    async def expire_spy(now: datetime, batch: int = 1000) -> int:
        snapshot()
        return 0

    async def job_spy(now: datetime) -> int:
        snapshot()
        return 0

    points.expire_points = expire_spy
    worker_entry.worker_jobs = lambda: [Job("spy", timedelta(hours=1), job_spy)]
    cli.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
