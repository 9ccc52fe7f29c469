"""Partners of the program and their settlement report (marketers, admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.pagination import bad_argument
from api.partners.types import Partner, PartnerSettlement
from api.permissions import Marketers
from domain import partners
from domain.errors import InvalidInput


@strawberry.type
class PartnerQueries:
    @strawberry.field(permission_classes=[Marketers], description="All partners, by code.")
    async def partners(self, info: Info) -> list[Partner]:
        program = await info.context.program()
        return [Partner.from_model(p) for p in await partners.list_partners(program.id)]

    @strawberry.field(
        permission_classes=[Marketers],
        description="Per partner over [from, to): purchases then, the points they issued, points returns took back then.",
    )
    async def partner_settlement(
        self, info: Info, from_: Annotated[datetime, strawberry.argument(name="from")], to: datetime
    ) -> list[PartnerSettlement]:
        program = await info.context.program()
        try:
            rows = await partners.settlement(program.id, from_, to)
        except InvalidInput as error:
            raise bad_argument(error.problems[0].path, error.problems[0].message) from None
        return [PartnerSettlement.from_settlement(row) for row in rows]
