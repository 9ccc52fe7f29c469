"""A local HTTP server standing in for push providers (webhook receiver, FCM, its token
endpoint), on 127.0.0.1 and a random port, served by uvicorn in the test's own loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeProvider:
    """Records every request; answers from `replies` in order, then with `default`."""

    received: list[Received] = field(default_factory=list)
    replies: deque[Reply] = field(default_factory=deque)
    default: Reply = field(default_factory=Reply)
    delay_seconds: float = 0.0  # a slow provider, to widen race windows
    token_replies: deque[Reply] = field(default_factory=deque)  # for the OAuth2 token path
    base_url: str = ""

    def answer(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        self.received.append(Received(request.method, request.url.path, dict(request.headers), body))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if request.url.path == "/token":
            reply = self.token_replies.popleft() if self.token_replies else Reply(
                body={"access_token": f"access-{len(self.to('/token'))}", "expires_in": 3600,
                      "token_type": "Bearer"})
        else:
            reply = self.replies.popleft() if self.replies else self.default
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve `app` on a free local port for the block; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.asynccontextmanager
async def fake_provider(**options: Any) -> AsyncIterator[FakeProvider]:
    provider = FakeProvider(**options)
    async with serving(provider.app()) as base_url:
        provider.base_url = base_url
        yield provider


class Clock:
    """The worker's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """A private key as the PEM text a service-account file or an APNs .p8 holds."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
