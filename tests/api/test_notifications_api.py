"""Devices and notification preferences over GraphQL, as the member's app uses them."""

from __future__ import annotations

import uuid

import pytest

from api.settings import Settings
from challenges.devices import MAX_DEVICES_PER_MEMBER
from challenges.models import Device, NotificationPreference
from tests import factories
from tests.conftest import DATABASE_URL, REDIS_URL
from tests.graphql_client import INTEGRATION, member

IOS = "9f" * 32
ANDROID = "cR1x0:APA91bH" + "a1B2_c3-D4" * 14
RELAY = "https://relay.example.com/push/subscriptions/8c1f"

REGISTER = """
mutation($input: RegisterDeviceInput!) {
  registerDevice(input: $input) {
    __typename
    ... on DeviceRegistered { device { id platform tokenSuffix } }
    ... on InvalidInput { fields { path message } }
    ... on NotFound { entity }
  }
}"""
UNREGISTER = "mutation($token: String!) { unregisterDevice(token: $token) { removed } }"
PREFERENCES = "{ notificationPreferences { category enabled quietStart quietEnd } }"
UPDATE = """
mutation($input: [NotificationPreferenceInput!]!) {
  updateNotificationPreferences(input: $input) {
    __typename
    ... on NotificationPreferencesUpdated { preferences { category enabled quietStart quietEnd } }
    ... on InvalidInput { fields { path message } }
  }
}"""


@pytest.fixture
def settings() -> Settings:
    """The suite's settings plus one allowed web-push relay host."""
    return Settings(loyalty_env="test", database_url=DATABASE_URL or "sqlite://:memory:",
                    redis_url=REDIS_URL or "memory://", program_code="test",
                    push_web_relay_hosts="relay.example.com",
                    push_webhook_secret="relay-secret-0123456789abcdef-0123456789")


async def register(gql, member_id: object, platform: str, token: str) -> dict:
    result = await gql.execute(REGISTER, {"input": {"platform": platform, "token": token}}, as_=member(member_id))
    return result.data["registerDevice"]


async def preferences(gql, member_id: object) -> list[dict]:
    return (await gql.execute(PREFERENCES, as_=member(member_id))).data["notificationPreferences"]


async def update(gql, member_id: object, changes: list[dict]) -> dict:
    return (await gql.execute(UPDATE, {"input": changes}, as_=member(member_id))).data["updateNotificationPreferences"]


# --- devices --------------------------------------------------------------------------------

@pytest.mark.parametrize("platform, token", [("IOS", IOS), ("ANDROID", ANDROID), ("WEB", ANDROID), ("WEB", RELAY)])
async def test_a_member_registers_a_device_of_each_platform(gql, program, platform, token):
    someone = await factories.member(program)
    payload = await register(gql, someone.id, platform, token)
    assert payload["__typename"] == "DeviceRegistered"
    assert (payload["device"]["platform"], payload["device"]["tokenSuffix"]) == (platform, token[-8:])
    assert await Device.filter(member_id=someone.id).values_list("token", flat=True) == [token]


@pytest.mark.parametrize("platform, token, says", [
    ("IOS", ANDROID, "64 hexadecimal"),
    ("IOS", IOS[:-1], "64 hexadecimal"),
    ("IOS", "zz" * 32, "64 hexadecimal"),
    ("ANDROID", IOS, "FCM registration token"),
    ("ANDROID", ANDROID[:60] + " " + ANDROID[61:], "FCM registration token"),
    ("WEB", "http://relay.example.com/push", "https:// web-push relay URL"),
    ("WEB", "https://169.254.169.254/latest/meta-data", "not an allowed web-push relay host"),
    ("WEB", "https://user:pw@relay.example.com/push", "no credentials"),
    ("WEB", "", "FCM registration token or an https://"),
])
async def test_a_token_of_the_wrong_shape_is_refused_naming_the_token_and_nothing_is_stored(
        gql, program, platform, token, says):
    someone = await factories.member(program)
    payload = await register(gql, someone.id, platform, token)
    assert payload["__typename"] == "InvalidInput"
    [problem] = payload["fields"]
    assert problem["path"] == "token" and says in problem["message"]
    assert await Device.all().count() == 0


async def test_registering_a_token_again_moves_the_device_to_the_new_member(gql, program):
    # given a phone registered by A
    a, b = await factories.member(program), await factories.member(program)
    await register(gql, a.id, "IOS", IOS)
    # when B signs in on it and registers the same token (upper-case this time)
    payload = await register(gql, b.id, "IOS", IOS.upper())
    # then there is still one device, and it is B's: A's pushes stop going there
    assert payload["__typename"] == "DeviceRegistered"
    assert await Device.all().values_list("member_id", flat=True) == [b.id]


async def test_a_member_removes_their_own_device_but_not_someone_elses(gql, program):
    a, b = await factories.member(program), await factories.member(program)
    await register(gql, a.id, "ANDROID", ANDROID)
    # B knowing A's token is not enough to remove it
    assert (await gql.execute(UNREGISTER, {"token": ANDROID}, as_=member(b.id))).data["unregisterDevice"] == {"removed": False}
    assert await Device.filter(member_id=a.id).count() == 1
    # A removes it; a second removal finds nothing
    for removed in (True, False):
        result = await gql.execute(UNREGISTER, {"token": ANDROID}, as_=member(a.id))
        assert result.data["unregisterDevice"] == {"removed": removed}
    assert await Device.all().count() == 0


async def test_a_members_oldest_device_makes_way_beyond_the_limit(gql, program):
    someone = await factories.member(program)
    tokens = [f"{n:02x}" * 32 for n in range(MAX_DEVICES_PER_MEMBER + 1)]
    for token in tokens:
        await register(gql, someone.id, "IOS", token)
    kept = set(await Device.filter(member_id=someone.id).values_list("token", flat=True))
    assert kept == set(tokens[1:])


async def test_a_token_for_an_unknown_member_is_not_found(gql, program):
    payload = await register(gql, uuid.uuid4(), "IOS", IOS)
    assert payload == {"__typename": "NotFound", "entity": "member"}


async def test_staff_cannot_register_devices(gql, program):
    result = await gql.execute(REGISTER, {"input": {"platform": "IOS", "token": IOS}}, as_=INTEGRATION)
    assert result.error_codes == ["FORBIDDEN"]


# --- preferences ----------------------------------------------------------------------------

ALL_ON = [{"category": c, "enabled": True, "quietStart": None, "quietEnd": None}
          for c in ("CHALLENGE_PROGRESS", "BADGE", "TIER", "POINTS_EXPIRY")]


async def test_a_new_member_hears_about_everything_at_any_hour(gql, program):
    someone = await factories.member(program)
    assert await preferences(gql, someone.id) == ALL_ON


async def test_a_member_switches_a_category_off_and_sets_quiet_hours_for_another(gql, program):
    someone = await factories.member(program)
    payload = await update(gql, someone.id, [
        {"category": "BADGE", "enabled": False},
        {"category": "TIER", "enabled": True, "quietStart": "22:00", "quietEnd": "07:00"},
    ])
    expected = [ALL_ON[0], {**ALL_ON[1], "enabled": False},
                {**ALL_ON[2], "quietStart": "22:00", "quietEnd": "07:00"}, ALL_ON[3]]
    assert payload == {"__typename": "NotificationPreferencesUpdated", "preferences": expected}
    assert await preferences(gql, someone.id) == expected
    # and naming a category again replaces its settings, leaving the others alone
    await update(gql, someone.id, [{"category": "TIER", "enabled": True}])
    assert await preferences(gql, someone.id) == [ALL_ON[0], {**ALL_ON[1], "enabled": False}, ALL_ON[2], ALL_ON[3]]


async def test_bad_preferences_name_each_field_and_change_nothing(gql, program):
    someone = await factories.member(program)
    payload = await update(gql, someone.id, [
        {"category": "TIER", "enabled": True, "quietStart": "22:00"},
        {"category": "BADGE", "enabled": False, "quietStart": "9pm", "quietEnd": "07:00"},
        {"category": "TIER", "enabled": False},
    ])
    assert payload["__typename"] == "InvalidInput"
    assert {f["path"] for f in payload["fields"]} == {"input.0.quietEnd", "input.1.quietStart", "input.2.category"}
    assert await NotificationPreference.all().count() == 0


async def test_members_see_only_their_own_preferences(gql, program):
    a, b = await factories.member(program), await factories.member(program)
    await update(gql, a.id, [{"category": "BADGE", "enabled": False}])
    assert await preferences(gql, b.id) == ALL_ON
