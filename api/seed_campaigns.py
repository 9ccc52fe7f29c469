"""The demo program's campaigns and a partner: a welcome bonus, Coffee Tuesdays, a bike shop.

Idempotent: each campaign is found by name and the partner by code before it is created.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from domain.campaigns import catalog
from domain.campaigns.rules import Conditions, Effect, Trigger
from domain.campaigns.validation import CampaignSpec
from domain.models import Campaign, CampaignKind, CampaignStatus, Partner, Program
from domain.partners import PartnerSpec, create_partner

SEED_ACTOR = "seed:demo"


async def _active_campaign(program: Program, spec: CampaignSpec, now: datetime) -> Campaign:
    campaign = await Campaign.get_or_none(program_id=program.id, name=spec.name)
    if campaign is None:
        campaign = await catalog.create_campaign(program, spec, SEED_ACTOR, now)
    if campaign.status == CampaignStatus.DRAFT:
        campaign = await catalog.set_status(program, campaign.id, CampaignStatus.ACTIVE, SEED_ACTOR, now)
    return campaign


async def seed_campaigns(program: Program, now: datetime) -> None:
    starts = now - timedelta(days=1)
    await _active_campaign(program, CampaignSpec(
        name="Welcome bonus", description="100 points for joining.", kind=CampaignKind.FIXED_BONUS,
        effect=Effect(bonus_points=100, trigger=Trigger.SIGNUP), starts_at=starts,
    ), now)
    await _active_campaign(program, CampaignSpec(
        name="Coffee Tuesdays", description="Double points on coffee every Tuesday.", kind=CampaignKind.MULTIPLIER,
        effect=Effect(factor=Decimal(2)), conditions=Conditions(categories=("coffee",)), days_of_week=(2,),
        starts_at=starts,
    ), now)
    if not await Partner.exists(program_id=program.id, code="city-bikes"):
        await create_partner(program, PartnerSpec("city-bikes", "City Bikes", True, 2, Decimal("1.5")), SEED_ACTOR, now)
