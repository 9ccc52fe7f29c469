"""Properties of the campaign evaluator (pure), over random campaigns and purchases.

Whatever marketers configure: points are never negative; a campaign never grants more
than its budget's remainder or its cap's rest; combinable campaigns add up the same in any
order; when an exclusive campaign applies, it applies alone. On the database (asyncio.run
per example, as in test_ledger_properties): a simulation shows exactly what recording the
purchase then credits, and budgets hold.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.context import TortoiseContext, tortoise_test_context

from api.database import MODEL_MODULES, tortoise_config

from domain.campaigns.rules import (
    Award,
    Cap,
    CampaignRule,
    Conditions,
    Effect,
    Item,
    MemberFacts,
    Occasion,
    PurchaseFacts,
    Trigger,
    evaluate,
)
from domain.campaigns.schedule import CapPeriod, Schedule
from domain.campaigns.simulation import simulate_purchase
from domain.campaigns.stacking import resolve, total
from domain.campaigns.validation import CampaignSpec
from domain.models import Campaign, CampaignAward, LedgerEntry, Member
from domain.models.campaign import CampaignKind, Stacking
from domain.programs import get_or_create_program
from domain.purchases import record_purchase
from tests import factories
from tests.campaign_factories import active
from tests.conftest import ON_POSTGRES, _empty_all_tables

AMS = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = ["coffee", "bakery", "tea", None]

moments = st.integers(0, 364 * 24 * 60).map(lambda minutes: START + timedelta(minutes=minutes))
items = st.builds(Item, st.sampled_from(["A", "B", "C"]), st.sampled_from(CATEGORIES), st.integers(0, 50_00))
purchases = st.builds(
    PurchaseFacts, st.integers(1, 500_00), st.just(2), st.integers(0, 10),
    st.sampled_from(["pos", "app"]), st.sampled_from([None, "fuel"]), st.lists(items, max_size=5).map(tuple),
)
conditions = st.builds(
    Conditions, st.just(()), st.lists(st.sampled_from(["coffee", "tea"]), max_size=2).map(tuple),
    st.lists(st.sampled_from(["A", "B"]), max_size=1).map(tuple),
    st.lists(st.sampled_from(["pos", "app"]), max_size=1).map(tuple), st.just(()),
)
factors = st.integers(101, 1000).map(lambda n: Decimal(n) / 100)


@st.composite
def campaign_rules(draw, id: int) -> CampaignRule:
    kind = draw(st.sampled_from(list(CampaignKind)))
    if kind == CampaignKind.MULTIPLIER:
        effect = Effect(factor=draw(factors))
    elif kind == CampaignKind.SPEND_THRESHOLD:
        effect = Effect(bonus_points=draw(st.integers(1, 1000)), threshold_amount=draw(st.integers(1, 100_00)))
    else:
        effect = Effect(bonus_points=draw(st.integers(1, 1000)),
                        trigger=draw(st.sampled_from([Trigger.FIRST_PURCHASE, Trigger.BIRTHDAY_MONTH])))
    days = tuple(draw(st.lists(st.integers(1, 7), max_size=3, unique=True)))
    cap = draw(st.none() | st.builds(Cap, st.integers(1, 500), st.sampled_from(list(CapPeriod))))
    return CampaignRule(
        id, f"c{id}", kind, Schedule(START, None, days), draw(conditions), effect,
        priority=draw(st.integers(0, 3)), stacking=draw(st.sampled_from(list(Stacking))), cap=cap,
        budget_remaining=draw(st.none() | st.integers(0, 300)),
    )


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 6))
    rules = [draw(campaign_rules(i + 1)) for i in range(count)]
    moment = draw(moments)
    awards = [Award(draw(st.integers(1, count)), draw(st.integers(1, 200)), moment - timedelta(hours=draw(st.integers(0, 800))))
              for _ in range(draw(st.integers(0, 5)))]
    member = MemberFacts(first_purchase=draw(st.booleans()), birthday_month=draw(st.integers(1, 12)))
    return rules, Occasion(moment, purchase=draw(purchases)), member, awards


@given(scenarios())
def test_points_are_never_negative_and_respect_budget_and_caps(scenario):
    rules, occasion, member, awards = scenario
    verdicts = resolve(evaluate(rules, occasion, member, awards, AMS))
    for rule, verdict in zip(rules, verdicts, strict=True):
        assert verdict.points >= 0
        assert verdict.fired or verdict.points == 0
        if rule.budget_remaining is not None:
            assert verdict.points <= rule.budget_remaining
        if rule.cap is not None:
            assert verdict.points <= rule.cap.points


@given(scenarios(), st.randoms())
def test_the_result_does_not_depend_on_the_order_of_campaigns(scenario, random):
    rules, occasion, member, awards = scenario
    shuffled = list(rules)
    random.shuffle(shuffled)
    by_id = {v.campaign_id: v.points for v in resolve(evaluate(rules, occasion, member, awards, AMS))}
    again = {v.campaign_id: v.points for v in resolve(evaluate(shuffled, occasion, member, awards, AMS))}
    assert by_id == again


@given(scenarios())
def test_an_applied_exclusive_campaign_applies_alone(scenario):
    rules, occasion, member, awards = scenario
    verdicts = resolve(evaluate(rules, occasion, member, awards, AMS))
    applied = [v for v in verdicts if v.fired]
    if any(v.stacking == Stacking.EXCLUSIVE for v in applied):
        assert len(applied) == 1


@given(scenarios())
def test_combinable_campaigns_add_up_what_each_earns_alone(scenario):
    rules, occasion, member, awards = scenario
    combinable = [r for r in rules if r.stacking == Stacking.COMBINABLE]
    together = total(resolve(evaluate(combinable, occasion, member, awards, AMS)))
    alone = sum(total(resolve(evaluate([r], occasion, member, awards, AMS))) for r in combinable)
    assert together == alone


# --- on the database: simulation is what recordPurchase then credits -----------------------

SERVICE_EXAMPLES = 5 if ON_POSTGRES else 15
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

service_campaigns = st.lists(
    st.tuples(
        st.sampled_from([CampaignKind.MULTIPLIER, CampaignKind.SPEND_THRESHOLD]),
        factors, st.integers(1, 300), st.lists(st.integers(1, 7), max_size=3, unique=True),
        st.sampled_from(list(Stacking)), st.none() | st.integers(1, 100), st.none() | st.integers(1, 200),
    ),
    min_size=1, max_size=4,
)
service_purchases = st.lists(st.tuples(st.integers(1, 200_00), st.integers(0, 7 * 24 * 60 - 10)), min_size=1, max_size=6)


async def _service_scenario(campaigns, bought) -> None:
    program = await get_or_create_program("props", "Property Rewards")
    program.time_zone = "Europe/Amsterdam"
    await program.save()
    for i, (kind, factor, bonus, days, stacking, cap, budget) in enumerate(campaigns):
        effect = Effect(factor=factor) if kind == CampaignKind.MULTIPLIER else Effect(bonus_points=bonus, threshold_amount=50_00)
        spec = CampaignSpec(name=f"c{i}", kind=kind, effect=effect, starts_at=START, days_of_week=tuple(days),
                            stacking=stacking, priority=i, cap=Cap(cap, CapPeriod.WEEK) if cap else None,
                            budget_points=budget)
        await active(program, spec, NOW)
    member = await factories.member(program)
    for amount, minutes_ago in bought:
        report = factories.report(member.id, amount, occurred_at=NOW - timedelta(minutes=minutes_ago))
        simulated = await simulate_purchase(program, replace(report, idempotency_key="simulation"), NOW)
        recorded = await record_purchase(program, report, NOW)
        assert simulated.points == recorded.points_earned
        assert [line.as_dict() for line in simulated.lines] == recorded.breakdown
    for campaign in await Campaign.all():
        granted = sum(await CampaignAward.filter(campaign_id=campaign.id).values_list("points", flat=True))
        if campaign.budget_points is not None:
            assert granted <= campaign.budget_points
            assert campaign.budget_remaining == campaign.budget_points - granted
    entries = sum(await LedgerEntry.filter(member_id=member.id).values_list("points", flat=True))
    assert (await Member.get(id=member.id)).points_balance == entries


async def _on_an_empty_database(postgres_url: str | None, campaigns, bought) -> None:
    if postgres_url is None:
        async with tortoise_test_context(MODEL_MODULES):
            await _service_scenario(campaigns, bought)
        return
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(postgres_url))
        await _empty_all_tables(ctx)
        await _service_scenario(campaigns, bought)


@settings(max_examples=SERVICE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaigns=service_campaigns, bought=service_purchases)
def test_simulation_equals_what_record_purchase_credits_and_budgets_hold(postgres_database, campaigns, bought):
    asyncio.run(_on_an_empty_database(postgres_database, campaigns, bought))
