"""The app's home screen in one round trip, at a cost that does not grow with the member."""

from __future__ import annotations

from datetime import UTC, datetime

from challenges.badges import award_badge
from challenges.goals import Goal, GoalType
from tests import factories
from tests.graphql_client import INTEGRATION, member
from tests.sql_statements import counting_statements

HOME = """
{ me {
    points { balance }
    tier { name }
    challenges(status: ACTIVE) { challenge { name goal { type target } endsAt } progress percent completedAt }
    badges { name level }
    leaderboardRank(board: WEEKLY)
} }
"""


PURCHASE = """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename } }"""


async def member_with(gql, program, count: int) -> str:
    """A member in `count` active challenges who holds `count` badges and bought once at
    a till (through the API, so the weekly board hears of it after commit)."""
    now = datetime.now(UTC)
    someone = await factories.member(program, now=now)
    for _ in range(count):
        await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 100_00), now=now)
        badge = await factories.badge(program)
        await award_badge(program.id, str(someone.id), badge.id, 0, now)
    bought = await gql.execute(PURCHASE, {"input": {
        "memberId": str(someone.id), "amount": 20_00, "currency": "EUR",
        "occurredAt": now.isoformat(), "idempotencyKey": factories.next_key("home")}}, as_=INTEGRATION)
    assert bought.data["recordPurchase"]["__typename"] == "PurchaseRecorded"
    return str(someone.id)


async def test_home_screen_shows_points_tier_challenges_badges_and_rank(gql, program):
    await factories.standard_tiers(program)
    member_id = await member_with(gql, program, 2)
    me = (await gql.execute(HOME, as_=member(member_id))).data["me"]
    assert me["points"] == {"balance": 20}
    assert me["tier"] == {"name": "Bronze"}
    assert len(me["challenges"]) == 2 and {c["percent"] for c in me["challenges"]} == {20}
    assert len(me["badges"]) == 2
    assert me["leaderboardRank"] == 1


async def test_home_screen_costs_the_same_statements_for_one_or_fifty_challenges_and_badges(gql, program):
    async def statements_for(count: int) -> int:
        member_id = await member_with(gql, program, count)
        with counting_statements() as seen:
            me = (await gql.execute(HOME, as_=member(member_id))).data["me"]
        assert len(me["challenges"]) >= count and len(me["badges"]) == count
        return len(seen)

    one = await statements_for(1)
    assert one > 0
    assert await statements_for(50) == one
