"""Counting the SQL statements a piece of code sends, to prove lists have no N+1."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every SQL statement the ORM sends, as its database client logs them."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if not message.startswith(("Created connection", "Closed connection")):
                seen.append(message)

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Collect(level=logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
