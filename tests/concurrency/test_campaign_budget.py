"""A campaign's total budget under simultaneous purchases, on PostgreSQL (parallel
transactions for real): the guarded UPDATE on budget_remaining never lets it be exceeded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tortoise.context import TortoiseContext

from api.database import tortoise_config
from domain.models import Campaign, CampaignAward, LedgerEntry, Program
from domain.programs import get_or_create_program
from tests import factories
from tests.campaign_factories import active, double_points
from tests.conftest import _empty_all_tables, requires_postgres

pytestmark = requires_postgres
POOL_SIZE = 20


@pytest.fixture
async def program(postgres_database: str) -> AsyncIterator[Program]:
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(f"{postgres_database}?maxsize={POOL_SIZE}"))
        await _empty_all_tables(ctx)
        yield await get_or_create_program("concurrency", "Concurrent Rewards")


async def test_simultaneous_purchases_never_exceed_the_campaign_budget(program):
    # given double points with a budget of 95 points, and 20 members
    campaign = await active(program, double_points(budget_points=95))
    members = [await factories.member(program) for _ in range(20)]
    # when each spends 10.00 (10 extra points wanted) at the same moment
    results = await asyncio.gather(
        *(factories.purchase(program, m.id, 10_00) for m in members), return_exceptions=True
    )
    # then nobody failed, and exactly the budget was handed out: 9 x 10 and one 5
    assert [r for r in results if isinstance(r, Exception)] == []
    extras = sorted(r.points_earned - 10 for r in results)
    assert sum(extras) == 95 and extras[-9:] == [10] * 9 and 5 in extras
    assert (await Campaign.get(id=campaign.id)).budget_remaining == 0
    assert sum(await CampaignAward.all().values_list("points", flat=True)) == 95
    campaign_credits = await LedgerEntry.filter(reason__contains="campaign").values_list("points", flat=True)
    assert sum(campaign_credits) == 95
