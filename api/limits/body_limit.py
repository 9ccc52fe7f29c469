"""Refuses request bodies over a size with 413, or that arrive too slowly with 408,
before anything parses them.

Counts the bytes as they stream in rather than trusting Content-Length alone (a chunked
request has none, and a client may lie). A GraphQL body is small, so the middleware
reads it whole, up to the limit, then hands it on; a larger one is never buffered past
the limit.

The whole body must arrive within `read_timeout_seconds` of the headers. uvicorn has no
such limit: a client sending one byte a second holds its connection, a task and a buffer
for as long as it likes, and a few hundred of them starve the server. A deadline for the
whole body (10 s by default: 256 KB at 26 KB/s, a GraphQL request of a few KB even on a
poor mobile link) is one timer per request, and bounds how long any connection is held;
a minimum rate would let a client that keeps just above it hold one far longer.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.limits.refusal import send_refusal


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_seconds: float = 10.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_seconds = read_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        deadline = asyncio.timeout(self.read_timeout_seconds)
        try:
            async with deadline:
                body = await self._read(receive)
        except _TooLarge:
            await self._too_large(send)
            return
        except TimeoutError:
            if not deadline.expired():
                raise
            await send_refusal(send, 408, f"the request body did not arrive within {self.read_timeout_seconds:g}s",
                               "REQUEST_TIMEOUT", timeoutSeconds=self.read_timeout_seconds)
            return
        if body is None:
            # The client left (http.disconnect) before sending everything: nobody to answer.
            # The access line says so (see api/observability/request_id.py).
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The body, or None if the client left; _TooLarge once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        await send_refusal(send, 413, f"request body larger than {self.max_bytes} bytes",
                           "PAYLOAD_TOO_LARGE", maxBytes=self.max_bytes)


class _TooLarge(Exception):
    pass


def _replay(body: bytes, receive: Receive) -> Receive:
    """The buffered body as one message, then the client's own (e.g. its disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
