"""Marketers configure campaigns: create, update, and the lifecycle, each versioned."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.campaigns.types import Campaign, CampaignKind, CampaignStacking, CampaignTrigger, CapPeriod
from api.create_keys import create_once, key_field
from api.ids import MAX_INT_ID, row_id
from api.permissions import Marketers
from api.points.mutations import PurchaseChannel
from api.problems import IdempotencyConflict, InvalidInput, InvalidTransition, NotFound, problem
from domain.campaigns import catalog, rules
from domain.campaigns.schedule import CapPeriod as CapPeriodEnum
from domain.campaigns.validation import CampaignSpec
from domain.errors import DomainError
from domain import models
from domain.models import CampaignStatus, Stacking


@strawberry.input(description="Empty lists mean 'any'. Categories and SKUs select items; the rest the purchase.")
class CampaignConditionsInput:
    tier_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    categories: list[str] = strawberry.field(default_factory=list)
    skus: list[str] = strawberry.field(default_factory=list)
    channels: list[PurchaseChannel] = strawberry.field(default_factory=list)
    partner_codes: list[str] = strawberry.field(default_factory=list)

    def to_conditions(self) -> rules.Conditions:
        tiers = tuple(row_id(raw, f"conditions.tierIds.{i}", "tier") for i, raw in enumerate(self.tier_ids))
        return rules.Conditions(tiers, tuple(self.categories), tuple(self.skus),
                                tuple(c.value for c in self.channels), tuple(self.partner_codes))


@strawberry.input(description="MULTIPLIER: factor (> 1, <= 10). FIXED_BONUS: trigger and bonusPoints. "
                              "SPEND_THRESHOLD: thresholdAmount (minor units) and bonusPoints.")
class CampaignEffectInput:
    factor: Decimal | None = None
    bonus_points: int | None = None
    threshold_amount: int | None = None
    trigger: CampaignTrigger | None = None

    def to_effect(self) -> rules.Effect:
        trigger = rules.Trigger(self.trigger) if self.trigger is not None else None
        return rules.Effect(self.factor, self.bonus_points, self.threshold_amount, trigger)


@strawberry.input(description="Replaced as a whole in an update. Days and times are local to the program.")
class CampaignScheduleInput:
    starts_at: datetime
    ends_at: datetime | None = None
    days_of_week: list[int] = strawberry.field(default_factory=list, description="ISO weekdays, 1 = Monday.")
    time_from: time | None = None
    time_to: time | None = strawberry.field(default=None, description="Exclusive; before timeFrom wraps midnight.")


@strawberry.input(description="points 0 removes the cap in an update.")
class CampaignCapInput:
    points: int
    period: CapPeriod = CapPeriodEnum.CAMPAIGN


@strawberry.input
class CreateCampaignInput:
    name: str
    kind: CampaignKind
    effect: CampaignEffectInput
    schedule: CampaignScheduleInput
    description: str = ""
    conditions: CampaignConditionsInput | None = None
    segment_id: strawberry.ID | None = strawberry.field(default=None, description="Null: every member.")
    priority: int = 0
    stacking: CampaignStacking = Stacking.COMBINABLE
    cap: CampaignCapInput | None = None
    budget_points: int | None = strawberry.field(default=None, description="Total points it may ever award.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Fields left out stay as they are. segmentId \"0\" and budgetPoints 0 remove them.")
class UpdateCampaignInput:
    id: strawberry.ID
    name: str | None = None
    kind: CampaignKind | None = None
    effect: CampaignEffectInput | None = None
    schedule: CampaignScheduleInput | None = None
    description: str | None = None
    conditions: CampaignConditionsInput | None = None
    segment_id: strawberry.ID | None = None
    priority: int | None = None
    stacking: CampaignStacking | None = None
    cap: CampaignCapInput | None = None
    budget_points: int | None = None


def _spec(input: CreateCampaignInput | UpdateCampaignInput) -> CampaignSpec:
    schedule = input.schedule
    return CampaignSpec(
        name=input.name,
        description=input.description,
        kind=input.kind,
        conditions=input.conditions.to_conditions() if input.conditions else None,
        effect=input.effect.to_effect() if input.effect else None,
        starts_at=schedule.starts_at if schedule else None,
        ends_at=schedule.ends_at if schedule else None,
        days_of_week=tuple(schedule.days_of_week) if schedule else None,
        time_from=schedule.time_from if schedule else None,
        time_to=schedule.time_to if schedule else None,
        segment_id=row_id(input.segment_id, "segmentId", "segment") if input.segment_id is not None else None,
        priority=input.priority,
        stacking=input.stacking,
        cap=rules.Cap(input.cap.points, CapPeriodEnum(input.cap.period)) if input.cap else None,
        budget_points=input.budget_points,
    )


@strawberry.type
class CampaignSaved:
    campaign: Campaign


CampaignPayload = Annotated[
    CampaignSaved | InvalidInput | NotFound | InvalidTransition | IdempotencyConflict,
    strawberry.union("CampaignPayload"),
]


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(permission_classes=[Marketers], description="A new campaign, as a draft (version 1).")
    async def create_campaign(self, info: Info, input: CreateCampaignInput) -> CampaignPayload:
        ctx = info.context
        try:
            program, spec = await ctx.program(), _spec(input)
            campaign = await create_once(
                ctx, input, "createCampaign", models.Campaign,
                lambda: catalog.create_campaign(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return CampaignSaved(campaign=Campaign.from_model(campaign))

    @strawberry.mutation(permission_classes=[Marketers], description="Every change is a new version.")
    async def update_campaign(self, info: Info, input: UpdateCampaignInput) -> CampaignPayload:
        ctx = info.context
        try:
            campaign_id = row_id(input.id, "id", "campaign", MAX_INT_ID)
            campaign = await catalog.update_campaign(
                await ctx.program(), campaign_id, _spec(input), ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return CampaignSaved(campaign=Campaign.from_model(campaign))

    @strawberry.mutation(permission_classes=[Marketers], description="Starts earning (from a draft or paused).")
    async def activate_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return await _set_status(info, id, CampaignStatus.ACTIVE)

    @strawberry.mutation(permission_classes=[Marketers], description="Stops earning until activated again.")
    async def pause_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return await _set_status(info, id, CampaignStatus.PAUSED)

    @strawberry.mutation(permission_classes=[Marketers], description="Stops for good: an ended campaign is final.")
    async def end_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return await _set_status(info, id, CampaignStatus.ENDED)


async def _set_status(info: Info, raw_id: str, status: CampaignStatus) -> CampaignPayload:
    ctx = info.context
    try:
        campaign = await catalog.set_status(
            await ctx.program(), row_id(raw_id, "id", "campaign", MAX_INT_ID), status, ctx.principal.actor, ctx.now()
        )
    except DomainError as error:
        return problem(error)
    return CampaignSaved(campaign=Campaign.from_model(campaign))
