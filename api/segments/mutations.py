"""Marketers define segments; every change is audited."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.ids import MAX_INT_ID, row_id
from api.create_keys import create_once, key_field
from api.permissions import Marketers
from api.problems import IdempotencyConflict, InvalidInput, NotFound, problem
from api.segments.types import Segment
from domain import models
from domain.errors import DomainError
from domain.segments import catalog


@strawberry.input
class SegmentConditionInput:
    field: str = strawberry.field(description="TIER, BALANCE, LIFETIME_SPEND, LAST_ACTIVITY_WITHIN_DAYS, BIRTHDAY_MONTH, TAG, SUSTAINABILITY_ACTIVITY.")
    op: str = strawberry.field(description="IN/NOT_IN (tier ids), GTE/LTE/BETWEEN, WITHIN/NOT_WITHIN (days), EQ (month or CURRENT), HAS/HAS_NOT (tag), AT_LEAST ({count, days}).")
    value: JSON


@strawberry.input
class SegmentRuleInput:
    conditions: list[SegmentConditionInput]
    match: str = strawberry.field(default="ALL", description="ALL or ANY of the conditions.")

    def to_raw(self) -> dict:
        return {"match": self.match, "conditions": [{"field": c.field, "op": c.op, "value": c.value} for c in self.conditions]}


@strawberry.input
class CreateSegmentInput:
    name: str
    rule: SegmentRuleInput
    description: str = ""
    idempotency_key: str | None = key_field()


@strawberry.input(description="Replaces the segment's name, description and rule.")
class UpdateSegmentInput:
    id: strawberry.ID
    name: str
    rule: SegmentRuleInput
    description: str = ""


@strawberry.type
class SegmentSaved:
    segment: Segment


SegmentPayload = Annotated[
    SegmentSaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("SegmentPayload")
]


@strawberry.type
class SegmentMutations:
    @strawberry.mutation(permission_classes=[Marketers])
    async def create_segment(self, info: Info, input: CreateSegmentInput) -> SegmentPayload:
        ctx = info.context
        spec = catalog.SegmentSpec(input.name, input.rule.to_raw(), input.description)
        try:
            program = await ctx.program()
            segment = await create_once(
                ctx, input, "createSegment", models.Segment,
                lambda: catalog.create_segment(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return SegmentSaved(segment=Segment.from_model(segment))

    @strawberry.mutation(permission_classes=[Marketers])
    async def update_segment(self, info: Info, input: UpdateSegmentInput) -> SegmentPayload:
        ctx = info.context
        spec = catalog.SegmentSpec(input.name, input.rule.to_raw(), input.description)
        try:
            segment_id = row_id(input.id, "id", "segment", MAX_INT_ID)
            segment = await catalog.update_segment(await ctx.program(), segment_id, spec, ctx.principal.actor, ctx.now())
        except DomainError as error:
            return problem(error)
        return SegmentSaved(segment=Segment.from_model(segment))
