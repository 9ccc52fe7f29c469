"""Prometheus metrics of the API process, served at /metrics in the text format.

Labels stay bounded, or a client could grow the server's memory one label at a time:
operation names are the client's own words, so only the first MAX_OPERATIONS distinct
well-formed names get a series of their own; the rest count as "other".
"""

from __future__ import annotations

import logging
import re
import threading

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from challenges.models import OutboxMessage
from challenges.outbox import OutboxStatus

log = logging.getLogger(__name__)

MAX_OPERATIONS = 200
ANONYMOUS_OPERATION = "anonymous"
OTHER_OPERATION = "other"
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

GRAPHQL_REQUESTS = Counter(
    "graphql_requests", "GraphQL operations by name and outcome (ok, error, or the error code)",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "graphql_request_duration_seconds", "Time to answer a GraphQL operation", ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LEDGER_ENTRIES = Counter("ledger_entries", "Ledger entries committed by this process", ["kind"])
OUTBOX_DEPTH = Gauge("outbox_depth", "Push intents waiting for delivery (pending or in flight)")
# Requests answered before GraphQL ran (the body or its JSON refused: json_too_deep,
# payload_too_large, request_timeout, invalid_json, bad_request...), and clients that left
# before their answer (client_disconnected). Codes are ours: the labels stay few.
HTTP_REFUSALS = Counter(
    "http_requests_refused", "HTTP requests refused before GraphQL ran, or left by their client, by code", ["code"],
)
COST_BUDGET_UNAVAILABLE = Counter(
    "cost_budget_unavailable", "Operations let through unchecked because Redis did not answer"
)

_known_operations: set[str] = set()
_known_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    if not name:
        return ANONYMOUS_OPERATION
    if not _OPERATION_NAME.match(name):
        return OTHER_OPERATION
    with _known_lock:
        if name in _known_operations:
            return name
        if len(_known_operations) < MAX_OPERATIONS:
            _known_operations.add(name)
            return name
    return OTHER_OPERATION


def observe_operation(operation: str | None, outcome: str, seconds: float) -> None:
    label = operation_label(operation)
    GRAPHQL_REQUESTS.labels(label, outcome).inc()
    GRAPHQL_LATENCY.labels(label).observe(seconds)


def count_refusal(code: str) -> None:
    HTTP_REFUSALS.labels(code).inc()


def count_ledger_entries(events: list[object]) -> None:
    """Counts the committed entries that events tell of (PointsEarned, PointsSpent carry
    the entry's kind); called after commit, so rolled-back work never counts."""
    for event in events:
        kind = getattr(event, "kind", None)
        if getattr(event, "entry_id", None) is not None and isinstance(kind, str):
            LEDGER_ENTRIES.labels(kind).inc()


async def refresh_outbox_depth() -> None:
    """One COUNT per scrape: cheap, and always the database's truth."""
    try:
        waiting = await OutboxMessage.filter(
            status__in=[OutboxStatus.PENDING.value, OutboxStatus.IN_FLIGHT.value]
        ).count()
    except Exception:  # noqa: BLE001 - a scrape must still answer; the gauge keeps its last value
        log.warning("outbox depth not refreshed: database unavailable")
        return
    OUTBOX_DEPTH.set(waiting)


async def metrics_endpoint(request: Request) -> Response:
    await refresh_outbox_depth()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
