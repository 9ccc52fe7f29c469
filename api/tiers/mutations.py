"""Marketers configure tiers and program settings; every change is audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.ids import MAX_INT_ID, row_id
from api.create_keys import create_once, key_field
from api.permissions import Marketers
from api.problems import IdempotencyConflict, InvalidInput, NotFound, problem
from api.tiers.types import ProgramSettings, Tier, TierBasis
from domain import tiers as tier_service
from domain import models
from domain.errors import DomainError
from domain.models import TierBasis as TierBasisValue
from domain.program_settings import SettingsChange, update_program_settings


@strawberry.input
class CreateTierInput:
    name: str
    threshold: int
    earn_multiplier: float = 1.0
    benefits: list[str] = strawberry.field(default_factory=list)
    idempotency_key: str | None = key_field()


@strawberry.input
class UpdateTierInput:
    id: strawberry.ID
    name: str | None = None
    threshold: int | None = None
    earn_multiplier: float | None = None
    benefits: list[str] | None = None


@strawberry.type
class TierSaved:
    tier: Tier


TierPayload = Annotated[TierSaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("TierPayload")]


@strawberry.input
class UpdateProgramSettingsInput:
    name: str | None = None
    points_per_currency_unit: int | None = None
    points_expiry_months: int | None = None
    pending_days: int | None = strawberry.field(default=None, description="Return window.")
    tier_basis: TierBasis | None = None
    tier_window_months: int | None = None
    tier_review_months: int | None = None
    time_zone: str | None = None
    redemption_cancel_minutes: int | None = None
    referral_referrer_points: int | None = None
    referral_referee_points: int | None = None
    referral_min_purchase: int | None = strawberry.field(default=None, description="Minor units.")
    referral_cap: int | None = strawberry.field(default=None, description="Credited referrals a referrer may earn for.")
    max_backdating_days: int | None = strawberry.field(
        default=None, description="How many days back a reported purchase or activity may have occurred (1 to 3650)."
    )


@strawberry.type
class ProgramSettingsSaved:
    settings: ProgramSettings


ProgramSettingsPayload = Annotated[
    ProgramSettingsSaved | InvalidInput, strawberry.union("ProgramSettingsPayload")
]




def _multiplier(value: float | None) -> Decimal | None:
    # Two decimals, like the column: 1.25 stays 1.25, 1.333 becomes 1.33. A value too
    # large to round stays as it is, for the domain's range check to name it.
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(str(value))


async def _saved(info: Info, tier_id: int) -> TierSaved:
    info.context.forget_tiers()
    tiers = await info.context.tiers()
    return TierSaved(tier=Tier.from_model(next(t for t in tiers if t.id == tier_id), tiers))


@strawberry.type
class TierMutations:
    @strawberry.mutation(permission_classes=[Marketers])
    async def create_tier(self, info: Info, input: CreateTierInput) -> TierPayload:
        ctx = info.context
        spec = tier_service.TierSpec(input.name, input.threshold, _multiplier(input.earn_multiplier), input.benefits)
        try:
            program = await ctx.program()
            tier = await create_once(
                ctx, input, "createTier", models.Tier,
                lambda: tier_service.create_tier(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return await _saved(info, tier.id)

    @strawberry.mutation(permission_classes=[Marketers])
    async def update_tier(self, info: Info, input: UpdateTierInput) -> TierPayload:
        ctx = info.context
        spec = tier_service.TierSpec(input.name, input.threshold, _multiplier(input.earn_multiplier), input.benefits)
        try:
            tier = await tier_service.update_tier(
                await ctx.program(), row_id(input.id, "id", "tier", MAX_INT_ID), spec, ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return await _saved(info, tier.id)

    @strawberry.mutation(permission_classes=[Marketers])
    async def update_program_settings(
        self, info: Info, input: UpdateProgramSettingsInput
    ) -> ProgramSettingsPayload:
        ctx = info.context
        change = SettingsChange(
            name=input.name,
            points_per_currency_unit=input.points_per_currency_unit,
            points_expiry_months=input.points_expiry_months,
            pending_days=input.pending_days,
            tier_basis=TierBasisValue(input.tier_basis) if input.tier_basis else None,
            tier_window_months=input.tier_window_months,
            tier_review_months=input.tier_review_months,
            time_zone=input.time_zone,
            redemption_cancel_minutes=input.redemption_cancel_minutes,
            referral_referrer_points=input.referral_referrer_points,
            referral_referee_points=input.referral_referee_points,
            referral_min_purchase=input.referral_min_purchase,
            referral_cap=input.referral_cap,
            max_backdating_days=input.max_backdating_days,
        )
        try:
            program = await update_program_settings(await ctx.program(), change, ctx.principal.actor, ctx.now())
        except DomainError as error:
            return problem(error)
        return ProgramSettingsSaved(settings=ProgramSettings.from_model(program))
