"""Challenges over GraphQL: marketers configure them, members see progress move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from challenges.challenge_catalog import Audience
from challenges.goals import Goal, GoalType
from challenges.models import Challenge, ChallengeParticipation
from domain.models import AuditEntry
from tests import factories
from tests.sql_statements import counting_statements
from tests.graphql_client import INTEGRATION, MARKETER, member

CHALLENGE_FIELDS = """id name status version enrolment rewardPoints communityTarget milestones
  goal { type target activityType steps { type target } } window { startsAt endsAt recurrence }
  audience { everyone tierIds }"""

SAVE = f"""
mutation Create($input: CreateChallengeInput!) {{
  createChallenge(input: $input) {{
    __typename
    ... on ChallengeSaved {{ challenge {{ {CHALLENGE_FIELDS} }} }}
    ... on InvalidInput {{ fields {{ path message }} }}
  }}
}}"""

UPDATE = SAVE.replace("Create($input: CreateChallengeInput!)", "Update($input: UpdateChallengeInput!)").replace(
    "createChallenge(", "updateChallenge(")

STATUS = """
mutation($id: ID!) {
  publishChallenge(id: $id) { __typename ... on ChallengeSaved { challenge { status version } } }
}"""

LIST = "query($status: ChallengeStatus) { challenges(status: $status) { edges { node { id name status } } } }"

JOIN = """
mutation($id: ID!) {
  joinChallenge(challengeId: $id) {
    __typename ... on NotEligible { field message } ... on ChallengeJoined { challenge { id } }
  }
}"""
LEAVE = JOIN.replace("joinChallenge", "leaveChallenge").replace("ChallengeJoined", "ChallengeLeft")

HOME = """
query($status: MemberChallengeStatus!) {
  me {
    points { balance }
    challenges(status: $status) {
      challenge { id name goal { type target } endsAt } progress percent completedAt contribution
    }
  }
}"""

RECORD_PURCHASE = """
mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename } }"""
RECORD_ACTIVITY = """
mutation($input: RecordActivityInput!) { recordActivity(input: $input) { __typename } }"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def challenge_input(**changes: object) -> dict:
    return {
        "name": "Spend 50",
        "goal": {"type": "PURCHASE_AMOUNT", "target": 50_00},
        "window": {"startsAt": (utcnow() - timedelta(days=1)).isoformat(),
                   "endsAt": (utcnow() + timedelta(days=30)).isoformat()},
        **changes,
    }


async def create(gql, **changes: object) -> dict:
    return (await gql.execute(SAVE, {"input": challenge_input(**changes)}, as_=MARKETER)).data["createChallenge"]


async def published(gql, **changes: object) -> str:
    challenge_id = (await create(gql, **changes))["challenge"]["id"]
    assert (await gql.execute(STATUS, {"id": challenge_id}, as_=MARKETER)).data["publishChallenge"]["__typename"] == "ChallengeSaved"
    return challenge_id


async def buy(gql, member_id: object, amount: int) -> None:
    variables = {"input": {"memberId": str(member_id), "amount": amount, "currency": "EUR",
                           "occurredAt": (utcnow() - timedelta(minutes=1)).isoformat(),
                           "idempotencyKey": factories.next_key("receipt")}}
    assert (await gql.execute(RECORD_PURCHASE, variables, as_=INTEGRATION)).data["recordPurchase"]["__typename"] == "PurchaseRecorded"


async def recycle(gql, member_id: object, count: int) -> None:
    variables = {"input": {"memberId": str(member_id), "type": "RECYCLE", "attributes": {"count": count},
                           "occurredAt": (utcnow() - timedelta(minutes=1)).isoformat(),
                           "idempotencyKey": factories.next_key("scan")}}
    assert (await gql.execute(RECORD_ACTIVITY, variables, as_=INTEGRATION)).data["recordActivity"]["__typename"] == "ActivityRecorded"


async def home(gql, member_id: object, status: str = "ACTIVE") -> dict:
    return (await gql.execute(HOME, {"status": status}, as_=member(member_id))).data["me"]


async def test_a_marketer_creates_updates_publishes_and_lists_a_challenge(gql, program):
    created = await create(gql, enrolment="OPT_IN", rewardPoints=200, milestones=[25, 100])
    challenge = created["challenge"]
    assert (challenge["status"], challenge["version"], challenge["enrolment"]) == ("DRAFT", 1, "OPT_IN")
    assert (challenge["goal"]["type"], challenge["goal"]["target"], challenge["milestones"]) == ("PURCHASE_AMOUNT", 50_00, [25, 100])
    assert challenge["audience"] == {"everyone": True, "tierIds": []}
    updated = (await gql.execute(UPDATE, {"input": {"id": challenge["id"], "name": "Spend 60"}}, as_=MARKETER)).data["updateChallenge"]
    assert (updated["challenge"]["name"], updated["challenge"]["version"]) == ("Spend 60", 2)
    publish = (await gql.execute(STATUS, {"id": challenge["id"]}, as_=MARKETER)).data["publishChallenge"]
    assert publish["challenge"] == {"status": "PUBLISHED", "version": 3}
    listed = (await gql.execute(LIST, {"status": "PUBLISHED"}, as_=MARKETER)).data["challenges"]["edges"]
    assert [e["node"] for e in listed] == [{"id": challenge["id"], "name": "Spend 60", "status": "PUBLISHED"}]
    assert (await gql.execute(LIST, {"status": "DRAFT"}, as_=MARKETER)).data["challenges"]["edges"] == []


async def test_bad_input_names_every_field_and_writes_nothing(gql, program):
    now = utcnow()
    payload = await create(
        gql,
        goal={"type": "STEPS", "steps": [{"type": "ACTIVITY_COUNT", "target": 0, "activityType": "VISIT"},
                                         {"type": "ACTIVITY_COUNT", "target": 2, "activityType": "JUGGLING"}]},
        window={"startsAt": now.isoformat(), "endsAt": (now - timedelta(days=1)).isoformat()},
    )
    assert payload["__typename"] == "InvalidInput"
    assert {f["path"] for f in payload["fields"]} == {"goal.steps.0.target", "window.endsAt"}
    unknown = await create(gql, goal={"type": "ACTIVITY_COUNT", "target": 2, "activityType": "JUGGLING"},
                           audience={"tierIds": ["9999"]})
    assert {f["path"] for f in unknown["fields"]} == {"goal.activityType", "audience.tierIds.0"}
    not_an_id = await create(gql, audience={"tierIds": ["gold"]})
    assert [f["path"] for f in not_an_id["fields"]] == ["audience.tierIds.0"]
    assert await Challenge.all().count() == 0 and await AuditEntry.all().count() == 0


async def test_a_member_sees_progress_move_then_the_completed_challenge_and_its_reward(gql, program):
    # given a published challenge rewarding 300 points, and a member
    someone = await factories.member(program)
    challenge_id = await published(gql, rewardPoints=300)
    # when they spend 20.00
    await buy(gql, someone.id, 20_00)
    # then the home screen shows 40 %
    active = (await home(gql, someone.id))["challenges"]
    assert [(c["challenge"]["id"], c["progress"], c["percent"], c["completedAt"]) for c in active] == [
        (challenge_id, 20_00, 40, None)]
    assert active[0]["challenge"]["goal"] == {"type": "PURCHASE_AMOUNT", "target": 50_00}
    assert active[0]["challenge"]["endsAt"] is not None
    # when they spend 30.00 more, the challenge completes and pays its reward
    await buy(gql, someone.id, 30_00)
    after = await home(gql, someone.id)
    assert after["challenges"] == []
    assert after["points"]["balance"] == 20 + 30 + 300
    completed = (await home(gql, someone.id, "COMPLETED"))["challenges"]
    assert [(c["challenge"]["id"], c["percent"]) for c in completed] == [(challenge_id, 100)]
    assert completed[0]["completedAt"] is not None


async def test_an_opt_in_challenge_is_available_until_joined_and_again_after_leaving(gql, program):
    someone = await factories.member(program)
    challenge_id = await published(gql, enrolment="OPT_IN")
    assert [c["challenge"]["id"] for c in (await home(gql, someone.id, "AVAILABLE"))["challenges"]] == [challenge_id]
    assert (await home(gql, someone.id))["challenges"] == []
    joined = (await gql.execute(JOIN, {"id": challenge_id}, as_=member(someone.id))).data["joinChallenge"]
    assert joined == {"__typename": "ChallengeJoined", "challenge": {"id": challenge_id}}
    await buy(gql, someone.id, 10_00)
    assert [c["progress"] for c in (await home(gql, someone.id))["challenges"]] == [10_00]
    left = (await gql.execute(LEAVE, {"id": challenge_id}, as_=member(someone.id))).data["leaveChallenge"]
    assert left["__typename"] == "ChallengeLeft"
    assert [c["challenge"]["id"] for c in (await home(gql, someone.id, "AVAILABLE"))["challenges"]] == [challenge_id]


async def test_joining_outside_the_audience_or_an_unpublished_challenge_is_not_eligible(gql, program):
    _, _, gold = await factories.standard_tiers(program)
    someone = await factories.member(program)  # Bronze
    for_gold = await factories.challenge(program, opt_in=True, audience=Audience((gold.id,)), now=utcnow())
    draft = await factories.challenge(program, opt_in=True, publish=False, now=utcnow())
    outside = (await gql.execute(JOIN, {"id": str(for_gold.id)}, as_=member(someone.id))).data["joinChallenge"]
    unpublished = (await gql.execute(JOIN, {"id": str(draft.id)}, as_=member(someone.id))).data["joinChallenge"]
    assert (outside["__typename"], outside["field"]) == ("NotEligible", "audience")
    assert (unpublished["__typename"], unpublished["field"]) == ("NotEligible", "challengeId")
    assert await ChallengeParticipation.all().count() == 0
    # and a Bronze member's home screen doesn't offer the Gold challenge
    assert (await home(gql, someone.id, "AVAILABLE"))["challenges"] == []


async def test_a_community_challenge_shows_the_collective_total_and_each_contribution(gql, program):
    await published(gql, name="Recycle 100 together", community=True,
                    goal={"type": "ACTIVITY_COUNT", "target": 100, "activityType": "RECYCLE", "measure": "IMPACT"})
    ana, ben = await factories.member(program), await factories.member(program)
    await recycle(gql, ana.id, 30)
    await recycle(gql, ben.id, 15)
    seen_by_ben = (await home(gql, ben.id))["challenges"]
    assert [(c["progress"], c["percent"], c["contribution"]) for c in seen_by_ben] == [(45, 45, 15)]


async def test_only_marketers_configure_and_only_members_join(gql, program):
    someone = await factories.member(program)
    as_member = await gql.execute(SAVE, {"input": challenge_input()}, as_=member(someone.id))
    as_marketer = await gql.execute(JOIN, {"id": "1"}, as_=MARKETER)
    assert (as_member.error_codes, as_marketer.error_codes) == (["FORBIDDEN"], ["FORBIDDEN"])
    assert await Challenge.all().count() == 0


async def test_the_home_screen_costs_the_same_statements_for_one_challenge_or_fifty(gql, program):
    async def statements_for(count: int) -> int:
        someone = await factories.member(program)
        for _ in range(count):
            await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 100_00), now=utcnow())
        await factories.purchase(program, someone.id, amount=10_00, now=utcnow())
        with counting_statements() as seen:
            shown = (await home(gql, someone.id))["challenges"]
        assert len(shown) >= count and all(c["progress"] == 10_00 for c in shown)
        return len(seen)

    one = await statements_for(1)
    assert one > 0
    assert await statements_for(50) == one
