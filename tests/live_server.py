"""A real uvicorn server on 127.0.0.1 inside the test's event loop, for websockets.

httpx's ASGI transport speaks no websocket; Starlette's TestClient runs the app on another
loop, away from the test's database connections. A server task started from the test
inherits the test's ORM context.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from redis.asyncio import Redis

from api.app import create_app
from api.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def live_server(settings: Settings, redis: Redis) -> AsyncIterator[str]:
    """Yields the server's base URL, e.g. http://127.0.0.1:50123."""
    port = free_port()
    app = create_app(settings, redis=redis, manage_database=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):  # at most ~10 s
        if server.started:
            break
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
