"""Structured logs: one JSON object a line, each with the request id it belongs to.

A traceback is a field of its line ("exc_info", redacted like the message), never lines
of its own, whichever logger writes it: the app's, strawberry's, uvicorn's.

Nothing secret or personal is written: access lines carry the caller's role, never the
token or a name, and a last filter blanks anything shaped like a JWT or a bearer
credential, whichever logger wrote it (a library's debug line, an exception's text).
GraphQL errors that strawberry logs lose the excerpt of the query and the values the
client sent (an email in a mistyped variable), keeping what went wrong and where.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from types import TracebackType
from typing import IO

from graphql import GraphQLError
from pythonjsonlogger.json import JsonFormatter

from api.observability.request_id import current_request
from api.settings import Settings

REDACTED = "[redacted]"
_SECRETS = re.compile(
    r"(?i:bearer\s+)\S+"  # an Authorization header's value
    r"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"  # a JWT anywhere
)
_HANDLER_NAME = "loyalty-json"
# graphql-core quotes the offending input: "...non-integer value: 'jane@example.com'",
# "Value 'JANE' does not exist in 'Tier' enum".
_SENT_VALUES = re.compile(r"""(?<=value: )(?:'[^']*'|"[^"]*"|[^;\s]+)(?=;|\.|$)|(?<=Value )'[^']*'""")
VALUE_HIDDEN = "[value]"


def redact(text: str) -> str:
    return _SECRETS.sub(REDACTED, text)


def graphql_error_text(error: GraphQLError) -> str:
    """The error without the query excerpt (`str(error)` adds it) or the values sent."""
    where = f" at {'.'.join(map(str, error.path))}" if error.path else ""
    return _SENT_VALUES.sub(VALUE_HIDDEN, error.message) + where


class RequestContextFilter(logging.Filter):
    """Stamps the current request id on every record, and blanks secrets in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request()
        record.request_id = request.request_id if request else None
        if isinstance(record.msg, GraphQLError):  # strawberry logs the error object itself
            error = record.msg
            record.msg, record.args = graphql_error_text(error), None
            if error.original_error is None or isinstance(error.original_error, GraphQLError):
                # The client's own mistake: its traceback would only repeat the values.
                record.exc_info, record.exc_text = None, None
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        record.__dict__.pop("color_message", None)  # uvicorn's copy of the message with ANSI colours
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def json_handler(stream: IO[str]) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601 in UTC
    ))
    return handler


def route_server_logs() -> None:
    """uvicorn configures its loggers before it imports the app (`uvicorn api.main:app`):
    "uvicorn" and "uvicorn.error" get a plain-text handler of their own, which prints the
    traceback of an exception in the app over many lines. Their records go to the root
    handler instead, one JSON object each with the traceback as a field. uvicorn's access
    line is dropped: the app writes a richer one (request_id.py).

    The supervisor of `uvicorn --workers N` never imports the app: give it
    `--log-config api/observability/uvicorn_log_config.json` for JSON lines of its own
    (`loyalty serve` needs nothing: it configures logging before starting uvicorn)."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    """Root logging for a server process; safe to call twice (replaces its own handler).
    Every logger of the process writes through it: the server's, warnings.warn's too."""
    route_server_logs()
    logging.captureWarnings(True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        # By its filter, not its name: a dictConfig (uvicorn's --log-config) renames it.
        if handler.get_name() == _HANDLER_NAME or any(isinstance(f, RequestContextFilter) for f in handler.filters):
            root.removeHandler(handler)
    if settings.log_format == "json":
        root.addHandler(json_handler(stream or sys.stdout))
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestContextFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
        root.addHandler(handler)
    root.setLevel(settings.log_level)


def _log_uncaught(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
    """A process that dies of an exception (a failed start-up, a broken migration) says so in
    one JSON line like everything else, not in a traceback of its own on stderr."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("loyalty").critical("uncaught exception: the process stops", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
        logging.getLogger("loyalty").critical(
            "uncaught exception in thread %s", args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
