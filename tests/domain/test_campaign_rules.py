"""Campaign rules, schedules and stacking, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

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
    judge,
)
from domain.campaigns.schedule import CapPeriod, Schedule, period_start
from domain.campaigns.stacking import resolve, total
from domain.models.campaign import CampaignKind, Stacking

AMS = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 1, 1, tzinfo=UTC)
SATURDAY = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 6, 8, 10, 0, tzinfo=UTC)
WEEKEND = (6, 7)


def multiplier(id: int = 1, factor: str = "2", **kwargs) -> CampaignRule:
    schedule = kwargs.pop("schedule", Schedule(START))
    return CampaignRule(id, kwargs.pop("name", f"x{factor}"), CampaignKind.MULTIPLIER, schedule,
                        effect=Effect(factor=Decimal(factor)), **kwargs)


def purchase(amount: int = 40_00, items: tuple[Item, ...] = (), channel: str = "pos", partner: str | None = None,
             rate: int = 1) -> PurchaseFacts:
    return PurchaseFacts(amount, 2, rate, channel, partner, items)


def at(moment: datetime, facts: PurchaseFacts | None = None) -> Occasion:
    return Occasion(moment, purchase=facts or purchase())


# --- multipliers -------------------------------------------------------------------------

def test_a_double_points_campaign_adds_the_base_points_once_more():
    # given x2 on the whole purchase and a purchase of 40.99 (40 base points)
    verdict = judge(multiplier(), at(SATURDAY, purchase(40_99)), MemberFacts(), [], AMS)
    # then it fires and adds 40
    assert (verdict.fired, verdict.points) == (True, 40)
    assert verdict.reason == "x2 on the purchase (40.99)"


def test_an_item_condition_multiplies_only_the_matching_items():
    # given x3 on coffee, a purchase with 12.00 of coffee and 8.00 of bakery
    rule = multiplier(factor="3", conditions=Conditions(categories=("coffee",)))
    facts = purchase(20_00, (Item("LATTE", "coffee", 12_00), Item("BUN", "bakery", 8_00)))
    verdict = judge(rule, at(SATURDAY, facts), MemberFacts(), [], AMS)
    # then only the 12 coffee points are tripled: 24 extra
    assert verdict.points == 24


def test_an_item_campaign_without_matching_items_does_not_fire_and_says_why():
    rule = multiplier(conditions=Conditions(skus=("LATTE",)))
    verdict = judge(rule, at(SATURDAY, purchase(items=(Item("BUN", "bakery", 8_00),))), MemberFacts(), [], AMS)
    assert not verdict.fired
    assert verdict.reason == "no item matches the campaign's categories or SKUs"


def test_a_partner_rate_is_the_base_of_the_multiplier():
    # given a partner earning 3 points per euro and x2 for that partner's purchases
    rule = multiplier(conditions=Conditions(partner_codes=("fuel",)))
    verdict = judge(rule, at(SATURDAY, purchase(10_00, partner="fuel", rate=3)), MemberFacts(), [], AMS)
    # then the extra is 30
    assert verdict.points == 30
    # and a purchase elsewhere does not fire
    elsewhere = judge(rule, at(SATURDAY, purchase(10_00)), MemberFacts(), [], AMS)
    assert elsewhere.reason == "not a partner purchase: campaign is for partners fuel"


def test_audience_conditions_name_what_excluded_the_member():
    rule = multiplier(segment_id=7, conditions=Conditions(tier_ids=(2,)))
    assert judge(rule, at(SATURDAY), MemberFacts(tier_id=2), [], AMS).reason == "member not in segment 7"
    outside_tier = judge(rule, at(SATURDAY), MemberFacts(tier_id=1, segment_ids=frozenset({7})), [], AMS)
    assert outside_tier.reason == "member's tier is not one of the campaign's tiers"
    assert judge(rule, at(SATURDAY), MemberFacts(tier_id=2, segment_ids=frozenset({7})), [], AMS).fired


def test_channel_condition():
    rule = multiplier(conditions=Conditions(channels=("app",)))
    assert judge(rule, at(SATURDAY, purchase(channel="app")), MemberFacts(), [], AMS).fired
    assert judge(rule, at(SATURDAY, purchase(channel="pos")), MemberFacts(), [], AMS).reason == "channel pos not in app"


# --- thresholds and fixed bonuses -----------------------------------------------------------

def test_spend_50_get_200():
    rule = CampaignRule(1, "Spend 50", CampaignKind.SPEND_THRESHOLD, Schedule(START),
                        effect=Effect(bonus_points=200, threshold_amount=50_00))
    below = judge(rule, at(SATURDAY, purchase(49_99)), MemberFacts(), [], AMS)
    assert (below.fired, below.reason) == (False, "spent 49.99 of the 50.00 needed")
    assert judge(rule, at(SATURDAY, purchase(50_00)), MemberFacts(), [], AMS).points == 200


def test_first_purchase_bonus_fires_only_on_the_first_purchase_and_only_once():
    rule = CampaignRule(1, "First", CampaignKind.FIXED_BONUS, Schedule(START),
                        effect=Effect(bonus_points=100, trigger=Trigger.FIRST_PURCHASE))
    first = judge(rule, at(SATURDAY), MemberFacts(first_purchase=True), [], AMS)
    assert (first.points, first.once_key) == (100, "first_purchase")
    assert judge(rule, at(SATURDAY), MemberFacts(first_purchase=False), [], AMS).reason == "not the member's first purchase"
    granted = [Award(1, 100, SATURDAY, "first_purchase")]
    assert judge(rule, at(MONDAY), MemberFacts(first_purchase=True), granted, AMS).reason == "already granted to this member"


def test_birthday_month_bonus_once_a_local_year():
    rule = CampaignRule(1, "Birthday", CampaignKind.FIXED_BONUS, Schedule(START),
                        effect=Effect(bonus_points=250, trigger=Trigger.BIRTHDAY_MONTH))
    june = MemberFacts(birthday_month=6)
    assert judge(rule, at(SATURDAY), june, [], AMS).once_key == "birthday:2026"
    assert judge(rule, at(SATURDAY), MemberFacts(birthday_month=7), [], AMS).reason == "not the member's birthday month"
    this_year = [Award(1, 250, SATURDAY, "birthday:2026")]
    assert judge(rule, at(MONDAY), june, this_year, AMS).reason == "already granted to this member this year"
    next_year = datetime(2027, 6, 3, tzinfo=UTC)
    assert judge(rule, at(next_year), june, this_year, AMS).fired


def test_an_event_bonus_does_not_fire_on_a_purchase():
    rule = CampaignRule(1, "Welcome", CampaignKind.FIXED_BONUS, Schedule(START),
                        effect=Effect(bonus_points=50, trigger=Trigger.SIGNUP))
    assert judge(rule, at(SATURDAY), MemberFacts(), [], AMS).reason == "fires on signup, not on purchases"
    signup = judge(rule, Occasion(SATURDAY, trigger=Trigger.SIGNUP, once_key="signup"), MemberFacts(), [], AMS)
    assert (signup.fired, signup.points) == (True, 50)


# --- schedules ----------------------------------------------------------------------------

def test_weekend_campaign_fires_saturday_not_monday_and_says_when_it_runs():
    rule = multiplier(schedule=Schedule(START, days_of_week=WEEKEND))
    assert judge(rule, at(SATURDAY), MemberFacts(), [], AMS).fired
    monday = judge(rule, at(MONDAY), MemberFacts(), [], AMS)
    assert (monday.fired, monday.reason) == (False, "outside schedule: campaign runs Sat–Sun")


def test_saturday_starts_at_local_midnight_across_dst_changes():
    weekend = Schedule(START, days_of_week=WEEKEND)
    # autumn: Saturday 24 October 2026 00:00 in Amsterdam is 22:00 UTC on Friday (CEST)
    assert weekend.miss(datetime(2026, 10, 23, 21, 59, tzinfo=UTC), AMS) is not None
    assert weekend.miss(datetime(2026, 10, 23, 22, 0, tzinfo=UTC), AMS) is None
    # clocks went back on Sunday: Monday 00:00 is 23:00 UTC on Sunday (CET)
    assert weekend.miss(datetime(2026, 10, 25, 22, 59, tzinfo=UTC), AMS) is None
    assert weekend.miss(datetime(2026, 10, 25, 23, 0, tzinfo=UTC), AMS) is not None
    # spring: Saturday 28 March 00:00 is 23:00 UTC (CET); Monday 30 March 00:00 is 22:00 UTC (CEST)
    assert weekend.miss(datetime(2026, 3, 27, 23, 0, tzinfo=UTC), AMS) is None
    assert weekend.miss(datetime(2026, 3, 29, 22, 0, tzinfo=UTC), AMS) is not None


def test_time_window_and_dates():
    mornings = Schedule(START, datetime(2026, 12, 31, tzinfo=UTC), time_from=time(7), time_to=time(10))
    assert mornings.miss(datetime(2026, 6, 6, 5, 0, tzinfo=UTC), AMS) is None  # 07:00 local
    assert mornings.miss(datetime(2026, 6, 6, 8, 0, tzinfo=UTC), AMS) == "outside time window 07:00–10:00"
    assert mornings.miss(datetime(2025, 6, 6, 5, 0, tzinfo=UTC), AMS) == "outside schedule: starts 2026-01-01 01:00"
    assert mornings.miss(datetime(2027, 1, 1, 5, 0, tzinfo=UTC), AMS).startswith("outside schedule: ended")
    late = Schedule(START, time_from=time(22), time_to=time(2))  # wraps midnight
    assert late.miss(datetime(2026, 6, 6, 23, 0, tzinfo=UTC), AMS) is None  # 01:00 local
    assert late.miss(datetime(2026, 6, 6, 10, 0, tzinfo=UTC), AMS) is not None


def test_cap_periods_start_at_local_midnight():
    sunday_night = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)  # 23:30 Sunday local
    assert period_start(sunday_night, CapPeriod.WEEK, AMS) == datetime(2026, 10, 19, 0, 0, tzinfo=AMS)
    assert period_start(sunday_night, CapPeriod.DAY, AMS) == datetime(2026, 10, 25, 0, 0, tzinfo=AMS)
    assert period_start(sunday_night, CapPeriod.MONTH, AMS) == datetime(2026, 10, 1, 0, 0, tzinfo=AMS)
    assert period_start(sunday_night, CapPeriod.CAMPAIGN, AMS) is None


# --- caps, budget, stacking ---------------------------------------------------------------

def test_per_member_cap_per_week_clips_then_blocks():
    rule = multiplier(cap=Cap(50, CapPeriod.WEEK))
    earlier = [Award(1, 30, datetime(2026, 6, 2, tzinfo=UTC))]  # Tuesday of the same week
    [clipped] = resolve(evaluate([rule], at(SATURDAY), MemberFacts(), earlier, AMS))
    assert clipped.points == 20  # 40 wanted, 20 left this week
    used_up = [Award(1, 50, datetime(2026, 6, 2, tzinfo=UTC))]
    [blocked] = evaluate([rule], at(SATURDAY), MemberFacts(), used_up, AMS)
    assert (blocked.fired, blocked.reason) == (False, "per-member cap reached")
    # the next week starts afresh
    [next_week] = evaluate([rule], at(datetime(2026, 6, 13, 10, tzinfo=UTC)), MemberFacts(), used_up, AMS)
    assert next_week.points == 40


def test_budget_clips_and_exhausts():
    [clipped] = resolve(evaluate([multiplier(budget_remaining=15)], at(SATURDAY), MemberFacts(), [], AMS))
    assert clipped.points == 15
    [empty] = evaluate([multiplier(budget_remaining=0)], at(SATURDAY), MemberFacts(), [], AMS)
    assert (empty.fired, empty.reason) == (False, "budget exhausted")


def test_combinable_campaigns_add_their_extras():
    rules = [multiplier(1, "2"), multiplier(2, "1.5")]
    verdicts = resolve(evaluate(rules, at(SATURDAY), MemberFacts(), [], AMS))
    assert [v.points for v in verdicts] == [40, 20]
    assert total(verdicts) == 60


def test_the_highest_priority_exclusive_campaign_applies_alone():
    rules = [multiplier(1, "2"), multiplier(2, "3", name="Big", stacking=Stacking.EXCLUSIVE, priority=5),
             multiplier(3, "4", stacking=Stacking.EXCLUSIVE, priority=1)]
    verdicts = resolve(evaluate(rules, at(SATURDAY), MemberFacts(), [], AMS))
    assert [(v.campaign_id, v.fired, v.points) for v in verdicts] == [(1, False, 0), (2, True, 80), (3, False, 0)]
    assert verdicts[0].reason == "excluded: exclusive campaign 'Big' applies alone"


def test_an_exclusive_campaign_that_does_not_fire_excludes_nothing():
    rules = [multiplier(1, "2"), multiplier(2, "3", stacking=Stacking.EXCLUSIVE,
                                            schedule=Schedule(START, days_of_week=(1,)))]
    verdicts = resolve(evaluate(rules, at(SATURDAY), MemberFacts(), [], AMS))
    assert [v.points for v in verdicts] == [40, 0]
