"""Campaigns and partners for tests, through the real services."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.campaigns import catalog
from domain.campaigns.rules import Effect, Trigger
from domain.campaigns.validation import CampaignSpec
from domain.models import Campaign, CampaignKind, CampaignStatus, Program
from domain.partners import PartnerSpec, create_partner
from tests.factories import NOW

STARTS = datetime(2026, 1, 1, tzinfo=UTC)
MARKETER = "marketer:test"


def double_points(**changes: Any) -> CampaignSpec:
    spec = CampaignSpec(name="Double points", kind=CampaignKind.MULTIPLIER, effect=Effect(factor=Decimal(2)),
                        starts_at=STARTS)
    return replace(spec, **changes)


def fixed_bonus(trigger: Trigger, points: int = 100, **changes: Any) -> CampaignSpec:
    spec = CampaignSpec(name=f"{trigger.value} bonus", kind=CampaignKind.FIXED_BONUS,
                        effect=Effect(bonus_points=points, trigger=trigger), starts_at=STARTS)
    return replace(spec, **changes)


async def active(program: Program, spec: CampaignSpec, now: datetime = NOW) -> Campaign:
    campaign = await catalog.create_campaign(program, spec, MARKETER, now)
    return await catalog.set_status(program, campaign.id, CampaignStatus.ACTIVE, MARKETER, now)


async def partner(program: Program, code: str = "fuel", rate: int = 2, multiplier: str = "1"):
    return await create_partner(program, PartnerSpec(code, f"Partner {code}", True, rate, Decimal(multiplier)),
                                MARKETER, NOW)
