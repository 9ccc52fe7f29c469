"""What one GraphQL operation adds to the metrics and to its request's access line."""

from __future__ import annotations

import re

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData

from api.context import LoyaltyContext
from api.observability import metrics
from api.observability.request_id import current_request

_NAMED_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


def operation_name(request: GraphQLRequestData) -> str | None:
    """The name the client gave, else the name in the document's first line."""
    if request.operation_name:
        return request.operation_name
    match = _NAMED_OPERATION.match(request.query or "")
    return match.group(1) if match else None


def outcome_of(errors: list[GraphQLError] | None) -> str:
    """ok, the first error's code in lower case (rate_limited, timeout...), or error."""
    if not errors:
        return "ok"
    code = (errors[0].extensions or {}).get("code")
    return str(code).lower() if isinstance(code, str) and code.isidentifier() else "error"


def record_operation(request: GraphQLRequestData, outcome: str, ctx: LoyaltyContext, seconds: float) -> None:
    name = operation_name(request)
    metrics.observe_operation(name, outcome, seconds)
    entry = current_request()
    if entry is not None:
        entry.fields.update({
            "operation": metrics.operation_label(name),
            "outcome": outcome,
            "role": ctx.principal.role.value if ctx.principal else "anonymous",
            "persisted_query": bool((request.extensions or {}).get("persistedQuery")),
        })

