"""Capturing the JSON log lines a test causes, as the production handler writes them."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator

from api.observability.logging import json_handler, route_server_logs


@contextlib.contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every line logged meanwhile (uvicorn's own too, as a server process routes them)."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    uvicorn_loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(logger, list(logger.handlers), logger.propagate) for logger in uvicorn_loggers]
    level = root.level
    route_server_logs()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for logger, handlers, propagate in saved:
            logger.handlers[:] = handlers
            logger.propagate = propagate


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def access_lines(stream: io.StringIO) -> list[dict]:
    return [line for line in lines(stream) if line["logger"] == "loyalty.access"]
