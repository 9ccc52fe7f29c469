"""programKpis against figures computed by hand from tests/kpi_factories.py's story."""

from __future__ import annotations

import pytest

from tests.graphql_client import MARKETER
from tests.kpi_factories import PERIOD_FROM, PERIOD_TO, seed_big_sums, seed_history

KPIS = """query($from: DateTime!, $to: DateTime!, $window: Int! = 90) {
  programKpis(from: $from, to: $to, activityWindowDays: $window) {
    activityWindowDays currency customersAtStart customersAtEnd newCustomers retentionRate
    revenue purchases purchasingMembers averagePurchaseValue purchaseFrequency
    averageLifetimeYears customerLifetimeValue
    pointsIssued pointsRedeemed redemptionRate pointsExpired breakageRate pointsOutstanding
    activeMembers
    challenges { participants completers participationRate completionRate }
    donations { donations pointsDonated donatedAmount matchedAmount impact { unit amount } }
    tierDistribution { tier members }
  }
}"""


def period(window: int | None = None) -> dict:
    variables = {"from": PERIOD_FROM.isoformat(), "to": PERIOD_TO.isoformat()}
    return variables if window is None else {**variables, "window": window}


async def kpis(gql, variables: dict) -> dict:
    return (await gql.execute(KPIS, variables, as_=MARKETER)).data["programKpis"]


async def test_figures_match_a_hand_check_of_the_seeded_history(gql, program):
    # given the story of tests/kpi_factories.py
    await seed_history(program)
    # when a marketer asks for 2026
    figures = await kpis(gql, period())
    # then, by hand:
    assert figures == {
        "activityWindowDays": 90,
        "currency": "EUR",
        # customers at 2026-01-01 bought within [2025-10-03, 2026-01-01): A (12-01), B (11-15)
        "customersAtStart": 2,
        # customers at 2027-01-01 bought within [2026-10-03, 2027-01-01): A, D, E
        # (E's returned purchase does not count, B's 2027 one is after the moment)
        "customersAtEnd": 3,
        # of them enrolled in 2026: D, E
        "newCustomers": 2,
        # (3 - 2) / 2 = 50 %
        "retentionRate": "50.00",
        # 2026 purchases that stand: D 30, A 50, E 25, D 70, A 50 (E's 10 was returned)
        "revenue": 225_00,
        "purchases": 5,
        "purchasingMembers": 3,  # A, D, E
        "averagePurchaseValue": 45_00,  # 225.00 / 5
        "purchaseFrequency": "1.67",  # 5 / 3 per member, and the period is 365 days
        # enrolment to last standing purchase before 2027: A 699 days (2025-01-01..2026-12-01),
        # B 318 (..2025-11-15), C 0, D 273 (2026-02-01..11-01), E 0 -> 1290 / 5 = 258 days
        "averageLifetimeYears": "0.71",  # 258 / 365 = 0.7068
        # 4500 x 5/3 x 258/365 = 5301.37 cents
        "customerLifetimeValue": 5301,
        # 2026 EARN credits: D 30, A 50, E 25, E 10, D 70, A 50
        "pointsIssued": 235,
        "pointsRedeemed": 70,  # A's 80 minus the 10 refunded
        "redemptionRate": "29.79",  # 70 / 235
        "pointsExpired": 80,  # C 40 in June; B 20 and A 20 in December
        "breakageRate": "34.04",  # 80 / 235
        # every entry before 2027: earned 395 (160 in 2025 + 235), -80 +10 redeemed/refunded,
        # -10 returned, -80 expired, -30 donated = 205 (A 110, D 70, E 25)
        "pointsOutstanding": 205,
        "activeMembers": 3,  # A, D, E; B's and C's expiries are not their doing
        # the challenge: E reached 50 % (25.00 of 50.00), D completed it
        "challenges": {"participants": 2, "completers": 1, "participationRate": "66.67",
                       "completionRate": "50.00"},
        # D's 30 points at 10 a euro: 3.00, the brand's 50 %: 1.50; 4.50 -> 4 trees (rounded down)
        "donations": {"donations": 1, "pointsDonated": 30, "donatedAmount": 3_00, "matchedAmount": 1_50,
                      "impact": [{"unit": "trees_planted", "amount": 4}]},
        # current tiers: A Silver since 2026-03-01, the 5 others Bronze
        "tierDistribution": [{"tier": "Bronze", "members": 5}, {"tier": "Silver", "members": 1}],
    }


async def test_fifty_million_euros_of_revenue_are_reported_in_full(gql, program):
    # given one member who bought 5 x 10,000,000.00 EUR in 2026 at 200 points a euro and
    # donated 3,000,000,000 points (tests/kpi_factories.py seed_big_sums)
    await seed_big_sums(program)
    # when a marketer asks for 2026
    result = await gql.execute(KPIS, period(), as_=MARKETER)
    # then no error, and every sum is exact, far above Int's 2,147,483,647
    assert not result.errors
    figures = result.data["programKpis"]
    assert figures["revenue"] == 5_000_000_000  # 50,000,000.00 EUR in cents
    assert (figures["purchases"], figures["purchasingMembers"]) == (5, 1)
    assert figures["averagePurchaseValue"] == 1_000_000_000
    assert figures["purchaseFrequency"] == "5.00"  # 5 purchases by 1 member in 365 days
    # enrolled 2025-01-01, last purchase 2026-06-01: 516 days = 1.4137 years
    assert figures["averageLifetimeYears"] == "1.41"
    # 1,000,000,000 x 5 x 516 / 365 = 7,068,493,150.68 cents
    assert figures["customerLifetimeValue"] == 7_068_493_151
    assert figures["pointsIssued"] == 10_000_000_000
    assert figures["pointsOutstanding"] == 7_000_000_000  # 10 billion earned, 3 billion donated
    assert figures["donations"] == {
        "donations": 1, "pointsDonated": 3_000_000_000,
        "donatedAmount": 3_000_000_000, "matchedAmount": 1_500_000_000,  # 30 and 15 million EUR
        "impact": [{"unit": "trees_planted", "amount": 45_000_000}],  # a tree per euro of 45 million
    }


SHORT = """query($from: DateTime!, $to: DateTime!) { programKpis(from: $from, to: $to) {
  purchases averagePurchaseValue purchaseFrequency customerLifetimeValue notes { code fields message } } }"""


async def test_a_period_too_short_to_annualise_gives_no_frequency_or_lifetime_value(gql, program):
    # given the story, where A buys 50.00 at noon on 2026-12-01
    await seed_history(program)
    # when a marketer asks for the 3 seconds around that purchase
    window = {"from": "2026-12-01T11:59:59Z", "to": "2026-12-01T12:00:02Z"}
    figures = (await gql.execute(SHORT, window, as_=MARKETER)).data["programKpis"]
    # then the purchase counts, but nothing is scaled to a year (it made 10 million a year
    # and a lifetime value in the millions before), and a note says why
    assert (figures["purchases"], figures["averagePurchaseValue"]) == (1, 50_00)
    assert figures["purchaseFrequency"] is None
    assert figures["customerLifetimeValue"] is None
    [note] = figures["notes"]
    assert note["code"] == "PERIOD_TOO_SHORT_TO_ANNUALISE"
    assert note["fields"] == ["purchaseFrequency", "customerLifetimeValue"]
    assert note["message"].startswith("The period (0:00:03) is under 30 days: too short to scale to a year")


async def test_a_period_of_thirty_days_is_annualised(gql, program):
    # given the story: in November 2026 (30 days) D buys 70.00; E's 10.00 was returned
    await seed_history(program)
    # when a marketer asks for [2026-11-01, 2026-12-01)
    window = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
    figures = (await gql.execute(SHORT, window, as_=MARKETER)).data["programKpis"]
    # then 1 purchase by 1 member in 30 days: 365 / 30 = 12.17 a year; lifetimes before
    # 2026-12-01: A 424 days, B 318, C 0, D 273, E 0 -> 203 days on average;
    # 7000 x 365/30 x 203/365 = 47,366.67 cents; no note
    assert figures["purchaseFrequency"] == "12.17"
    assert figures["customerLifetimeValue"] == 47_367
    assert figures["notes"] == []


async def test_a_shorter_activity_window_changes_who_counts_as_a_customer(gql, program):
    # given the same story
    await seed_history(program)
    # when customers must have bought within 31 days of the moment
    figures = await kpis(gql, period(window=31))
    # then only A counts at start (2025-12-01), only A at end (2026-12-01): (1 - 0) / 1 = 100 %
    assert (figures["customersAtStart"], figures["customersAtEnd"], figures["newCustomers"]) == (1, 1, 0)
    assert figures["retentionRate"] == "100.00"


async def test_an_empty_program_has_zero_counts_and_null_rates(gql, program):
    # given a program with no members at all
    # when a marketer asks for its KPIs
    figures = await kpis(gql, period())
    # then counts are 0 and every ratio is null: nothing to divide by
    assert figures["customersAtStart"] == figures["revenue"] == figures["pointsOutstanding"] == 0
    assert figures["activeMembers"] == figures["pointsIssued"] == 0
    for rate in ("retentionRate", "averagePurchaseValue", "purchaseFrequency", "averageLifetimeYears",
                 "customerLifetimeValue", "redemptionRate", "breakageRate"):
        assert figures[rate] is None, rate
    assert figures["challenges"] == {"participants": 0, "completers": 0, "participationRate": None,
                                     "completionRate": None}
    assert figures["tierDistribution"] == []
    assert figures["donations"] == {"donations": 0, "pointsDonated": 0, "donatedAmount": 0, "matchedAmount": 0,
                                    "impact": []}


@pytest.mark.parametrize(("start", "end"), [
    ("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"),  # backwards
    ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),  # empty
    ("2000-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),  # longer than ten years
])
async def test_a_bad_range_is_a_clear_error_naming_to(gql, program, start, end):
    # when a marketer asks with `to` not after `from`, or too far after it
    result = await gql.execute(KPIS, {"from": start, "to": end}, as_=MARKETER)
    # then one BAD_USER_INPUT error names `to`
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "to"
    assert result.errors[0]["message"].startswith("to: must be")


async def test_an_activity_window_out_of_range_is_refused(gql, program):
    result = await gql.execute(KPIS, {**period(window=0)}, as_=MARKETER)
    assert result.errors[0]["extensions"]["field"] == "activityWindowDays"
