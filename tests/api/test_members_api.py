"""Members over GraphQL: enrolment by integrations, lookups by staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.campaigns.rules import Trigger
from domain.models import Member, Tier
from tests import campaign_factories, factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member

# No 0/O or 1/I/L: members read codes aloud and type them from a screen.
UNAMBIGUOUS = set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

MEMBER_FIELDS = "id externalId displayName birthday locale timeZone referralCode enrolledAt tier { name rank }"

ENROLL = f"""
mutation Enroll($input: EnrollMemberInput!) {{
  enrollMember(input: $input) {{
    __typename
    ... on MemberEnrolled {{ member {{ {MEMBER_FIELDS} }} }}
    ... on AlreadyEnrolled {{ message memberId }}
    ... on InvalidInput {{ message fields {{ path message }} }}
  }}
}}"""

BY_ID = f"query ById($id: ID) {{ member(id: $id) {{ {MEMBER_FIELDS} }} }}"
BY_EXTERNAL_ID = f"query ByExternalId($externalId: String) {{ member(externalId: $externalId) {{ {MEMBER_FIELDS} }} }}"
ME = "query { me { id externalId displayName points { balance } } }"


def enrollment(**changes: object) -> dict:
    return {
        "externalId": factories.next_key("crm"),
        "displayName": "Ada Lovelace",
        "birthday": "1990-12-10",
        "locale": "en-GB",
        "timeZone": "Europe/London",
        **changes,
    }


async def enroll(gql, as_=INTEGRATION, **changes: object) -> dict:
    result = await gql.execute(ENROLL, {"input": enrollment(**changes)}, as_=as_)
    return result.data["enrollMember"]


def paths(payload: dict) -> set[str]:
    return {f["path"] for f in payload["fields"]}


async def test_enrolment_returns_the_member_with_a_readable_referral_code(gql, program):
    before = datetime.now(UTC)
    payload = await enroll(gql, externalId="crm-42", displayName="  Ada Lovelace ")
    assert payload["__typename"] == "MemberEnrolled"
    enrolled = payload["member"]
    assert {k: enrolled[k] for k in ("externalId", "displayName", "birthday", "locale", "timeZone")} == {
        "externalId": "crm-42", "displayName": "Ada Lovelace", "birthday": "1990-12-10",
        "locale": "en-GB", "timeZone": "Europe/London"}
    assert len(enrolled["referralCode"]) == 8 and set(enrolled["referralCode"]) <= UNAMBIGUOUS
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(enrolled["enrolledAt"]) <= datetime.now(UTC)
    stored = await Member.get(id=enrolled["id"])
    assert (stored.external_id, stored.referral_code) == ("crm-42", enrolled["referralCode"])


async def test_every_member_gets_a_code_of_their_own(gql, program):
    codes = [(await enroll(gql))["member"]["referralCode"] for _ in range(20)]
    assert len(set(codes)) == 20
    assert all(len(code) == 8 and set(code) <= UNAMBIGUOUS for code in codes)


async def test_new_member_lands_in_the_threshold_zero_tier(gql, program):
    await factories.standard_tiers(program)
    assert (await enroll(gql))["member"]["tier"] == {"name": "Bronze", "rank": 1}


async def test_without_a_threshold_zero_tier_a_new_member_has_no_tier_yet(gql, program):
    await Tier.create(program=program, name="Silver", threshold=500)
    await Tier.create(program=program, name="Gold", threshold=2000)
    assert (await enroll(gql))["member"]["tier"] is None


async def test_enrolling_an_external_id_twice_answers_with_the_existing_member(gql, program):
    first = await enroll(gql, externalId="crm-7")
    again = await enroll(gql, externalId="crm-7", displayName="Someone Else")
    assert again["__typename"] == "AlreadyEnrolled"
    assert again["memberId"] == first["member"]["id"]
    assert "crm-7" in again["message"]
    assert [m.display_name for m in await Member.all()] == ["Ada Lovelace"]


def _in_two_days() -> str:
    return (datetime.now(UTC).date() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(("change", "path"), [
    ({"externalId": "   "}, "externalId"),
    ({"externalId": "x" * 129}, "externalId"),
    ({"displayName": ""}, "displayName"),
    ({"displayName": " \t "}, "displayName"),
    ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
    ({"timeZone": ""}, "timeZone"),
    ({"locale": "xx-YY"}, "locale"),
    ({"locale": "klingon"}, "locale"),
    ({"locale": ""}, "locale"),
    ({"birthday": "in two days"}, "birthday"),
    ({"birthday": "1899-12-31"}, "birthday"),
])
async def test_bad_enrolment_is_invalid_input_naming_the_field_and_writes_nothing(gql, program, change, path):
    if change.get("birthday") == "in two days":
        change = {"birthday": _in_two_days()}
    payload = await enroll(gql, **change)
    assert payload["__typename"] == "InvalidInput"
    assert paths(payload) == {path}
    assert await Member.all().count() == 0


async def test_every_bad_field_of_an_enrolment_is_reported_at_once(gql, program):
    payload = await enroll(gql, externalId="", displayName="", timeZone="Nowhere/Special",
                           locale="zz-ZZ", birthday=_in_two_days())
    assert paths(payload) == {"externalId", "displayName", "timeZone", "locale", "birthday"}
    assert all(f["message"] for f in payload["fields"])
    assert await Member.all().count() == 0


@pytest.mark.parametrize("caller", [member("6f1c1d1e-0000-4000-8000-000000000000"), MARKETER])
async def test_only_integrations_and_admins_enroll(gql, program, caller):
    result = await gql.execute(ENROLL, {"input": enrollment()}, as_=caller)
    assert result.error_codes == ["FORBIDDEN"]
    assert await Member.all().count() == 0


async def test_admins_may_enroll_too(gql, program):
    assert (await enroll(gql, as_=ADMIN))["__typename"] == "MemberEnrolled"


@pytest.mark.parametrize("caller", [INTEGRATION, MARKETER, ADMIN])
async def test_staff_find_a_member_by_id_and_by_external_id(gql, program, caller):
    await factories.standard_tiers(program)
    enrolled = (await enroll(gql, externalId="shop-123"))["member"]
    by_id = await gql.execute(BY_ID, {"id": enrolled["id"]}, as_=caller)
    by_external = await gql.execute(BY_EXTERNAL_ID, {"externalId": "shop-123"}, as_=caller)
    assert by_id.data["member"] == by_external.data["member"] == enrolled


async def test_an_id_in_upper_case_finds_the_same_member(gql, program):
    enrolled = (await enroll(gql))["member"]
    found = await gql.execute(BY_ID, {"id": enrolled["id"].upper()}, as_=INTEGRATION)
    assert found.data["member"]["id"] == enrolled["id"]


async def test_looking_up_someone_not_enrolled_gives_null(gql, program):
    await enroll(gql, externalId="known")
    by_id = await gql.execute(BY_ID, {"id": "6f1c1d1e-0000-4000-8000-000000000000"}, as_=MARKETER)
    by_external = await gql.execute(BY_EXTERNAL_ID, {"externalId": "unknown"}, as_=MARKETER)
    assert by_id.data["member"] is None and by_external.data["member"] is None


async def test_a_member_of_another_program_is_not_found(gql, program):
    from domain.programs import get_or_create_program

    other = await get_or_create_program("other", "Other Rewards")
    stranger = await factories.member(other, external_id="shared-ext")
    by_id = await gql.execute(BY_ID, {"id": str(stranger.id)}, as_=INTEGRATION)
    by_external = await gql.execute(BY_EXTERNAL_ID, {"externalId": "shared-ext"}, as_=INTEGRATION)
    assert by_id.data["member"] is None and by_external.data["member"] is None


@pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "6f1c1d1e-0000-4000-8000"])
async def test_a_malformed_id_is_an_error_naming_the_argument(gql, program, bad_id):
    result = await gql.execute(BY_ID, {"id": bad_id}, as_=INTEGRATION)
    [error] = result.errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    assert error["message"].startswith("id:") and bad_id in error["message"]
    assert result.body["data"] == {"member": None}


async def test_a_lookup_without_id_or_external_id_is_an_error(gql, program):
    result = await gql.execute("query { member { id } }", as_=ADMIN)
    assert [e["extensions"]["code"] for e in result.errors] == ["BAD_USER_INPUT"]


async def test_members_may_not_look_up_other_members(gql, program):
    me_ = await factories.member(program)
    other = await factories.member(program)
    result = await gql.execute(BY_ID, {"id": str(other.id)}, as_=member(me_.id))
    assert result.error_codes == ["FORBIDDEN"]


async def test_an_enrolled_member_sees_themselves_with_no_points_yet(gql, program):
    enrolled = (await enroll(gql, externalId="app-1", displayName="Grace"))["member"]
    seen = (await gql.execute(ME, as_=member(enrolled["id"]))).data["me"]
    assert seen == {"id": enrolled["id"], "externalId": "app-1", "displayName": "Grace", "points": {"balance": 0}}


async def test_a_signup_bonus_reaches_the_leaderboard_at_enrolment(gql, program):
    # given an active welcome bonus of 100 points
    await campaign_factories.active(program, campaign_factories.fixed_bonus(Trigger.SIGNUP, 100),
                                    now=datetime.now(UTC))
    # when a member enrols
    enrolled = await gql.execute(ENROLL, {"input": {"externalId": "crm-welcome", "displayName": "Wendy"}},
                                 as_=INTEGRATION)
    member_id = enrolled.data["enrollMember"]["member"]["id"]
    # then the bonus is theirs and the all-time board shows it without a rebuild
    board = await gql.execute("{ leaderboard(board: ALL_TIME) { me { rank score } } }", as_=member(member_id))
    assert board.data["leaderboard"]["me"] == {"rank": 1, "score": 100}


async def test_an_external_id_longer_than_any_stored_one_is_a_named_bad_argument(gql, program):
    # when staff look a member up by an external id far longer than the column holds
    result = await gql.execute('query($e: String) { member(externalId: $e) { id } }', {"e": "x" * 200_000},
                               as_=ADMIN)
    # then they are told which argument is wrong, not given an unexplained error
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert "externalId" in result.errors[0]["message"]
