"""Leaderboards over GraphQL, as a member of the app sees them: the top, their own line and
neighbours, ties, aliases and hiding, friends, the home screen's rank, bad arguments, and a
Redis outage that purchases survive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from challenges.board_handles import handle_for
from challenges.challenge_periods import Recurrence
from challenges.leaderboard_service import rebuild
from challenges.leaderboards import week_key
from challenges.models import LeaderboardProfile, MemberFollow
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER, GraphQLClient, member

BOARD = """
query Board($board: LeaderboardBoard!, $challengeId: ID, $first: Int, $around: Int) {
  leaderboard(board: $board, challengeId: $challengeId, first: $first, around: $around) {
    board period
    entries { rank handle displayName score isMe }
    around { rank displayName score isMe }
    me { rank score hidden }
  }
}"""

RECORD = """
mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename } }"""

FOLLOW = """
mutation($handle: ID!) { followMember(handle: $handle) {
  __typename ... on MemberFollowed { handle } ... on NotFound { entity key }
  ... on InvalidInput { fields { path message } } } }"""

UNFOLLOW = """mutation($handle: ID!) { unfollowMember(handle: $handle) {
  __typename ... on MemberUnfollowed { handle } ... on NotFound { entity key } } }"""

PROFILE = """
mutation($hidden: Boolean, $alias: String) { setLeaderboardProfile(hidden: $hidden, alias: $alias) {
  __typename ... on LeaderboardProfileSaved { hidden alias shownAs }
  ... on InvalidInput { fields { path message } } } }"""

HOME_RANK = "{ me { displayName leaderboardRank(board: WEEKLY) } }"


async def buy(gql: GraphQLClient, who: object, euros: int) -> None:
    purchase = {"memberId": str(who), "amount": euros * 100, "currency": "EUR",
                "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                "idempotencyKey": factories.next_key("receipt")}
    result = await gql.execute(RECORD, {"input": purchase}, as_=INTEGRATION)
    assert result.data["recordPurchase"]["__typename"] == "PurchaseRecorded"


async def board(gql: GraphQLClient, viewer: object, name: str = "WEEKLY", **arguments: object) -> dict:
    return (await gql.execute(BOARD, {"board": name, **arguments}, as_=member(viewer))).data["leaderboard"]


def lines(entries: list[dict]) -> list[tuple]:
    return [(e["rank"], e["displayName"], e["score"], e["isMe"]) for e in entries]


async def members(program, *names: str) -> list:
    return [await factories.member(program, name) for name in names]


async def test_a_member_sees_the_top_their_own_line_and_their_neighbours(gql, program):
    # given four members who earned 40, 30, 20 and 10 points this week
    ana, ben, cy, dee = await members(program, "ana", "ben", "cy", "dee")
    for who, euros in ((ana, 40), (ben, 30), (cy, 20), (dee, 10)):
        await buy(gql, who.id, euros)
    # when cy asks for the top two and one neighbour on each side
    seen = await board(gql, cy.id, first=2, around=1)
    # then
    assert (seen["board"], seen["period"]) == ("WEEKLY", week_key(datetime.now(UTC), UTC))
    assert lines(seen["entries"]) == [(1, "Member ana", 40, False), (2, "Member ben", 30, False)]
    assert lines(seen["around"]) == [
        (2, "Member ben", 30, False), (3, "Member cy", 20, True), (4, "Member dee", 10, False)]
    assert seen["me"] == {"rank": 3, "score": 20, "hidden": False}


def handle_of(seen: dict, name: str) -> str:
    return next(e["handle"] for e in seen["entries"] if e["displayName"] == name)


async def test_nothing_on_a_board_links_an_alias_to_the_member(gql, program):
    # given ana, who shows herself as "Bean Queen", and ben, who looks at the boards
    ana, ben = await members(program, "ana", "ben")
    await buy(gql, ana.id, 40)
    await buy(gql, ben.id, 30)
    await gql.execute(PROFILE, {"alias": "Bean Queen"}, as_=member(ana.id))
    # when ben reads the weekly and the monthly board
    weekly, monthly = await board(gql, ben.id), await board(gql, ben.id, "MONTHLY")
    # then ana's line carries neither her id nor anything of her profile, only the alias
    for seen in (weekly, monthly):
        assert str(ana.id) not in str(seen) and str(ana.id).replace("-", "") not in str(seen)
        assert "Member ana" not in str(seen)
    # and her handle is the same on both boards (one person, one name), and not ben's
    assert handle_of(weekly, "Bean Queen") == handle_of(monthly, "Bean Queen") != handle_of(weekly, "Member ben")
    # and it changes with her alias, so the old one does not lead to the new name
    before = handle_of(weekly, "Bean Queen")
    await gql.execute(PROFILE, {"alias": "Latte Lord"}, as_=member(ana.id))
    after = handle_of(await board(gql, ben.id), "Latte Lord")
    assert after != before
    assert (await gql.execute(FOLLOW, {"handle": before}, as_=member(ben.id))).data["followMember"] == {
        "__typename": "NotFound", "entity": "member", "key": before}
    assert await MemberFollow.all().count() == 0


async def test_equal_points_rank_whoever_got_there_first_higher(gql, program):
    first, second = await members(program, "first", "second")
    await buy(gql, first.id, 15)
    await buy(gql, second.id, 15)
    assert lines((await board(gql, second.id, "ALL_TIME"))["entries"]) == [
        (1, "Member first", 15, False), (2, "Member second", 15, True)]


async def test_an_alias_replaces_the_name_and_a_hidden_member_disappears_for_others(gql, program):
    ana, ben = await members(program, "ana", "ben")
    await buy(gql, ana.id, 40)
    await buy(gql, ben.id, 30)
    # when ana picks an alias, and ben hides
    alias = (await gql.execute(PROFILE, {"alias": "  Bean Queen "}, as_=member(ana.id))).data["setLeaderboardProfile"]
    hidden = (await gql.execute(PROFILE, {"hidden": True}, as_=member(ben.id))).data["setLeaderboardProfile"]
    assert alias == {"__typename": "LeaderboardProfileSaved", "hidden": False, "alias": "Bean Queen",
                     "shownAs": "Bean Queen"}
    assert hidden == {"__typename": "LeaderboardProfileSaved", "hidden": True, "alias": None, "shownAs": "Member ben"}
    # then ana sees only herself, under her alias, and never ben's name
    as_ana = await board(gql, ana.id, "MONTHLY")
    assert lines(as_ana["entries"]) == [(1, "Bean Queen", 40, True)]
    assert "Member ben" not in str(as_ana) and str(ben.id) not in str(as_ana)
    # and ben still sees where he stands, shown to him alone
    as_ben = await board(gql, ben.id, "MONTHLY")
    assert as_ben["me"] == {"rank": 2, "score": 30, "hidden": True}
    assert lines(as_ben["around"]) == [(1, "Bean Queen", 40, False), (2, "Member ben", 30, True)]
    # and showing himself again (the alias stays as it is when not sent) lists him for everyone
    shown = (await gql.execute(PROFILE, {"hidden": False}, as_=member(ben.id))).data["setLeaderboardProfile"]
    assert shown["hidden"] is False
    assert [e["displayName"] for e in (await board(gql, ana.id, "MONTHLY"))["entries"]] == ["Bean Queen", "Member ben"]


async def test_the_home_screen_shows_the_weekly_rank_once_the_member_scores(gql, program):
    ana, ben = await members(program, "ana", "ben")
    assert (await gql.execute(HOME_RANK, as_=member(ana.id))).data["me"]["leaderboardRank"] is None
    await buy(gql, ben.id, 50)
    await buy(gql, ana.id, 20)
    home = (await gql.execute(HOME_RANK, as_=member(ana.id))).data["me"]
    assert home == {"displayName": "Member ana", "leaderboardRank": 2}


async def test_the_friends_board_ranks_a_member_among_those_they_follow(gql, program):
    ana, ben, cy = await members(program, "ana", "ben", "cy")
    for who, euros in ((ana, 10), (ben, 20), (cy, 30)):
        await buy(gql, who.id, euros)
    # when ana follows ben (twice: harmless) but not cy, by the handle the weekly board shows
    bens = handle_of(await board(gql, ana.id), "Member ben")
    for _ in range(2):
        followed = (await gql.execute(FOLLOW, {"handle": bens}, as_=member(ana.id))).data["followMember"]
        assert followed == {"__typename": "MemberFollowed", "handle": bens}
    friends = await board(gql, ana.id, "FRIENDS")
    # then her friends board holds the two of them, ben under the same handle, and no ids
    assert lines(friends["entries"]) == [(1, "Member ben", 20, False), (2, "Member ana", 10, True)]
    assert handle_of(friends, "Member ben") == bens and str(ben.id) not in str(friends)
    assert lines((await board(gql, cy.id, "FRIENDS"))["entries"]) == [(1, "Member cy", 30, True)]
    rank = await gql.execute("{ me { leaderboardRank(board: FRIENDS) } }", as_=member(ana.id))
    assert rank.data["me"]["leaderboardRank"] == 2
    # and unfollowing leaves her alone on it
    assert (await gql.execute(UNFOLLOW, {"handle": bens}, as_=member(ana.id))).data["unfollowMember"] == {
        "__typename": "MemberUnfollowed", "handle": bens}
    assert lines((await board(gql, ana.id, "FRIENDS"))["entries"]) == [(1, "Member ana", 10, True)]


async def test_a_member_who_hid_can_still_be_unfollowed_by_the_handle_once_seen(gql, program):
    # given ana follows ben, who then hides (and so leaves her friends board)
    ana, ben = await members(program, "ana", "ben")
    await buy(gql, ben.id, 20)
    bens = handle_of(await board(gql, ana.id), "Member ben")
    await gql.execute(FOLLOW, {"handle": bens}, as_=member(ana.id))
    await gql.execute(PROFILE, {"hidden": True, "alias": "Ghost"}, as_=member(ben.id))
    # when she unfollows with the handle she saw, then the follow is gone
    assert (await gql.execute(UNFOLLOW, {"handle": bens}, as_=member(ana.id))).data["unfollowMember"][
        "__typename"] == "MemberUnfollowed"
    assert await MemberFollow.all().count() == 0


NOT_A_HANDLE = {"__typename": "InvalidInput",
                "fields": [{"path": "handle", "message": "is not a member's handle from a leaderboard"}]}


@pytest.mark.parametrize("target", ["self", "nobody", "member-id", "42", "other-key", "other-program"])
async def test_following_yourself_nobody_or_a_non_handle_is_refused_and_writes_nothing(gql, program, target):
    # given ana and ben, and handles of several wrong kinds
    ana, ben = await members(program, "ana", "ben")
    handles = {
        "self": factories.board_handle(gql.settings, program, ana),
        "nobody": handle_for(gql.settings.board_handle_key, program.id, str(uuid.uuid4()), "Someone"),
        "member-id": str(ben.id),  # ids are not handles any more
        "42": "42",
        "other-key": handle_for(b"k" * 64, program.id, str(ben.id), ben.display_name),  # forged
        "other-program": handle_for(gql.settings.board_handle_key, program.id + 1, str(ben.id), ben.display_name),
    }
    # when ana follows with one, then it is refused, naming the handle, never an id
    result = (await gql.execute(FOLLOW, {"handle": handles[target]}, as_=member(ana.id))).data["followMember"]
    assert result == {
        "self": {"__typename": "InvalidInput", "fields": [{"path": "handle", "message": "you can't follow yourself"}]},
        "nobody": {"__typename": "NotFound", "entity": "member", "key": handles["nobody"]},
    }.get(target, NOT_A_HANDLE)
    assert await MemberFollow.all().count() == 0


@pytest.mark.parametrize(("alias", "message"), [("   ", "must not be blank"), ("x" * 33, "at most 32")])
async def test_an_alias_others_could_not_read_is_refused_and_writes_nothing(gql, program, alias, message):
    ana = (await members(program, "ana"))[0]
    payload = (await gql.execute(PROFILE, {"alias": alias}, as_=member(ana.id))).data["setLeaderboardProfile"]
    assert payload["__typename"] == "InvalidInput"
    assert [f["path"] for f in payload["fields"]] == ["alias"] and message in payload["fields"][0]["message"]
    assert await LeaderboardProfile.all().count() == 0


@pytest.mark.parametrize(("arguments", "field"), [
    ({"first": 0}, "first"), ({"first": 101}, "first"), ({"around": -1}, "around"), ({"around": 26}, "around"),
    ({"board": "CHALLENGE"}, "challengeId"), ({"board": "CHALLENGE", "challengeId": "abc"}, "challengeId"),
    ({"board": "CHALLENGE", "challengeId": "999"}, "challengeId"), ({"challengeId": "1"}, "challengeId"),
    ({"board": "FRIENDS", "challengeId": "1"}, "challengeId"),
])
async def test_bad_arguments_are_errors_naming_the_argument(gql, program, arguments, field):
    ana = (await members(program, "ana"))[0]
    result = await gql.execute(BOARD, {"board": "WEEKLY", **arguments}, as_=member(ana.id))
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field and result.errors[0]["message"].startswith(f"{field}:")


async def test_an_unknown_board_is_rejected_by_the_schema(gql, program):
    ana = (await members(program, "ana"))[0]
    result = await gql.execute(BOARD, {"board": "YEARLY"}, as_=member(ana.id))
    assert result.body.get("data") is None
    assert "YEARLY" in result.errors[0]["message"] and "LeaderboardBoard" in result.errors[0]["message"]


@pytest.mark.parametrize("caller", [INTEGRATION, MARKETER])
async def test_leaderboards_are_for_members(gql, program, caller):
    assert (await gql.execute(BOARD, {"board": "WEEKLY"}, as_=caller)).error_codes == ["FORBIDDEN"]


async def test_a_challenge_board_ranks_this_periods_progress(gql, program):
    # given a weekly spending challenge, and a draft one members can't see yet
    challenge = await factories.challenge(program, every=Recurrence.WEEKLY, now=datetime.now(UTC))
    draft = await factories.challenge(program, every=Recurrence.WEEKLY, now=datetime.now(UTC), publish=False)
    ana, ben = await members(program, "ana", "ben")
    await buy(gql, ana.id, 12)
    await buy(gql, ben.id, 30)
    # when ana looks at the challenge's board
    seen = await board(gql, ana.id, "CHALLENGE", challengeId=str(challenge.id))
    # then it ranks what each spent toward the goal this week, in cents
    assert lines(seen["entries"]) == [(1, "Member ben", 30_00, False), (2, "Member ana", 12_00, True)]
    assert seen["period"] == week_key(datetime.now(UTC), UTC)
    hidden_draft = await gql.execute(BOARD, {"board": "CHALLENGE", "challengeId": str(draft.id)}, as_=member(ana.id))
    assert hidden_draft.error_codes == ["BAD_USER_INPUT"]


async def test_with_redis_down_purchases_succeed_boards_say_so_and_a_rebuild_repairs_them(program, settings, redis):
    ana, ben = await members(program, "ana", "ben")
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True, socket_connect_timeout=1)
    try:
        async with GraphQLClient.running(settings, unreachable) as outage:
            # when purchases come in while Redis is unreachable
            await buy(outage, ana.id, 25)
            await buy(outage, ben.id, 35)
            # then boards answer with a clear error, and the rest of the home screen still loads
            result = await outage.execute(BOARD, {"board": "WEEKLY"}, as_=member(ana.id))
            assert result.error_codes == ["LEADERBOARD_UNAVAILABLE"]
            home = await outage.execute(HOME_RANK, as_=member(ana.id))
            assert home.error_codes == ["LEADERBOARD_UNAVAILABLE"]
            assert home.body["data"]["me"] == {"displayName": "Member ana", "leaderboardRank": None}
    finally:
        await unreachable.aclose()
    # when Redis is back and the boards are rebuilt
    await rebuild(redis, program, datetime.now(UTC))
    async with GraphQLClient.running(settings, redis) as recovered:
        seen = await board(recovered, ana.id)
    # then the purchases are on them
    assert lines(seen["entries"]) == [(1, "Member ben", 35, False), (2, "Member ana", 25, True)]


async def test_a_member_token_for_nobody_sees_boards_without_a_line_of_their_own(gql, program):
    ana = (await members(program, "ana"))[0]
    await buy(gql, ana.id, 10)
    seen = await board(gql, uuid.uuid4())
    assert (lines(seen["entries"]), seen["around"], seen["me"]) == ([(1, "Member ana", 10, False)], [], None)


async def test_a_token_outliving_its_member_follows_nobody(gql, program):
    ana = (await members(program, "ana"))[0]
    ghost = str(uuid.uuid4())
    result = await gql.execute(FOLLOW, {"handle": factories.board_handle(gql.settings, program, ana)},
                               as_=member(ghost))
    assert result.data["followMember"] == {"__typename": "NotFound", "entity": "member", "key": ghost}
    assert await MemberFollow.all().count() == 0
