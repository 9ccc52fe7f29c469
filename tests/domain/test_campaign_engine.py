"""Campaigns on the hot path and on events: what members are credited, once, within limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tortoise.transactions import in_transaction

from challenges import wiring as challenges_wiring
from domain.campaigns import catalog
from domain.campaigns.rules import Cap, Conditions, Trigger
from domain.campaigns.schedule import CapPeriod
from domain.campaigns.simulation import simulate_purchase
from domain.events import ReferralCompleted, SurveyAnswered, event_bus
from domain.models import Campaign, CampaignAward, CampaignStatus, LedgerEntry, Member, Purchase
from domain.purchases import PurchaseItem, record_purchase, reverse_purchase
from domain.segments.catalog import SegmentSpec, create_segment
from tests import factories
from tests.campaign_factories import MARKETER, active, double_points, fixed_bonus
from tests.factories import NOW
from tests.sql_statements import counting_statements


async def balance(member_id) -> int:
    return (await Member.get(id=member_id)).points_balance


async def test_an_active_campaign_adds_points_and_the_breakdown_and_ledger_name_it(program):
    # given an active double-points campaign and a member
    campaign = await active(program, double_points(name="Double Monday"))
    member = await factories.member(program)
    # when they spend 25.00
    outcome = await factories.purchase(program, member.id, 25_00)
    # then they earn 25 + 25, and the campaign line names the campaign
    assert outcome.points_earned == 50
    assert outcome.breakdown[-1] == {"rule": "campaign", "description": "x2 on the purchase (25.00)", "points": 25,
                                     "campaign_id": campaign.id, "campaign_name": "Double Monday"}
    assert outcome.balance == 50 == await balance(member.id)
    reasons = await LedgerEntry.filter(member_id=member.id).order_by("id").values_list("reason", "points")
    assert reasons[-1] == (f"purchase {outcome.purchase_id}: campaign Double Monday", 25)


async def test_drafts_paused_and_ended_campaigns_do_not_fire(program):
    await catalog.create_campaign(program, double_points(name="Draft"), MARKETER, NOW)
    paused = await active(program, double_points(name="Paused"))
    await catalog.set_status(program, paused.id, CampaignStatus.PAUSED, MARKETER, NOW)
    member = await factories.member(program)
    assert (await factories.purchase(program, member.id, 10_00)).points_earned == 10


async def test_a_per_member_cap_holds_across_purchases(program):
    await active(program, double_points(cap=Cap(15, CapPeriod.DAY)))
    member = await factories.member(program)
    earned = [(await factories.purchase(program, member.id, 10_00)).points_earned for _ in range(3)]
    # 10 extra, then 5 (the cap's rest), then none
    assert earned == [20, 15, 10]
    assert sum(await CampaignAward.all().values_list("points", flat=True)) == 15


async def test_the_budget_is_never_exceeded_and_runs_down(program):
    campaign = await active(program, double_points(budget_points=25))
    members = [await factories.member(program) for _ in range(3)]
    earned = [(await factories.purchase(program, m.id, 10_00)).points_earned for m in members]
    assert earned == [20, 20, 15]
    assert (await Campaign.get(id=campaign.id)).budget_remaining == 0


async def test_a_return_takes_back_the_campaign_points_too(program):
    await active(program, double_points())
    member = await factories.member(program)
    bought = await factories.purchase(program, member.id, 10_00)
    back = await reverse_purchase(program, bought.purchase_id, "returned", "return-1", MARKETER, NOW)
    assert back.points_reversed == 20
    assert await balance(member.id) == 0


async def test_a_segment_campaign_fires_only_for_members_in_the_segment(program):
    rule = {"match": "ALL", "conditions": [{"field": "TAG", "op": "HAS", "value": "weekend"}]}
    segment = await create_segment(program, SegmentSpec("Weekenders", rule), MARKETER, NOW)
    await active(program, double_points(segment_id=segment.id))
    inside, outside = await factories.member(program), await factories.member(program)
    await Member.filter(id=inside.id).update(tags=["weekend"])
    assert (await factories.purchase(program, inside.id, 10_00)).points_earned == 20
    assert (await factories.purchase(program, outside.id, 10_00)).points_earned == 10


async def test_item_campaigns_count_only_matching_items(program):
    await active(program, double_points(name="Coffee", conditions=Conditions(categories=("coffee",))))
    member = await factories.member(program)
    items = [PurchaseItem("LATTE", 2, 4_50, "coffee"), PurchaseItem("BUN", 1, 3_50, "bakery")]
    outcome = await record_purchase(program, factories.report(member.id, 12_50, items=items), NOW)
    assert outcome.points_earned == 12 + 9


async def test_signup_bonus_once_on_enrolment(program):
    await active(program, fixed_bonus(Trigger.SIGNUP, 100, name="Welcome bonus"))
    member = await factories.member(program)
    assert await balance(member.id) == 100
    [entry] = await LedgerEntry.filter(member_id=member.id)
    assert entry.reason == "signup bonus: campaign Welcome bonus"


async def test_first_purchase_bonus_only_on_the_first(program):
    await active(program, fixed_bonus(Trigger.FIRST_PURCHASE, 200))
    member = await factories.member(program)
    first = await factories.purchase(program, member.id, 10_00)
    second = await factories.purchase(program, member.id, 10_00)
    assert (first.points_earned, second.points_earned) == (210, 10)


async def test_birthday_month_bonus_on_the_first_purchase_of_the_month_once_a_year(program):
    await active(program, fixed_bonus(Trigger.BIRTHDAY_MONTH, 300))
    member = await factories.member(program)
    await Member.filter(id=member.id).update(birthday=NOW.date().replace(year=1990))
    earned = [(await factories.purchase(program, member.id, 10_00, now=NOW + timedelta(days=d))).points_earned
              for d in (0, 1)]
    assert earned == [310, 10]


async def test_a_review_activity_grants_the_review_bonus_once_per_review(program):
    challenges_wiring.register(event_bus)  # as the app does at start-up; idempotent
    await active(program, fixed_bonus(Trigger.REVIEW_COMPLETED, 40))
    member = await factories.member(program)
    await factories.activity(program, member.id, "REVIEW")
    await factories.activity(program, member.id, "REVIEW")
    await factories.activity(program, member.id, "VISIT")
    assert await balance(member.id) == 80


async def test_referral_and_survey_events_grant_their_bonuses(program):
    await active(program, fixed_bonus(Trigger.REFERRAL, 500))
    await active(program, fixed_bonus(Trigger.SURVEY_COMPLETED, 30, cap=Cap(30, CapPeriod.CAMPAIGN)))
    referrer, referee = await factories.member(program), await factories.member(program)
    async with in_transaction():
        await event_bus.publish(ReferralCompleted(program.id, str(referrer.id), str(referee.id), NOW))
        await event_bus.publish(ReferralCompleted(program.id, str(referrer.id), str(referee.id), NOW))  # replay
        await event_bus.publish(SurveyAnswered(program.id, str(referrer.id), 1, NOW))
        await event_bus.publish(SurveyAnswered(program.id, str(referrer.id), 2, NOW))  # over the cap
    assert await balance(referrer.id) == 530
    assert await balance(referee.id) == 0


async def test_simulation_shows_what_the_purchase_then_earns_and_writes_nothing(program):
    await active(program, double_points(name="Weekend", days_of_week=(6, 7)))
    await active(program, fixed_bonus(Trigger.FIRST_PURCHASE, 100))
    member = await factories.member(program)
    report = factories.report(member.id, 30_00, occurred_at=NOW - timedelta(days=2))  # Saturday 30 May
    simulated = await simulate_purchase(program, replace(report, idempotency_key="simulation"), NOW)
    assert await Purchase.all().count() == 0 and await CampaignAward.all().count() == 0
    recorded = await record_purchase(program, report, NOW)
    assert simulated.points == recorded.points_earned == 30 + 30 + 100
    assert [line.as_dict() for line in simulated.lines] == recorded.breakdown
    assert [v.fired for v in simulated.verdicts] == [True, True]


async def test_record_purchase_sends_a_fixed_number_of_statements_whatever_the_campaigns(program):
    member = await factories.member(program)
    await factories.purchase(program, member.id, 1_00)

    async def statements() -> int:
        with counting_statements() as seen:
            await factories.purchase(program, member.id, 10_00)
        return len(seen)

    await active(program, double_points(name="one", days_of_week=(3,)))  # does not fire on Monday
    one = await statements()
    for day in (2, 4, 5):
        await active(program, double_points(name=f"day {day}", days_of_week=(day,)))
    assert await statements() == one
