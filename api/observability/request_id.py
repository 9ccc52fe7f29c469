"""A request id for every HTTP request, and its one access-log line.

The id comes from the caller's X-Request-ID when it looks like one (a load balancer or
the app may set it, to follow a request across systems), else a new one; it is echoed
in the response and carried by every log line written while the request runs (see
api/observability/logging.py). Handlers add their own fields to the access line through
`current_request()` (the GraphQL view adds operation, outcome, role and cost; a refusal
adds its code as the outcome).

The access line's level follows the outcome: ERROR for a 5xx or a dependency that was
down, WARNING for a limit that refused (408, 413, 429, too deep, too costly, timed out),
INFO for the rest, including a client that hung up before its answer (status 499 when
none was sent, outcome `client_disconnected`).
"""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = logging.getLogger("loyalty.access")

# nginx's "client closed request": the client left before it had its answer. Not a
# failure of ours, and no status was ever sent: logged at INFO.
CLIENT_CLOSED_REQUEST = 499
CLIENT_DISCONNECTED = "client_disconnected"
# A limit did its job: worth watching (an abusive client, a limit set too low), not a bug.
LIMIT_STATUSES = frozenset({408, 413, 429, 431})
# The refusals of the HTTP layer; GraphQL's own codes are in api/limits/graphql_errors.py.
HTTP_LIMIT_OUTCOMES = frozenset({"json_too_deep", "payload_too_large", "request_timeout"})


@functools.cache
def _graphql_outcomes() -> tuple[frozenset[str], frozenset[str]]:
    """(limits, failures) as outcomes (lower-case codes). Imported late: graphql_errors
    imports the logging module, which imports this one."""
    from api.limits.graphql_errors import FAILURE_CODES, LIMIT_CODES

    return (HTTP_LIMIT_OUTCOMES | {code.lower() for code in LIMIT_CODES},
            frozenset(code.lower() for code in FAILURE_CODES))


def access_level(status: int, outcome: str | None) -> int:
    """ERROR for what someone must fix (a 5xx; a 200 whose error says something of ours
    was down), WARNING for a limit that refused, INFO for the rest."""
    limits, failures = _graphql_outcomes()
    if status >= 500 or outcome in failures:
        return logging.ERROR
    if status in LIMIT_STATUSES or outcome in limits:
        return logging.WARNING
    return logging.INFO


@dataclass
class RequestLog:
    request_id: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Exchange:
    status: int = 0  # as sent; 0 until the response starts
    complete: bool = False
    client_left: bool = False


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
        exchange = _Exchange()
        http = scope["type"] == "http"

        async def watched_receive() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect" and not exchange.complete:
                exchange.client_left = True
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (HEADER.encode(), entry.request_id.encode())]}
            try:
                await send(message)
            except OSError:  # a server that tells the app its write found no client
                exchange.client_left = True
                raise
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                exchange.complete = True

        failed = False
        try:
            await self.app(scope, watched_receive if http else receive, send_with_id)
        except Exception as error:
            if not (exchange.client_left and isinstance(error, (ClientDisconnect, OSError))):
                failed = True
                raise
            # The app found the client gone (a read or a write failed): nobody to answer,
            # nothing to fix; the access line tells it.
        finally:
            if http:
                _log_access(scope, entry, exchange, time.perf_counter() - started)
            if not failed:
                # After a failure the id stays set in this request's task, so the server's
                # own line with the traceback ("Exception in ASGI application") and the 500
                # answer (internal_error below) carry it.
                _current.reset(token)


def _log_access(scope: Scope, entry: RequestLog, exchange: _Exchange, seconds: float) -> None:
    if exchange.client_left:
        from api.observability.metrics import count_refusal  # metrics imports the ORM models

        count_refusal(CLIENT_DISCONNECTED)
        entry.fields["outcome"] = CLIENT_DISCONNECTED
    status = exchange.status or (CLIENT_CLOSED_REQUEST if exchange.client_left else 500)
    # The path only: a GET query string may carry variables with personal data.
    access_log.log(access_level(status, entry.fields.get("outcome")), "request", extra={
        "method": scope.get("method"), "path": scope.get("path"), "status": status,
        "duration_ms": round(seconds * 1000, 2), **entry.fields,
    })


async def internal_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's answer to an exception nothing handled (then it re-raises it, for the
    server to log with its traceback): a GraphQL-shaped error, with the request id to quote."""
    entry = current_request()
    extensions: dict[str, str] = {"code": "INTERNAL_SERVER_ERROR"}
    if entry is not None:
        extensions["requestId"] = entry.request_id
    return JSONResponse({"errors": [{"message": "Internal server error", "extensions": extensions}]},
                        status_code=500, headers={HEADER: entry.request_id} if entry else None)
