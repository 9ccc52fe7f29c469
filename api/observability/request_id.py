"""A request id for every HTTP request, and its one access-log line.

The id comes from the caller's X-Request-ID when it looks like one (a load balancer or
the app may set it, to follow a request across systems), else a new one; it is echoed
in the response and carried by every log line written while the request runs (see
api/observability/logging.py). Handlers add their own fields to the access line through
`current_request()` (the GraphQL view adds operation, outcome, role and cost).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = logging.getLogger("loyalty.access")


@dataclass
class RequestLog:
    request_id: str
    fields: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[RequestLog | None] = ContextVar("current_request", default=None)


def current_request() -> RequestLog | None:
    return _current.get()


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers") or []:
        if name == HEADER.encode():
            text = value.decode("latin-1")
            if _WELL_FORMED.match(text):
                return text
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        entry = RequestLog(request_id_of(scope))
        token = _current.set(entry)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (HEADER.encode(), entry.request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                # The path only: a GET query string may carry variables with personal data.
                access_log.info("request", extra={
                    "method": scope.get("method"), "path": scope.get("path"), "status": status or 500,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2), **entry.fields,
                })
            _current.reset(token)
