"""Prices each validated operation and charges the caller's budget before it runs.

Two refusals, both before any resolver runs and both with numbers a client can act on:
- QUERY_TOO_COSTLY: the operation alone costs more than `max_query_cost`;
- RATE_LIMITED: the caller's bucket holds less than the cost; `retryAfterSeconds` says
  when it will hold enough.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.auth import Role
from api.context import LoyaltyContext
from api.limits.cost_budget import CostBudget
from api.limits.query_cost import operation_cost
from api.observability import metrics
from api.observability.request_id import current_request
from api.settings import Settings

log = logging.getLogger(__name__)


def budget_of(settings: Settings, ctx: LoyaltyContext) -> tuple[int, float]:
    """Capacity and refill per second of the caller's bucket."""
    factor = settings.cost_budget_integration_factor if (
        ctx.principal is not None and ctx.principal.role == Role.INTEGRATION) else 1
    return round(settings.cost_budget_capacity * factor), settings.cost_budget_refill_per_second * factor


def caller_key(ctx: LoyaltyContext) -> str:
    """Whose bucket: the signed-in principal, else the client's address."""
    if ctx.principal is not None:
        return f"{ctx.principal.role.value}:{ctx.principal.subject}"
    client = ctx.request.client
    return f"ip:{client.host if client else 'unknown'}"


class QueryCostGuard(SchemaExtension):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def on_execute(self) -> AsyncIterator[None]:
        refusal = await self._refusal()
        if refusal is not None:
            # A result set before execution replaces it: no resolver runs.
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=[refusal])
        yield

    async def _refusal(self) -> GraphQLError | None:
        ec = self.execution_context
        if ec.graphql_document is None or ec.operation_type == OperationType.SUBSCRIPTION:
            return None  # subscriptions are long-lived streams, priced by their own limits
        # `_schema` is graphql-core's schema behind strawberry's: the types the cost walks.
        cost = operation_cost(ec.schema._schema, ec.graphql_document, ec.variables, ec.operation_name)
        ctx: LoyaltyContext = ec.context
        if (entry := current_request()) is not None:
            entry.fields["cost"] = cost
        if cost > self.settings.max_query_cost:
            return GraphQLError(
                f"query costs {cost}, more than the {self.settings.max_query_cost} allowed",
                extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": self.settings.max_query_cost},
            )
        budget = CostBudget(ctx.redis, *budget_of(self.settings, ctx))
        decision = await budget.take(caller_key(ctx), cost)
        if decision.unavailable:
            metrics.COST_BUDGET_UNAVAILABLE.inc()
            log.warning("query cost budget not checked: Redis unavailable (failing open)")
            return None
        if decision.allowed:
            return None
        return GraphQLError(
            f"rate limited: this query costs {cost}, {decision.budget_left} left; "
            f"retry in {decision.retry_after_seconds}s",
            extensions={"code": "RATE_LIMITED", "cost": cost, "budgetLeft": decision.budget_left,
                        "retryAfterSeconds": decision.retry_after_seconds},
        )
