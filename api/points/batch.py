"""`recordPurchases`: up to 500 purchases from an integration in one call, each reported
on its own (see domain/purchase_batches.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.permissions import Integrations
from api.points.mutations import PurchaseRecorded, RecordPurchaseInput, RecordPurchasePayload
from api.problems import InvalidInput, problem
from domain.errors import DomainError
from domain.purchase_batches import MAX_BATCH, BatchLine, record_purchases


@strawberry.type
class PurchaseLine:
    index: int = strawberry.field(description="Position of the purchase in the input list, from 0.")
    idempotency_key: str
    result: RecordPurchasePayload

    @classmethod
    def from_line(cls, line: BatchLine) -> PurchaseLine:
        if line.outcome is not None:
            result: object = PurchaseRecorded.from_outcome(line.outcome)
        else:
            assert line.error is not None
            result = problem(line.error)
        return cls(index=line.index, idempotency_key=line.idempotency_key, result=result)  # type: ignore[arg-type]


@strawberry.type(description="Each purchase's own outcome; one rejected purchase does not stop the others.")
class PurchasesRecorded:
    recorded: int
    rejected: int
    lines: list[PurchaseLine]


RecordPurchasesPayload = Annotated[PurchasesRecorded | InvalidInput, strawberry.union("RecordPurchasesPayload")]


@strawberry.type
class PurchaseBatchMutations:
    @strawberry.mutation(
        permission_classes=[Integrations],
        description=f"Up to {MAX_BATCH} purchases, each idempotent on its own key and recorded in its own "
        "transaction: replaying a batch after a partial failure records only what is missing.",
    )
    async def record_purchases(self, info: Info, input: list[RecordPurchaseInput]) -> RecordPurchasesPayload:
        ctx = info.context
        try:
            batch = await record_purchases(
                await ctx.program(), [i.to_report() for i in input], ctx.now(), scope=ctx.idempotency_scope
            )
        except DomainError as error:
            return problem(error)
        return PurchasesRecorded(recorded=batch.recorded, rejected=batch.rejected,
                                 lines=[PurchaseLine.from_line(line) for line in batch.lines])
