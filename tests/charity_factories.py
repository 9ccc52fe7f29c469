"""Charities and donation settings for tests, through the real services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.charity.auto_donation import update_preference
from domain.charity.auto_rules import AutoDonationSetting
from domain.charity.catalog import CharitySpec, create_charity
from domain.models import Charity, DonationMode, DonationPreference, Program
from tests.factories import NOW, next_key


async def charity(program: Program, now: datetime = NOW, **fields: Any) -> Charity:
    """Default: 100 points make 1.00, the brand matches 50 %, 1 tree per 1.00 given."""
    spec = CharitySpec(
        name=fields.pop("name", None) or next_key("Charity"),
        cause=fields.pop("cause", "reforestation"),
        points_per_currency_unit=fields.pop("points_per_currency_unit", 100),
        matching_percent=fields.pop("matching_percent", 50),
        impact_unit=fields.pop("impact_unit", "trees_planted"),
        impact_per_step=fields.pop("impact_per_step", 1),
        impact_step_amount=fields.pop("impact_step_amount", 100),
        **fields,
    )
    return await create_charity(program, spec, "marketer:test", now)


async def auto_donation(
    program: Program, member_id: object, charity_id: int, mode: DonationMode, share_percent: int = 0,
    round_up_to: int = 0, now: datetime = NOW,
) -> DonationPreference:
    setting = AutoDonationSetting(mode, share_percent, round_up_to)
    return await update_preference(program, str(member_id), charity_id, setting, now)
