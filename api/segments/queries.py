"""Reading segments (marketers)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.ids import lookup_id
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.permissions import Marketers
from api.segments.types import Segment
from domain import models
from domain.segments.catalog import segments_page


@strawberry.type
class SegmentQueries:
    @strawberry.field(permission_classes=[Marketers], description="Segments, oldest first.")
    async def segments(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Segment]:
        check_page_size(first)
        after_id = decode_cursor("segment", after)
        rows = await segments_page(await info.context.program(), first, after_id)
        return connection("segment", rows, first, after_id, Segment.from_model, lambda s: s.id)

    @strawberry.field(permission_classes=[Marketers])
    async def segment(self, info: Info, id: strawberry.ID) -> Segment | None:
        if (segment_id := lookup_id(id)) is None:
            return None
        program = await info.context.program()
        found = await models.Segment.get_or_none(id=segment_id, program_id=program.id)
        return Segment.from_model(found) if found else None
