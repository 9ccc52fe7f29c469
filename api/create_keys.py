"""The optional idempotency key of the marketers' create mutations: a retried request
(a timeout, a double click) returns what the first one created instead of a duplicate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from tortoise.models import Model

from api.context import LoyaltyContext
from domain import idempotency

M = TypeVar("M", bound=Model)

KEY_DESCRIPTION = (
    "Optional, unique per create of yours: a retry with the same key returns what the first request "
    "created; the same key with another input is IdempotencyConflict."
)


def key_field() -> Any:
    return strawberry.field(default=None, description=KEY_DESCRIPTION)


def request_payload(input: object) -> dict[str, Any]:
    """The input as sent, without its key: what a replay must repeat exactly."""
    data = strawberry.asdict(input)
    data.pop("idempotency_key", None)
    return data


async def create_once(
    ctx: LoyaltyContext, input: Any, operation: str, model: type[M], create: Callable[[], Awaitable[M]]
) -> M:
    program = await ctx.program()
    return await idempotency.create_once(
        program.id, input.idempotency_key, operation, request_payload(input), ctx.now(), create, model,
        scope=ctx.idempotency_scope,
    )
