"""Charities over GraphQL: members donate and see their impact, marketers keep the catalog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.seed_charity import seed_charity
from challenges.badge_rules import BadgeRule, RuleKind
from domain.models import Charity, Donation, LedgerEntry, LedgerKind, Member
from tests import charity_factories, factories
from tests.graphql_client import ADMIN, MARKETER, member
from tests.sql_statements import counting_statements

DONATE = """
mutation Donate($input: DonatePointsInput!) {
  donatePoints(input: $input) {
    __typename
    ... on DonationMade { charityId points amount { amount currency } matchedAmount { amount }
                          totalAmount { amount } impact { unit amount } balance }
    ... on InsufficientPoints { requested available }
    ... on NotFound { entity key }
    ... on NotEligible { field }
    ... on InvalidInput { fields { path message } }
    ... on IdempotencyConflict { idempotencyKey }
  }
}"""

IMPACT = """{ me { impact { co2AvoidedGrams treesPlanted mealsProvided donations donatedPoints
  donatedAmount { amount currency } matchedAmount { amount } byUnit { unit amount } } } }"""

HISTORY = """query($after: String) { me { donations(first: 2, after: $after) {
  edges { node { charity { name } source status points amount { amount } impact { unit amount } note } }
  pageInfo { hasNextPage endCursor } } } }"""

PREFERENCE = """
mutation Set($input: UpdateDonationPreferenceInput!) {
  updateDonationPreference(input: $input) {
    __typename
    ... on DonationPreferenceSaved { preference { mode sharePercent roundUpTo charity { name } } }
    ... on InvalidInput { fields { path } }
    ... on NotFound { entity }
    ... on NotEligible { field }
  }
}"""

CREATE = """
mutation Create($input: CreateCharityInput!) {
  createCharity(input: $input) {
    __typename
    ... on CharitySaved { charity { id name active matchingPercent impactUnit } }
    ... on InvalidInput { fields { path } }
  }
}"""

UPDATE = """
mutation Update($input: UpdateCharityInput!) {
  updateCharity(input: $input) {
    __typename
    ... on CharitySaved { charity { name active } }
    ... on NotFound { entity key }
    ... on InvalidInput { fields { path } }
  }
}"""


def donate(charity_id: object, points: int, key: str) -> dict:
    return {"input": {"charityId": str(charity_id), "points": points, "idempotencyKey": key}}


async def test_a_member_donates_and_sees_the_trees_beside_the_co2_of_their_activities(gql, program):
    # given a member with 1,000 points who took a reusable cup (30 g CO2 avoided)
    someone = await factories.member(program)
    await factories.purchase(program, someone.id, amount=1_000_00)
    await factories.activity(program, someone.id, "REUSABLE_CUP")
    trees = await charity_factories.charity(program, name="One Tree Planted")
    # when they give 400 points to a charity planting 1 tree per 1.00 EUR with a 50 % match
    result = await gql.execute(DONATE, donate(trees.id, 400, "give-1"), as_=member(someone.id))
    # then 4.00 EUR plus 2.00 matched plants 6 trees, and 600 points remain
    assert result.data["donatePoints"] == {
        "__typename": "DonationMade", "charityId": str(trees.id), "points": 400,
        "amount": {"amount": 4_00, "currency": "EUR"}, "matchedAmount": {"amount": 2_00},
        "totalAmount": {"amount": 6_00}, "impact": {"unit": "trees_planted", "amount": 6}, "balance": 600}
    # and their impact combines the activity's CO2 with the donation's trees
    impact = (await gql.execute(IMPACT, as_=member(someone.id))).data["me"]["impact"]
    assert impact == {
        "co2AvoidedGrams": 30, "treesPlanted": 6, "mealsProvided": 0, "donations": 1, "donatedPoints": 400,
        "donatedAmount": {"amount": 4_00, "currency": "EUR"}, "matchedAmount": {"amount": 2_00},
        "byUnit": [{"unit": "co2_grams", "amount": 30}, {"unit": "trees_planted", "amount": 6}]}


async def test_donating_more_than_held_is_a_typed_outcome_and_writes_nothing(gql, program):
    someone = await factories.member(program)
    await factories.purchase(program, someone.id, amount=50_00)
    charity = await charity_factories.charity(program)
    result = await gql.execute(DONATE, donate(charity.id, 80, "give-too-much"), as_=member(someone.id))
    assert result.data["donatePoints"] == {"__typename": "InsufficientPoints", "requested": 80, "available": 50}
    assert await Donation.all().count() == 0
    assert await LedgerEntry.filter(kind=LedgerKind.DONATE).count() == 0
    assert (await Member.get(id=someone.id)).points_balance == 50


async def test_bad_input_and_unknown_or_closed_charities_are_typed_outcomes(gql, program):
    someone = await factories.member(program)
    await factories.purchase(program, someone.id, amount=50_00)
    closed = await charity_factories.charity(program, active=False)
    caller = member(someone.id)
    bad = (await gql.execute(DONATE, donate("abc", 0, "k1"), as_=caller)).data["donatePoints"]
    assert bad["__typename"] == "InvalidInput" and [f["path"] for f in bad["fields"]] == ["charityId"]
    zero = (await gql.execute(DONATE, donate(closed.id, 0, "k2"), as_=caller)).data["donatePoints"]
    assert [f["path"] for f in zero["fields"]] == ["points"]
    unknown = (await gql.execute(DONATE, donate(424242, 5, "k3"), as_=caller)).data["donatePoints"]
    assert unknown == {"__typename": "NotFound", "entity": "charity", "key": "424242"}
    inactive = (await gql.execute(DONATE, donate(closed.id, 5, "k4"), as_=caller)).data["donatePoints"]
    assert inactive == {"__typename": "NotEligible", "field": "charityId"}
    assert (await Member.get(id=someone.id)).points_balance == 50


async def test_a_replay_returns_the_same_donation(gql, program):
    someone = await factories.member(program)
    await factories.purchase(program, someone.id, amount=100_00)
    charity = await charity_factories.charity(program)
    first = await gql.execute(DONATE, donate(charity.id, 30, "give-once"), as_=member(someone.id))
    again = await gql.execute(DONATE, donate(charity.id, 30, "give-once"), as_=member(someone.id))
    assert again.data == first.data
    assert (await Member.get(id=someone.id)).points_balance == 70
    conflict = await gql.execute(DONATE, donate(charity.id, 31, "give-once"), as_=member(someone.id))
    assert conflict.data["donatePoints"]["__typename"] == "IdempotencyConflict"


async def test_history_pages_newest_first_and_shows_skipped_auto_donations(gql, program):
    # given a member with a pending window, a share setting, and two donations of their own
    someone = await factories.member(program)
    await factories.purchase(program, someone.id, amount=100_00, now=datetime.now(UTC) - timedelta(days=60))
    program.pending_days = 14
    await program.save()
    meals = await charity_factories.charity(program, name="Food bank", impact_unit="meals_provided",
                                            impact_step_amount=250, matching_percent=0)
    caller = member(someone.id)
    await gql.execute(DONATE, donate(meals.id, 10, "a"), as_=caller)
    await gql.execute(DONATE, donate(meals.id, 90, "b"), as_=caller)
    setting = {"input": {"mode": "SHARE", "charityId": str(meals.id), "sharePercent": 10}}
    assert (await gql.execute(PREFERENCE, setting, as_=caller)).data["updateDonationPreference"]["preference"] == {
        "mode": "SHARE", "sharePercent": 10, "roundUpTo": 0, "charity": {"name": "Food bank"}}
    # when a purchase earns 50 points that are still pending (and nothing else is spendable)
    await factories.purchase(program, someone.id, amount=50_00, now=datetime.now(UTC))
    # then the history shows the skipped share first, then the 90 and the 10 on the next page
    page = (await gql.execute(HISTORY, as_=caller)).data["me"]["donations"]
    nodes = [edge["node"] for edge in page["edges"]]
    assert [(n["source"], n["status"], n["points"]) for n in nodes] == [("AUTO_SHARE", "SKIPPED", 5),
                                                                       ("MEMBER", "DONATED", 90)]
    assert "pending" in nodes[0]["note"]
    assert nodes[1]["impact"] == {"unit": "meals_provided", "amount": 0}
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await gql.execute(HISTORY, {"after": page["pageInfo"]["endCursor"]}, as_=caller)).data["me"]["donations"]
    assert [e["node"]["points"] for e in rest["edges"]] == [10]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_preference_without_a_charity_names_the_field(gql, program):
    someone = await factories.member(program)
    result = await gql.execute(PREFERENCE, {"input": {"mode": "ROUND_UP", "roundUpTo": 10}}, as_=member(someone.id))
    assert result.data["updateDonationPreference"] == {"__typename": "InvalidInput", "fields": [{"path": "charityId"}]}
    read = await gql.execute("{ me { donationPreference { mode charity { id } } } }", as_=member(someone.id))
    assert read.data["me"]["donationPreference"] == {"mode": "NONE", "charity": None}


async def test_marketers_keep_the_catalog_and_members_see_active_charities_only(gql, program):
    fields = {"name": "Food bank", "cause": "hunger", "pointsPerCurrencyUnit": 100,
              "impactUnit": "meals_provided", "impactStepAmount": 250}
    created = (await gql.execute(CREATE, {"input": fields}, as_=MARKETER)).data["createCharity"]
    assert created["charity"]["name"] == "Food bank" and created["charity"]["matchingPercent"] == 0
    charity_id = created["charity"]["id"]
    duplicate = (await gql.execute(CREATE, {"input": fields}, as_=MARKETER)).data["createCharity"]
    assert duplicate == {"__typename": "InvalidInput", "fields": [{"path": "name"}]}
    closed = await gql.execute(UPDATE, {"input": {"id": charity_id, "active": False}}, as_=ADMIN)
    assert closed.data["updateCharity"]["charity"] == {"name": "Food bank", "active": False}
    missing = await gql.execute(UPDATE, {"input": {"id": "424242", "active": False}}, as_=MARKETER)
    assert missing.data["updateCharity"]["__typename"] == "NotFound"
    await charity_factories.charity(program, name="Trees")
    someone = await factories.member(program)
    query = "{ charities { edges { node { name } } } }"
    as_member = (await gql.execute(query, as_=member(someone.id))).data["charities"]["edges"]
    as_marketer = (await gql.execute(query, as_=MARKETER)).data["charities"]["edges"]
    assert [e["node"]["name"] for e in as_member] == ["Trees"]
    assert [e["node"]["name"] for e in as_marketer] == ["Food bank", "Trees"]


async def test_charity_and_program_impact_add_up_per_charity(gql, program):
    # given two members giving to two charities
    a, b = await factories.member(program), await factories.member(program)
    for someone in (a, b):
        await factories.purchase(program, someone.id, amount=1_000_00)
    trees = await charity_factories.charity(program, name="Trees")
    meals = await charity_factories.charity(program, name="Meals", impact_unit="meals_provided",
                                            impact_step_amount=250, matching_percent=0)
    await gql.execute(DONATE, donate(trees.id, 200, "t1"), as_=member(a.id))
    await gql.execute(DONATE, donate(trees.id, 100, "t2"), as_=member(b.id))
    await gql.execute(DONATE, donate(meals.id, 500, "m1"), as_=member(b.id))
    # then the charity shows what both gave: 3.00 + 1.50 matched = 4 trees (3 + 1 per donation)
    one = await gql.execute("query($id: ID!) { charity(id: $id) { impact { donations donatedPoints "
                            "totalAmount { amount } impact { unit amount } } } }", {"id": str(trees.id)}, as_=MARKETER)
    assert one.data["charity"]["impact"] == {"donations": 2, "donatedPoints": 300, "totalAmount": {"amount": 4_50},
                                             "impact": [{"unit": "trees_planted", "amount": 4}]}
    # and the program total lists both charities
    query = """query($from: DateTime) { programImpact(from: $from) { totals { donations donatedAmount { amount }
      impact { unit amount } } charities { charity { name } totals { donatedPoints } } } }"""
    report = (await gql.execute(query, {"from": "2000-01-01T00:00:00Z"}, as_=MARKETER)).data["programImpact"]
    assert report["totals"] == {"donations": 3, "donatedAmount": {"amount": 8_00},
                                "impact": [{"unit": "meals_provided", "amount": 2}, {"unit": "trees_planted", "amount": 4}]}
    assert [(c["charity"]["name"], c["totals"]["donatedPoints"]) for c in report["charities"]] == [
        ("Trees", 300), ("Meals", 500)]
    # and a window after everything holds nothing
    future = (await gql.execute(query, {"from": "2100-01-01T00:00:00Z"}, as_=MARKETER)).data["programImpact"]
    assert future["totals"]["donations"] == 0 and future["charities"] == []


async def test_a_window_that_ends_before_it_starts_is_refused(gql, program):
    result = await gql.execute('{ programImpact(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") '
                               "{ totals { donations } } }", as_=MARKETER)
    assert result.error_codes == ["BAD_USER_INPUT"]


async def test_the_demo_charities_seed_twice_without_duplicates(program):
    first = await seed_charity(program, datetime.now(UTC))
    second = await seed_charity(program, datetime.now(UTC))
    assert [c.id for c in first] == [c.id for c in second]
    assert [c.name for c in first] == ["One Tree Planted", "Food bank", "Ocean Cleanup"]


async def test_a_first_donation_badge_is_earned_with_the_first_donation(gql, program):
    # given a badge for the first donation and a member who never gave
    await factories.badge(program, code="first-donation", name="First donation", rule=BadgeRule(RuleKind.DONATION_COUNT))
    someone = await factories.member(program)
    await factories.purchase(program, someone.id, amount=100_00)
    charity = await charity_factories.charity(program)
    badges = "{ me { badges { code level } } }"
    assert (await gql.execute(badges, as_=member(someone.id))).data["me"]["badges"] == []
    # when they donate twice
    await gql.execute(DONATE, donate(charity.id, 10, "first"), as_=member(someone.id))
    await gql.execute(DONATE, donate(charity.id, 10, "second"), as_=member(someone.id))
    # then they hold the badge once
    assert (await gql.execute(badges, as_=member(someone.id))).data["me"]["badges"] == [
        {"code": "first-donation", "level": 1}]


async def test_a_page_of_charities_with_their_impact_costs_the_same_statements_for_one_or_ten(gql, program):
    query = "{ charities(first: 20) { edges { node { name impact { donations impact { unit amount } } } } } }"

    async def statements_for(count: int) -> int:
        while await Charity.filter(program_id=program.id).count() < count:
            await charity_factories.charity(program)
        with counting_statements() as seen:
            edges = (await gql.execute(query, as_=MARKETER)).data["charities"]["edges"]
        assert len(edges) == count
        return len(seen)

    one = await statements_for(1)
    assert one > 0
    assert await statements_for(10) == one
