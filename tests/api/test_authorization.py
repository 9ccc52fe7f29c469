"""Who may call which field: every query and mutation of the schema, every kind of caller.

The fields come from the schema itself, so a new field without a row in MATRIX fails here.
Member-scoped operations act on member A's data (`World.target`).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.schema import schema
from domain.models import AuditEntry, LedgerEntry, Member, Program, Purchase, Tier
from tests import charity_factories, factories, reward_factories, segment_factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, Caller, GraphQLResult, member

# ok: gets through and receives data. UNAUTH / FORBIDDEN: the error's extensions.code.
MATRIX_TABLE = """
field                   anonymous  memberA    memberB    integration  marketer   admin
me                      UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
member                  UNAUTH     FORBIDDEN  FORBIDDEN  ok           ok         ok
pointsHistory           UNAUTH     ok         FORBIDDEN  ok           ok         ok
tiers                   UNAUTH     ok         ok         ok           ok         ok
programSettings         UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
enrollMember            UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
recordPurchase          UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
recordPurchases         UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
reversePurchase         UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
adjustPoints            UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    FORBIDDEN  ok
createTier              UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateTier              UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateProgramSettings   UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
activityTypes           UNAUTH     ok         ok         ok           ok         ok
badges                  UNAUTH     ok         ok         ok           ok         ok
recordActivity          UNAUTH     ok         FORBIDDEN  ok           FORBIDDEN  ok
createActivityType      UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
createBadge             UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateBadge             UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
challenges              UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
createChallenge         UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateChallenge         UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
publishChallenge        UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
archiveChallenge        UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
joinChallenge           UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
leaveChallenge          UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
leaderboard             UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
followMember            UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
unfollowMember          UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
setLeaderboardProfile   UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
notificationPreferences UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
registerDevice          UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
unregisterDevice        UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
updateNotificationPreferences UNAUTH ok      ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
programKpis             UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
exportMyData            UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
eraseMember             UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    FORBIDDEN  ok
rewards                 UNAUTH     ok         ok         ok           ok         ok
reward                  UNAUTH     ok         ok         ok           ok         ok
redemption              UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
createReward            UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateReward            UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
redeemReward            UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
cancelRedemption        UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
confirmRedemption       UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
releaseRedemption       UNAUTH     FORBIDDEN  FORBIDDEN  ok           FORBIDDEN  ok
charities               UNAUTH     ok         ok         ok           ok         ok
charity                 UNAUTH     ok         ok         ok           ok         ok
programImpact           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
donatePoints            UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
updateDonationPreference UNAUTH    ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
createCharity           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateCharity           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
campaigns               UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
campaign                UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
simulatePurchase        UNAUTH     FORBIDDEN  FORBIDDEN  ok           ok         ok
createCampaign          UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateCampaign          UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
activateCampaign        UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
pauseCampaign           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
endCampaign             UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
partners                UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
partnerSettlement       UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
createPartner           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updatePartner           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
segments                UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
segment                 UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
createSegment           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
updateSegment           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
tagMember               UNAUTH     FORBIDDEN  FORBIDDEN  ok           ok         ok
surveys                 UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
surveyResults           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
createSurvey            UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
publishSurvey           UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
closeSurvey             UNAUTH     FORBIDDEN  FORBIDDEN  FORBIDDEN    ok         ok
answerSurvey            UNAUTH     ok         ok         FORBIDDEN    FORBIDDEN  FORBIDDEN
"""


def _parse(table: str) -> dict[str, dict[str, str]]:
    header, *rows = [line.split() for line in table.strip().splitlines()]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


MATRIX = _parse(MATRIX_TABLE)
SHORT_CODES = {"UNAUTHENTICATED": "UNAUTH", "FORBIDDEN": "FORBIDDEN"}


def schema_fields() -> list[str]:
    """Queries and mutations; subscriptions have their matrix in test_subscriptions.py."""
    gql_schema = schema._schema
    roots = [gql_schema.query_type, gql_schema.mutation_type]
    return [name for root in roots if root is not None for name in root.fields]


@dataclasses.dataclass(frozen=True)
class World:
    a: str
    b: str
    purchases: dict[str, int]  # member id -> one purchase of theirs
    tier_id: str
    target: str  # the member whose data the operations read or change
    reward_id: str = "424242"  # a reward on offer (tests/reward_factories.authz_world)
    redemption_code: str = "NONE-0000"  # a third member's redemption of it
    charity_id: str = "424242"  # an active charity (tests/charity_factories.charity)
    segment_id: str = "424242"  # a segment (tests/segment_factories.authz_world)
    survey_id: str = "424242"  # a draft survey
    b_handle: str = "not-a-handle"  # how leaderboards show member B

    @property
    def target_purchase(self) -> str:
        return str(self.purchases.get(self.target, 987_654))

    def callers(self) -> dict[str, Caller | None]:
        return {"anonymous": None, "memberA": member(self.a), "memberB": member(self.b),
                "integration": INTEGRATION, "marketer": MARKETER, "admin": ADMIN}


RECENT = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()  # one value: a replay, not a conflict


def _mutation(field: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ __typename }} }}"


Variables = Callable[[World], dict[str, Any]]
OPERATIONS: dict[str, tuple[str, Variables]] = {
    "me": ("{ me { id } }", lambda w: {}),
    "member": ("query($id: ID!) { member(id: $id) { id } }", lambda w: {"id": w.target}),
    "pointsHistory": ("query($m: ID) { pointsHistory(memberId: $m) { edges { node { id } } } }",
                      lambda w: {"m": w.target}),
    "tiers": ("{ tiers { id } }", lambda w: {}),
    "programSettings": ("{ programSettings { code } }", lambda w: {}),
    "enrollMember": (_mutation("enrollMember", "EnrollMemberInput"),
                     lambda w: {"input": {"externalId": "authz-new", "displayName": "New"}}),
    "recordPurchases": ("mutation($input: [RecordPurchaseInput!]!) { recordPurchases(input: $input) { __typename } }",
                        lambda w: {"input": [{"memberId": w.target, "amount": 5_00, "currency": "EUR",
                                              "occurredAt": RECENT, "idempotencyKey": "authz-batch"}]}),
    "recordPurchase": (_mutation("recordPurchase", "RecordPurchaseInput"), lambda w: {"input": {
        "memberId": w.target, "amount": 5_00, "currency": "EUR", "occurredAt": RECENT,
        "idempotencyKey": "authz-purchase"}}),
    "reversePurchase": (_mutation("reversePurchase", "ReversePurchaseInput"), lambda w: {"input": {
        "purchaseId": w.target_purchase, "reason": "returned", "idempotencyKey": "authz-return"}}),
    "adjustPoints": (_mutation("adjustPoints", "AdjustPointsInput"), lambda w: {"input": {
        "memberId": w.target, "points": 5, "reason": "goodwill", "idempotencyKey": "authz-adjust"}}),
    "createTier": (_mutation("createTier", "CreateTierInput"),
                   lambda w: {"input": {"name": "Platinum", "threshold": 9000}}),
    "updateTier": (_mutation("updateTier", "UpdateTierInput"),
                   lambda w: {"input": {"id": w.tier_id, "name": "Bronze+"}}),
    "updateProgramSettings": (_mutation("updateProgramSettings", "UpdateProgramSettingsInput"),
                              lambda w: {"input": {"name": "Renamed"}}),
    # Gamification. Member-facing mutations act on the caller's own data only.
    "activityTypes": ("{ activityTypes { code } }", lambda w: {}),
    "badges": ("{ badges { id } }", lambda w: {}),
    "recordActivity": (_mutation("recordActivity", "RecordActivityInput"), lambda w: {"input": {
        "memberId": w.target, "type": "SURVEY", "attributes": {}, "occurredAt": RECENT,
        "idempotencyKey": "authz-activity"}}),
    "createActivityType": (_mutation("createActivityType", "CreateActivityTypeInput"),
                           lambda w: {"input": {"code": "BIKE_RIDE", "name": "Bike ride"}}),
    "createBadge": (_mutation("createBadge", "CreateBadgeInput"),
                    lambda w: {"input": {"code": "authz-badge", "name": "Authz"}}),
    "updateBadge": (_mutation("updateBadge", "UpdateBadgeInput"), lambda w: {"input": {"id": "424242", "name": "X"}}),
    "challenges": ("{ challenges { edges { node { id } } } }", lambda w: {}),
    "createChallenge": (_mutation("createChallenge", "CreateChallengeInput"), lambda w: {"input": {
        "name": "Authz challenge", "goal": {"type": "ACTIVITY_COUNT", "target": 3, "activityType": "VISIT"},
        "window": {"startsAt": RECENT, "endsAt": (datetime.now(UTC) + timedelta(days=30)).isoformat()}}}),
    "updateChallenge": (_mutation("updateChallenge", "UpdateChallengeInput"),
                        lambda w: {"input": {"id": "424242", "name": "Renamed"}}),
    "publishChallenge": ('mutation { publishChallenge(id: "424242") { __typename } }', lambda w: {}),
    "archiveChallenge": ('mutation { archiveChallenge(id: "424242") { __typename } }', lambda w: {}),
    "joinChallenge": ('mutation { joinChallenge(challengeId: "424242") { __typename } }', lambda w: {}),
    "leaveChallenge": ('mutation { leaveChallenge(challengeId: "424242") { __typename } }', lambda w: {}),
    "leaderboard": ("{ leaderboard(board: WEEKLY) { me { rank } } }", lambda w: {}),
    "followMember": ("mutation($h: ID!) { followMember(handle: $h) { __typename } }", lambda w: {"h": w.b_handle}),
    "unfollowMember": ("mutation($h: ID!) { unfollowMember(handle: $h) { __typename } }",
                       lambda w: {"h": w.b_handle}),
    "setLeaderboardProfile": ('mutation { setLeaderboardProfile(alias: "Ace") { __typename } }', lambda w: {}),
    "notificationPreferences": ("{ notificationPreferences { category } }", lambda w: {}),
    "registerDevice": (_mutation("registerDevice", "RegisterDeviceInput"),
                       lambda w: {"input": {"platform": "IOS", "token": "ab" * 32}}),
    "unregisterDevice": ('mutation { unregisterDevice(token: "not-registered") { __typename } }', lambda w: {}),
    "updateNotificationPreferences": (
        "mutation($p: [NotificationPreferenceInput!]!) { updateNotificationPreferences(input: $p) { __typename } }",
        lambda w: {"p": [{"category": "BADGE", "enabled": False}]}),
    "programKpis": ('{ programKpis(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { revenue } }',
                    lambda w: {}),
    "exportMyData": ("{ exportMyData }", lambda w: {}),
    "eraseMember": (_mutation("eraseMember", "EraseMemberInput"), lambda w: {"input": {
        "memberId": w.target, "reason": "GDPR request", "idempotencyKey": "authz-erase"}}),
    # Rewards. Members redeem and cancel for themselves; a partner's till confirms or releases.
    "rewards": ("{ rewards { edges { node { id } } } }", lambda w: {}),
    "reward": ("query($id: ID!) { reward(id: $id) { id } }", lambda w: {"id": w.reward_id}),
    "redemption": ("query($c: String!) { redemption(code: $c) { id } }", lambda w: {"c": w.redemption_code}),
    "createReward": (_mutation("createReward", "CreateRewardInput"),
                     lambda w: {"input": {"name": "Authz reward", "kind": "DISCOUNT", "costPoints": 10}}),
    "updateReward": (_mutation("updateReward", "UpdateRewardInput"), lambda w: {"input": {"id": "424242", "name": "X"}}),
    "redeemReward": (_mutation("redeemReward", "RedeemRewardInput"),
                     lambda w: {"input": {"rewardId": "424242", "idempotencyKey": "authz-redeem"}}),
    "cancelRedemption": (_mutation("cancelRedemption", "CancelRedemptionInput"),
                         lambda w: {"input": {"redemptionId": "424242", "idempotencyKey": "authz-cancel"}}),
    "confirmRedemption": (_mutation("confirmRedemption", "RedemptionCodeInput"),
                          lambda w: {"input": {"code": "NONE-0000", "idempotencyKey": "authz-confirm"}}),
    "releaseRedemption": (_mutation("releaseRedemption", "RedemptionCodeInput"),
                          lambda w: {"input": {"code": "NONE-0000", "idempotencyKey": "authz-release"}}),
    # Charity. Members donate and set auto-donation for themselves only.
    "charities": ("{ charities { edges { node { id } } } }", lambda w: {}),
    "charity": ("query($id: ID!) { charity(id: $id) { id } }", lambda w: {"id": w.charity_id}),
    "programImpact": ("{ programImpact { totals { donations } } }", lambda w: {}),
    "donatePoints": (_mutation("donatePoints", "DonatePointsInput"), lambda w: {"input": {
        "charityId": w.charity_id, "points": 5, "idempotencyKey": "authz-donate"}}),
    "updateDonationPreference": (_mutation("updateDonationPreference", "UpdateDonationPreferenceInput"),
                                 lambda w: {"input": {"mode": "NONE"}}),
    "createCharity": (_mutation("createCharity", "CreateCharityInput"), lambda w: {"input": {
        "name": "Authz charity 2", "cause": "x", "pointsPerCurrencyUnit": 100, "impactUnit": "meals_provided",
        "impactStepAmount": 250}}),
    "updateCharity": (_mutation("updateCharity", "UpdateCharityInput"), lambda w: {"input": {"id": "424242", "name": "X"}}),
    # Campaigns and partners (marketers; simulations also integrations).
    "campaigns": ("{ campaigns { edges { node { id } } } }", lambda w: {}),
    "campaign": ('{ campaign(id: "424242") { __typename } }', lambda w: {}),
    "simulatePurchase": ("query($input: SimulatePurchaseInput!) { simulatePurchase(input: $input) { __typename } }",
                         lambda w: {"input": {"memberId": w.target, "amount": 5_00, "currency": "EUR",
                                              "occurredAt": RECENT}}),
    "createCampaign": (_mutation("createCampaign", "CreateCampaignInput"), lambda w: {"input": {
        "name": "Authz campaign", "kind": "MULTIPLIER", "effect": {"factor": "2"}, "schedule": {"startsAt": RECENT}}}),
    "updateCampaign": (_mutation("updateCampaign", "UpdateCampaignInput"),
                       lambda w: {"input": {"id": "424242", "name": "Renamed"}}),
    "activateCampaign": ('mutation { activateCampaign(id: "424242") { __typename } }', lambda w: {}),
    "pauseCampaign": ('mutation { pauseCampaign(id: "424242") { __typename } }', lambda w: {}),
    "endCampaign": ('mutation { endCampaign(id: "424242") { __typename } }', lambda w: {}),
    "partners": ("{ partners { id } }", lambda w: {}),
    "partnerSettlement": ("query($f: DateTime!, $t: DateTime!) { partnerSettlement(from: $f, to: $t) { netPoints } }",
                          lambda w: {"f": "2026-01-01T00:00:00Z", "t": "2027-01-01T00:00:00Z"}),
    "createPartner": (_mutation("createPartner", "CreatePartnerInput"),
                      lambda w: {"input": {"code": "authz-partner", "name": "Authz"}}),
    "updatePartner": (_mutation("updatePartner", "UpdatePartnerInput"), lambda w: {"input": {"id": "424242", "name": "X"}}),
    "segments": ("{ segments { edges { node { id } } } }", lambda w: {}),
    "segment": ("query($id: ID!) { segment(id: $id) { id } }", lambda w: {"id": w.segment_id}),
    "createSegment": (_mutation("createSegment", "CreateSegmentInput"), lambda w: {"input": {
        "name": "Authz", "rule": {"conditions": [{"field": "TAG", "op": "HAS", "value": "authz"}]}}}),
    "updateSegment": (_mutation("updateSegment", "UpdateSegmentInput"), lambda w: {"input": {
        "id": "424242", "name": "X", "rule": {"conditions": [{"field": "TAG", "op": "HAS", "value": "x"}]}}}),
    "tagMember": (_mutation("tagMember", "TagMemberInput"), lambda w: {"input": {"memberId": w.target, "add": ["authz"]}}),
    "surveys": ("{ surveys { edges { node { answered } } } }", lambda w: {}),
    "surveyResults": ("query($id: ID!) { surveyResults(surveyId: $id) { csv } }", lambda w: {"id": w.survey_id}),
    "createSurvey": (_mutation("createSurvey", "CreateSurveyInput"), lambda w: {"input": {
        "title": "Authz", "questions": [{"text": "Rate us", "kind": "RATING"}]}}),
    "publishSurvey": ('mutation { publishSurvey(id: "424242") { __typename } }', lambda w: {}),
    "closeSurvey": ('mutation { closeSurvey(id: "424242") { __typename } }', lambda w: {}),
    "answerSurvey": (_mutation("answerSurvey", "AnswerSurveyInput"), lambda w: {"input": {
        "surveyId": "424242", "answers": [{"value": "5"}], "idempotencyKey": "authz-survey"}}),
}
# Mutations no member may send (members' own ones act on the caller, never on a given id).
STAFF_MUTATIONS = [f for f in schema._schema.mutation_type.fields if MATRIX[f]["memberA"] == "FORBIDDEN"]


@pytest.fixture
async def world(program, settings) -> World:
    a, b = await factories.member(program, "ext-a"), await factories.member(program, "ext-b")
    bought_a = await factories.purchase(program, a.id, amount=10_00)
    bought_b = await factories.purchase(program, b.id, amount=20_00)
    tiers = await factories.standard_tiers(program)
    redeemer = await factories.member(program, "ext-redeemer")
    await factories.purchase(program, redeemer.id, amount=10_00)
    rewards_world = await reward_factories.authz_world(program, redeemer)
    rewards_world["charity_id"] = str((await charity_factories.charity(program, name="Authz charity")).id)
    rewards_world.update(await segment_factories.authz_world(program))
    return World(a=str(a.id), b=str(b.id), purchases={str(a.id): bought_a.purchase_id, str(b.id): bought_b.purchase_id},
                 tier_id=str(tiers[0].id), target=str(a.id), b_handle=factories.board_handle(settings, program, b),
                 **rewards_world)


async def call(gql, field: str, world: World, caller: Caller | None) -> GraphQLResult:
    document, variables = OPERATIONS[field]
    return await gql.execute(document, variables(world), as_=caller)


def outcome(result: GraphQLResult, field: str) -> str:
    if result.errors:
        assert [e.get("path") for e in result.errors] == [[field]], result.errors
        return SHORT_CODES.get(result.error_codes[0], str(result.error_codes[0]))
    assert result.body["data"][field] is not None, f"{field} let the caller through but returned null"
    return "ok"


async def state() -> tuple:
    """Everything a mutation here could write."""
    program = await Program.get()
    return (await Member.all().count(), await LedgerEntry.all().count(), await Purchase.all().count(),
            sorted(await Member.all().values_list("points_balance", flat=True)),
            sorted(await Tier.all().values_list("name", "threshold")), program.name, await AuditEntry.all().count())


# --- the matrix ---------------------------------------------------------------------------

def test_matrix_has_a_row_and_an_operation_for_exactly_the_schema_fields():
    fields = set(schema_fields())
    assert fields - set(MATRIX) == set(), "new fields: decide who may call them in MATRIX_TABLE"
    assert set(MATRIX) - fields == set(), "MATRIX_TABLE names fields the schema no longer has"
    assert set(OPERATIONS) == fields


@pytest.mark.parametrize("field", schema_fields())
async def test_only_the_callers_the_matrix_admits_get_through(gql, world, field):
    # given the expected row for this field
    assert field in MATRIX and field in OPERATIONS, f"add {field} to MATRIX_TABLE and OPERATIONS"
    # when every kind of caller sends it, in turn
    actual = {name: outcome(await call(gql, field, world, caller), field)
              for name, caller in world.callers().items()}
    # then exactly the table's callers get through
    assert actual == MATRIX[field]


# --- member isolation ------------------------------------------------------------------------

async def test_me_returns_the_callers_own_member_only(gql, world):
    # given A earned 10 points and B 20
    query = "{ me { id externalId points { balance } } }"
    # when each asks for `me`
    as_a = (await gql.execute(query, as_=member(world.a))).data["me"]
    as_b = (await gql.execute(query, as_=member(world.b))).data["me"]
    # then each sees themself
    assert as_a == {"id": world.a, "externalId": "ext-a", "points": {"balance": 10}}
    assert as_b == {"id": world.b, "externalId": "ext-b", "points": {"balance": 20}}


async def test_points_history_without_member_id_lists_the_callers_own_entries(gql, world):
    query = "{ pointsHistory { edges { node { purchaseId points } } } }"
    result = await gql.execute(query, as_=member(world.a))
    nodes = [edge["node"] for edge in result.data["pointsHistory"]["edges"]]
    assert nodes == [{"purchaseId": str(world.purchases[world.a]), "points": 10}]


async def test_reading_another_members_history_is_forbidden(gql, world):
    # given member A
    # when A asks for B's history
    result = await call(gql, "pointsHistory", dataclasses.replace(world, target=world.b), member(world.a))
    # then A is refused and gets no entries
    assert result.error_codes == ["FORBIDDEN"]
    assert result.body["data"] is None


@pytest.mark.parametrize("field", STAFF_MUTATIONS)
async def test_no_staff_mutation_admits_a_member_or_writes_anything(gql, world, field):
    # given member A aiming a mutation at member B's data
    aimed_at_b = dataclasses.replace(world, target=world.b)
    before = await state()
    # when A sends it
    result = await call(gql, field, aimed_at_b, member(world.a))
    # then it is forbidden and nothing changed
    assert result.error_codes == ["FORBIDDEN"]
    assert await state() == before


PROBED_FIELDS = ["member", "pointsHistory", "recordPurchase", "reversePurchase", "adjustPoints", "recordActivity"]


@pytest.mark.parametrize("field", PROBED_FIELDS)
async def test_probing_member_ids_learns_nothing(gql, world, field):
    # given member A, and ids of another member, of nobody, and not ids at all
    probes = {"other member": world.b, "unknown id": str(uuid.uuid4()), "not an id": "42"}
    # when A sends the same operation with each
    bodies = {name: (await call(gql, field, dataclasses.replace(world, target=probe), member(world.a))).body
              for name, probe in probes.items()}
    # then every answer is the same refusal, word for word
    assert bodies["other member"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert bodies["unknown id"] == bodies["other member"]
    assert bodies["not an id"] == bodies["other member"]
