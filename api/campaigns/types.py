"""GraphQL types of campaigns: the catalog, versions, and simulation verdicts."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.long_int import Long
from domain import models
from domain.campaigns import catalog, rules
from domain.campaigns.schedule import CapPeriod as CapPeriodEnum

CampaignKind = strawberry.enum(
    models.CampaignKind,
    description="MULTIPLIER adds (factor - 1) x the base points of what matches; FIXED_BONUS grants "
    "bonusPoints on its trigger; SPEND_THRESHOLD grants bonusPoints when the matching spend reaches thresholdAmount.",
)
CampaignStatus = strawberry.enum(models.CampaignStatus, description="DRAFT -> ACTIVE <-> PAUSED -> ENDED (final).")
CampaignStacking = strawberry.enum(
    models.Stacking, name="CampaignStacking",
    description="A fired EXCLUSIVE campaign (the highest priority one) applies alone; COMBINABLE ones add up.",
)
CampaignTrigger = strawberry.enum(rules.Trigger, name="CampaignTrigger")
CapPeriod = strawberry.enum(CapPeriodEnum, description="Periods in the program's time zone; WEEK runs Monday to Sunday.")


@strawberry.type
class CampaignConditions:
    tier_ids: list[strawberry.ID]
    categories: list[str]
    skus: list[str]
    channels: list[str]
    partner_codes: list[str]


@strawberry.type
class CampaignEffect:
    factor: Decimal | None
    bonus_points: int | None
    threshold_amount: int | None = strawberry.field(description="Minor units.")
    trigger: CampaignTrigger | None


@strawberry.type
class CampaignSchedule:
    starts_at: datetime
    ends_at: datetime | None
    days_of_week: list[int] = strawberry.field(description="ISO weekdays, 1 = Monday; empty = every day.")
    time_from: time | None = strawberry.field(description="Local time in the program's time zone.")
    time_to: time | None


@strawberry.type
class CampaignCap:
    points: int
    period: CapPeriod


@strawberry.type
class CampaignVersion:
    version: int
    change: str = strawberry.field(description="create, update, activate, pause or end.")
    changed_by: str
    changed_at: datetime
    spec: JSON = strawberry.field(description="The full specification as saved in this version.")


@strawberry.type
class Campaign:
    id: strawberry.ID
    name: str
    description: str
    kind: CampaignKind
    status: CampaignStatus
    conditions: CampaignConditions
    effect: CampaignEffect
    schedule: CampaignSchedule
    segment_id: strawberry.ID | None
    priority: int
    stacking: CampaignStacking
    cap: CampaignCap | None = strawberry.field(description="Most points one member gets from it per period.")
    budget_points: int | None
    budget_remaining: int | None
    version: int
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Every version, oldest first: who changed what, when.")
    async def versions(self, info: Info) -> list[CampaignVersion]:
        rows = await catalog.versions(int(self.id))
        return [CampaignVersion(version=v.version, change=v.change, changed_by=v.changed_by,
                                changed_at=v.changed_at, spec=v.spec) for v in rows]

    @classmethod
    def from_model(cls, campaign: models.Campaign) -> Campaign:
        spec = catalog.spec_of(campaign)
        c, e = spec.conditions or rules.Conditions(), spec.effect or rules.Effect()
        assert spec.starts_at is not None
        return cls(
            id=strawberry.ID(str(campaign.id)), name=campaign.name, description=campaign.description,
            kind=campaign.kind, status=campaign.status,
            conditions=CampaignConditions(
                tier_ids=[strawberry.ID(str(t)) for t in c.tier_ids], categories=list(c.categories),
                skus=list(c.skus), channels=list(c.channels), partner_codes=list(c.partner_codes),
            ),
            effect=CampaignEffect(factor=e.factor, bonus_points=e.bonus_points,
                                  threshold_amount=e.threshold_amount, trigger=e.trigger),
            schedule=CampaignSchedule(starts_at=spec.starts_at, ends_at=spec.ends_at,
                                      days_of_week=list(spec.days_of_week or ()),
                                      time_from=spec.time_from, time_to=spec.time_to),
            segment_id=strawberry.ID(str(campaign.segment_id)) if campaign.segment_id else None,
            priority=campaign.priority, stacking=campaign.stacking,
            cap=CampaignCap(points=spec.cap.points, period=spec.cap.period) if spec.cap else None,
            budget_points=campaign.budget_points, budget_remaining=campaign.budget_remaining,
            version=campaign.version, created_at=campaign.created_at, updated_at=campaign.updated_at,
        )


@strawberry.type(description="One campaign considered by a simulation: fired or not, and why.")
class CampaignVerdict:
    campaign_id: strawberry.ID
    campaign_name: str
    fired: bool = strawberry.field(description="True when it applied and added points.")
    reason: str
    points: Long

    @classmethod
    def from_verdict(cls, verdict: rules.Verdict) -> CampaignVerdict:
        return cls(campaign_id=strawberry.ID(str(verdict.campaign_id)), campaign_name=verdict.campaign_name,
                   fired=verdict.fired and verdict.points > 0, reason=verdict.reason,
                   points=verdict.points if verdict.fired else 0)
