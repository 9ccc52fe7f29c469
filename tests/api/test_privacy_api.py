"""exportMyData and eraseMember through GraphQL: what members and admins see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from challenges.leaderboards import Board, BoardKind
from challenges.models import Device, LeaderboardProfile, MemberFollow, NotificationPreference
from tests import factories
from tests.api.test_kpis_api import KPIS, period
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member
from tests.kpi_factories import seed_history

ERASE = """mutation($input: EraseMemberInput!) { eraseMember(input: $input) {
  __typename
  ... on MemberErased { memberId alreadyErased }
  ... on InvalidInput { fields { path } }
  ... on NotFound { entity }
  ... on IdempotencyConflict { idempotencyKey }
} }"""


def erase(member_id: object, key: str | None = None, reason: str = "GDPR ticket 7") -> dict:
    given = {"memberId": str(member_id), "reason": reason}
    return {"input": given if key is None else {**given, "idempotencyKey": key}}


async def test_a_member_exports_their_own_data_as_json(gql, program):
    # given A bought something and B too
    a, b = await factories.member(program, "exp-a"), await factories.member(program, "exp-b")
    await factories.purchase(program, a.id, amount=15_00)
    await factories.purchase(program, b.id, amount=70_00)
    # when A asks for an export
    data = (await gql.execute("{ exportMyData }", as_=member(a.id))).data["exportMyData"]
    # then it is A's profile and A's rows only
    assert data["member"]["id"] == str(a.id)
    assert [p["amount"] for p in data["tables"]["purchase"]] == [15_00]
    assert [e["points"] for e in data["tables"]["ledger_entry"]] == [15]


async def test_an_export_counts_followers_and_names_no_other_member(gql, program):
    # given A follows B, and C and D follow A, each through the handle a board shows
    a, b, c, d = [await factories.member(program, f"fol-{n}") for n in "abcd"]
    follow = "mutation($h: ID!) { followMember(handle: $h) { __typename } }"
    for follower, followee in ((a, b), (c, a), (d, a)):
        handle = factories.board_handle(gql.settings, program, followee)
        assert (await gql.execute(follow, {"h": handle}, as_=member(follower.id))).data["followMember"] == {
            "__typename": "MemberFollowed"}
    # when A exports their data
    data = (await gql.execute("{ exportMyData }", as_=member(a.id))).data["exportMyData"]
    # then it says how many follow A and that A follows someone, but not who anyone is
    assert data["counts"] == {"followers": 2}
    assert [row["followee_id"] for row in data["tables"]["member_follow"]] == ["[another member]"]
    for other in (b, c, d):
        assert str(other.id) not in str(data) and other.external_id not in str(data)


async def test_after_erasure_the_members_token_reaches_nothing(gql, program):
    # given A with points
    a = await factories.member(program, "leaving")
    await factories.purchase(program, a.id, amount=20_00)
    # when an admin erases A
    result = (await gql.execute(ERASE, erase(a.id), as_=ADMIN)).data["eraseMember"]
    assert result == {"__typename": "MemberErased", "memberId": str(a.id), "alreadyErased": False}
    # then A's still-valid token gets no profile and no export
    assert (await gql.execute("{ me { id } }", as_=member(a.id))).data["me"] is None
    assert (await gql.execute("{ exportMyData }", as_=member(a.id))).data["exportMyData"] is None
    # and a purchase reported for A earns nothing: the member is not found
    purchase = await gql.execute(
        """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename } }""",
        {"input": {"memberId": str(a.id), "amount": 5_00, "currency": "EUR", "idempotencyKey": "after-erasure",
                   "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}},
        as_=INTEGRATION,
    )
    assert purchase.data["recordPurchase"]["__typename"] == "NotFound"
    # and staff see an anonymous member who keeps the balance
    found = (await gql.execute("query($id: ID!) { member(id: $id) { displayName points { balance } } }",
                               {"id": str(a.id)}, as_=ADMIN)).data["member"]
    assert found == {"displayName": "Erased member", "points": {"balance": 20}}


async def test_kpis_are_identical_before_and_after_an_erasure(gql, program):
    # given the hand-checked history
    history = await seed_history(program)
    before = (await gql.execute(KPIS, period(), as_=MARKETER)).data["programKpis"]
    # when A (the busiest member) and D (the donor) are erased
    for gone in (history.a, history.d):
        assert (await gql.execute(ERASE, erase(gone.id), as_=ADMIN)).data["eraseMember"]["__typename"] == "MemberErased"
    # then every figure is the same
    after = (await gql.execute(KPIS, period(), as_=MARKETER)).data["programKpis"]
    assert after == before
    assert after["pointsOutstanding"] == 205


async def test_erasure_takes_the_member_off_the_leaderboards(gql, program, redis):
    # given A and B on the all-time board after purchases reported through the API
    a, b = await factories.member(program, "board-a"), await factories.member(program, "board-b")
    for who, key in ((a, "p-a"), (b, "p-b")):
        result = await gql.execute(
            "mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename } }",
            {"input": {"memberId": str(who.id), "amount": 10_00, "currency": "EUR", "idempotencyKey": key,
                       "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}},
            as_=INTEGRATION,
        )
        assert result.data["recordPurchase"]["__typename"] == "PurchaseRecorded"
    board = Board(program.id, BoardKind.ALL_TIME)
    assert await redis.zcard(board.ranking_key) == 2
    # when A is erased
    await gql.execute(ERASE, erase(a.id), as_=ADMIN)
    # then only B is ranked and A's entry is gone
    assert await redis.zcard(board.ranking_key) == 1
    assert await redis.hget(board.entries_key, str(a.id)) is None
    assert await redis.hget(board.entries_key, str(b.id)) is not None


async def test_erasing_again_reports_the_first_erasure(gql, program):
    a = await factories.member(program, "again")
    await gql.execute(ERASE, erase(a.id), as_=ADMIN)
    again = (await gql.execute(ERASE, erase(a.id, reason="second request"), as_=ADMIN)).data["eraseMember"]
    assert again == {"__typename": "MemberErased", "memberId": str(a.id), "alreadyErased": True}


async def test_an_idempotency_key_cannot_be_reused_for_another_member(gql, program):
    a, b = await factories.member(program, "k-a"), await factories.member(program, "k-b")
    await gql.execute(ERASE, erase(a.id, key="erase-7"), as_=ADMIN)
    reused = (await gql.execute(ERASE, erase(b.id, key="erase-7"), as_=ADMIN)).data["eraseMember"]
    assert reused == {"__typename": "IdempotencyConflict", "idempotencyKey": "erase-7"}


async def test_bad_input_names_the_fields_and_unknown_members_are_not_found(gql, program):
    blank = (await gql.execute(ERASE, erase("not-a-uuid"), as_=ADMIN)).data["eraseMember"]
    assert blank == {"__typename": "InvalidInput", "fields": [{"path": "memberId"}]}
    no_reason = (await gql.execute(ERASE, erase("7d1c2a4e-0000-4000-8000-000000000000", reason=" "),
                                   as_=ADMIN)).data["eraseMember"]
    assert no_reason == {"__typename": "InvalidInput", "fields": [{"path": "reason"}]}
    unknown = (await gql.execute(ERASE, erase("7d1c2a4e-0000-4000-8000-000000000000"), as_=ADMIN)).data["eraseMember"]
    assert unknown == {"__typename": "NotFound", "entity": "member"}


async def test_an_erased_members_token_cannot_put_personal_data_back(gql, program):
    # given an erased member A and another member B
    a, b = await factories.member(program, "back-a"), await factories.member(program, "back-b")
    await gql.execute(ERASE, erase(a.id), as_=ADMIN)
    # when A's token registers a device, sets an alias, follows B, sets preferences
    attempts = {
        "registerDevice": ('mutation { registerDevice(input: {platform: IOS, token: "%s"}) { __typename } }'
                           % ("cd" * 32), {}),
        "setLeaderboardProfile": ('mutation { setLeaderboardProfile(alias: "Me again") { __typename } }', {}),
        "followMember": ("mutation($h: ID!) { followMember(handle: $h) { __typename } }",
                         {"h": factories.board_handle(gql.settings, program, b)}),
        "updateNotificationPreferences": (
            "mutation { updateNotificationPreferences(input: [{category: BADGE, enabled: true}]) { __typename } }",
            {}),
    }
    outcomes = {field: (await gql.execute(document, variables, as_=member(a.id))).data[field]["__typename"]
                for field, (document, variables) in attempts.items()}
    # then each is refused as for an unknown member, and nothing personal was stored
    assert outcomes == dict.fromkeys(attempts, "NotFound")
    assert await Device.filter(member_id=a.id).count() == 0
    assert await NotificationPreference.filter(member_id=a.id).count() == 0
    assert await MemberFollow.all().count() == 0
    assert (await LeaderboardProfile.get(member_id=a.id)).alias is None
