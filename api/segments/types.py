"""GraphQL types of segments: the rule as the marketer wrote it, size and sample on read."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.members.types import Member
from api.pagination import bad_argument
from domain import models
from domain.segments.preview import MAX_SAMPLE, segment_sample, segment_size


@strawberry.type
class SegmentCondition:
    field: str = strawberry.field(description="TIER, BALANCE, LIFETIME_SPEND, LAST_ACTIVITY_WITHIN_DAYS, BIRTHDAY_MONTH, TAG, SUSTAINABILITY_ACTIVITY.")
    op: str
    value: JSON


@strawberry.type
class SegmentRule:
    match: str = strawberry.field(description="ALL or ANY of the conditions.")
    conditions: list[SegmentCondition]


@strawberry.type
class Segment:
    id: strawberry.ID
    name: str
    description: str
    rule: SegmentRule
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Segment]

    @classmethod
    def from_model(cls, segment: models.Segment) -> Segment:
        rule = segment.rule
        return cls(
            id=strawberry.ID(str(segment.id)),
            name=segment.name,
            description=segment.description,
            rule=SegmentRule(
                match=rule["match"],
                conditions=[SegmentCondition(field=c["field"], op=c["op"], value=c["value"]) for c in rule["conditions"]],
            ),
            created_at=segment.created_at,
            updated_at=segment.updated_at,
            model=segment,
        )

    @strawberry.field(description="Members in the segment now (computed on read).")
    async def size(self, info: Info) -> int:
        ctx = info.context
        return await segment_size(await ctx.program(), self.model, ctx.now())

    @strawberry.field(description="Up to `limit` members of the segment, the same ones on every read while nothing changes.")
    async def sample(self, info: Info, limit: int = 10) -> list[Member]:
        if not 1 <= limit <= MAX_SAMPLE:
            raise bad_argument("limit", f"must be between 1 and {MAX_SAMPLE}")
        ctx = info.context
        members = await segment_sample(await ctx.program(), self.model, limit, ctx.now())
        return [Member.from_model(m) for m in members]
