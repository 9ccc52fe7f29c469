"""`programKpis`: marketers' figures for a period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.kpis.types import ProgramKpis
from api.pagination import bad_argument
from api.permissions import Marketers
from challenges.kpis import challenge_kpis
from domain.errors import InvalidInput
from domain.kpis.figures import DEFAULT_ACTIVITY_WINDOW_DAYS, program_kpis


@strawberry.type
class KpiQueries:
    @strawberry.field(
        permission_classes=[Marketers],
        description="Program KPIs over [from, to) (UTC instants; pass the program time zone's "
        "midnights for calendar periods). Each figure's description gives its definition.",
    )
    async def program_kpis(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        activity_window_days: int = DEFAULT_ACTIVITY_WINDOW_DAYS,
    ) -> ProgramKpis:
        program = await info.context.program()
        try:
            figures = await program_kpis(program, from_, to, activity_window_days)
        except InvalidInput as error:
            first = error.problems[0]  # the GraphQL error names one argument: the first
            raise bad_argument(first.path, first.message) from None
        challenge = await challenge_kpis(program.id, figures.start, figures.end, figures.active_members)
        return ProgramKpis.build(figures, challenge)
