"""Reading charities, a member's donations and setting, and impact totals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import Role
from api.charities.types import Charity, CharityImpactLine, Donation, DonationPreference, DonationTotals, ProgramImpact
from api.ids import lookup_id
from api.pagination import Connection, bad_argument, check_page_size, connection, decode_cursor
from api.permissions import Authenticated, Marketers
from domain import models
from domain.charity import catalog, donations, impact
from domain.charity.auto_donation import preference_of


async def member_donations(info: Info, member_id: str, first: int, after: str | None) -> Connection[Donation]:
    """The Member type's `donations`: newest first, skipped auto-donations included."""
    check_page_size(first)
    after_id = decode_cursor("donation", after)
    program = await info.context.program()
    rows = await donations.history_page(program.id, member_id, first, after_id)
    return connection("donation", rows, first, after_id, Donation.from_model, lambda d: d.id)


async def member_donation_preference(member_id: str) -> DonationPreference:
    return DonationPreference.from_model(await preference_of(member_id))


def _asks_for_impact(info: Info) -> bool:
    """Whether the query selects a charity's impact anywhere below this field."""
    pending = list(info.selected_fields)
    while pending:
        selection = pending.pop()
        if selection.name == "impact":
            return True
        pending.extend(getattr(selection, "selections", []))
    return False


def _charity_id(raw: strawberry.ID) -> int | None:
    return lookup_id(raw)


@strawberry.type
class CharityQueries:
    @strawberry.field(
        permission_classes=[Authenticated],
        description="Charities by id. Members see the active ones; staff see every one.",
    )
    async def charities(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Charity]:
        check_page_size(first)
        after_id = decode_cursor("charity", after)
        program = await info.context.program()
        active_only = info.context.principal.role == Role.MEMBER
        rows = await catalog.list_page(program.id, first, after_id, active_only)
        totals = await impact.charities_totals([c.id for c in rows]) if _asks_for_impact(info) else {}
        return connection(
            "charity", rows, first, after_id, lambda c: Charity.from_model(c, totals.get(c.id)), lambda c: c.id
        )

    @strawberry.field(permission_classes=[Authenticated], description="A charity by id; null if there is none.")
    async def charity(self, info: Info, id: strawberry.ID) -> Charity | None:
        charity_id = _charity_id(id)
        if charity_id is None:
            return None
        program = await info.context.program()
        found = await models.Charity.get_or_none(id=charity_id, program_id=program.id)
        return Charity.from_model(found) if found else None

    @strawberry.field(
        permission_classes=[Marketers],
        description="Donations and sustainability rewards in [from, to) (all time when left out), per charity.",
    )
    async def program_impact(
        self,
        info: Info,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> ProgramImpact:
        for name, value in (("from", from_), ("to", to)):
            if value is not None and value.tzinfo is None:
                raise bad_argument(name, "must carry a time zone offset (UTC ISO 8601)")
        if from_ is not None and to is not None and from_ >= to:
            raise bad_argument("to", "must be after from")
        program = await info.context.program()
        overall, per_charity = await impact.program_totals(program.id, from_, to)
        charities = {c.id: c for c in await models.Charity.filter(id__in=[line.charity_id for line in per_charity])}
        return ProgramImpact(
            totals=DonationTotals.from_totals(overall, program.currency),
            charities=[
                CharityImpactLine(
                    charity=Charity.from_model(charities[line.charity_id], line.totals),
                    totals=DonationTotals.from_totals(line.totals, program.currency),
                )
                for line in per_charity
            ],
        )
