"""Marketers manage the program's partner brands (audited)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.ids import MAX_INT_ID, row_id
from api.create_keys import create_once, key_field
from api.partners.types import Partner
from api.permissions import Marketers
from api.problems import IdempotencyConflict, InvalidInput, NotFound, problem
from domain import partners
from domain import models
from domain.errors import DomainError


@strawberry.input
class CreatePartnerInput:
    code: str
    name: str
    points_per_currency_unit: int | None = strawberry.field(default=None, description="Default: the program's rate.")
    earn_multiplier: Decimal = Decimal(1)
    active: bool = True
    idempotency_key: str | None = key_field()


@strawberry.input(description="Fields left out stay as they are; the code never changes.")
class UpdatePartnerInput:
    id: strawberry.ID
    name: str | None = None
    points_per_currency_unit: int | None = None
    earn_multiplier: Decimal | None = None
    active: bool | None = None


@strawberry.type
class PartnerSaved:
    partner: Partner


PartnerPayload = Annotated[
    PartnerSaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("PartnerPayload")
]


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(permission_classes=[Marketers])
    async def create_partner(self, info: Info, input: CreatePartnerInput) -> PartnerPayload:
        ctx = info.context
        spec = partners.PartnerSpec(input.code, input.name, input.active, input.points_per_currency_unit,
                                    input.earn_multiplier)
        try:
            program = await ctx.program()
            partner = await create_once(
                ctx, input, "createPartner", models.Partner,
                lambda: partners.create_partner(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return PartnerSaved(partner=Partner.from_model(partner))

    @strawberry.mutation(permission_classes=[Marketers])
    async def update_partner(self, info: Info, input: UpdatePartnerInput) -> PartnerPayload:
        ctx = info.context
        spec = partners.PartnerSpec(None, input.name, input.active, input.points_per_currency_unit,
                                    input.earn_multiplier)
        try:
            partner_id = row_id(input.id, "id", "partner", MAX_INT_ID)
            partner = await partners.update_partner(await ctx.program(), partner_id, spec, ctx.principal.actor, ctx.now())
        except DomainError as error:
            return problem(error)
        return PartnerSaved(partner=Partner.from_model(partner))
