"""Badges over GraphQL: marketers keep the catalog, members earn levels by their activities
and see each badge's earned time and progress toward the next level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from challenges.models import Badge
from domain.models import AuditEntry
from tests import factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member

BADGE_FIELDS = "id code name description imageUrl levels { level name threshold } rule { kind activityType }"

CREATE_BADGE = f"""
mutation Create($input: CreateBadgeInput!) {{
  createBadge(input: $input) {{
    __typename
    ... on BadgeSaved {{ badge {{ {BADGE_FIELDS} }} }}
    ... on InvalidInput {{ fields {{ path message }} }}
  }}
}}"""

UPDATE_BADGE = f"""
mutation Update($input: UpdateBadgeInput!) {{
  updateBadge(input: $input) {{
    __typename
    ... on BadgeSaved {{ badge {{ {BADGE_FIELDS} }} }}
    ... on InvalidInput {{ fields {{ path message }} }}
    ... on NotFound {{ entity key }}
  }}
}}"""

MY_BADGES = "{ me { badges { code name level levelName earnedAt progress { current nextThreshold } } } }"

RECORD_ACTIVITY = """
mutation Record($input: RecordActivityInput!) { recordActivity(input: $input) { __typename } }"""

ECO_HERO = {
    "code": "eco-hero", "name": "Eco hero", "description": "Recycle, level up",
    "imageUrl": "https://cdn.example.com/badges/eco.png",
    "levels": [{"name": "Bronze", "threshold": 1}, {"name": "Silver", "threshold": 3}, {"name": "Gold", "threshold": 10}],
    "rule": {"kind": "ACTIVITY_COUNT", "activityType": "RECYCLE"},
}


async def create(gql, **changes: object) -> dict:
    result = await gql.execute(CREATE_BADGE, {"input": {**ECO_HERO, **changes}}, as_=MARKETER)
    return result.data["createBadge"]


async def recycle(gql, member_id: object) -> None:
    variables = {"input": {"memberId": str(member_id), "type": "RECYCLE", "idempotencyKey": factories.next_key("scan"),
                           "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}}
    assert (await gql.execute(RECORD_ACTIVITY, variables, as_=INTEGRATION)).data["recordActivity"]["__typename"] == (
        "ActivityRecorded")


async def test_a_marketer_creates_a_levelled_badge_that_everyone_can_browse(gql, program):
    created = await create(gql)
    assert created["__typename"] == "BadgeSaved"
    badge = created["badge"]
    assert {k: v for k, v in badge.items() if k != "id"} == {
        "code": "eco-hero", "name": "Eco hero", "description": "Recycle, level up",
        "imageUrl": "https://cdn.example.com/badges/eco.png",
        "levels": [{"level": 1, "name": "Bronze", "threshold": 1}, {"level": 2, "name": "Silver", "threshold": 3},
                   {"level": 3, "name": "Gold", "threshold": 10}],
        "rule": {"kind": "ACTIVITY_COUNT", "activityType": "RECYCLE"},
    }
    someone = await factories.member(program)
    listed = await gql.execute(f"{{ badges {{ {BADGE_FIELDS} }} }}", as_=member(someone.id))
    assert listed.data["badges"] == [badge]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"levels": [{"name": "Gold", "threshold": 10}, {"name": "Bronze", "threshold": 1}]}, "levels.1.threshold"),
        ({"imageUrl": "http://cdn.example.com/eco.png"}, "imageUrl"),
        ({"rule": {"kind": "ACTIVITY_COUNT", "activityType": "TELEPORT"}}, "rule.activityType"),
        ({"rule": {"kind": "WEEKLY_STREAK", "activityType": "TELEPORT"}}, "rule.activityType"),
        ({"code": ""}, "code"),
    ],
)
async def test_a_bad_badge_is_invalid_input_naming_the_field_and_writes_nothing(gql, program, changes, path):
    payload = await create(gql, **changes)
    assert payload["__typename"] == "InvalidInput"
    assert [f["path"] for f in payload["fields"]] == [path]
    assert (await Badge.all().count(), await AuditEntry.all().count()) == (0, 0)


async def test_only_marketers_and_admins_keep_the_catalog(gql, program):
    someone = await factories.member(program)
    for caller in (INTEGRATION, member(someone.id)):
        result = await gql.execute(CREATE_BADGE, {"input": ECO_HERO}, as_=caller)
        assert result.error_codes == ["FORBIDDEN"]
    assert (await gql.execute(CREATE_BADGE, {"input": ECO_HERO}, as_=ADMIN)).data["createBadge"]["__typename"] == (
        "BadgeSaved")
    assert await Badge.all().count() == 1


async def test_updating_keeps_what_is_left_out_and_null_rule_removes_the_rule(gql, program):
    badge_id = (await create(gql))["badge"]["id"]
    renamed = await gql.execute(UPDATE_BADGE, {"input": {"id": badge_id, "name": "Eco legend"}}, as_=MARKETER)
    assert renamed.data["updateBadge"]["badge"]["name"] == "Eco legend"
    assert renamed.data["updateBadge"]["badge"]["rule"] == ECO_HERO["rule"]
    ruleless = await gql.execute(UPDATE_BADGE, {"input": {"id": badge_id, "rule": None}}, as_=MARKETER)
    assert ruleless.data["updateBadge"]["badge"]["rule"] is None
    assert ruleless.data["updateBadge"]["badge"]["name"] == "Eco legend"


async def test_updating_with_levels_out_of_order_or_an_unknown_id_changes_nothing(gql, program):
    badge_id = (await create(gql))["badge"]["id"]
    swapped = [{"name": "A", "threshold": 5}, {"name": "B", "threshold": 6}, {"name": "C", "threshold": 6}]
    bad = await gql.execute(UPDATE_BADGE, {"input": {"id": badge_id, "levels": swapped}}, as_=MARKETER)
    missing = await gql.execute(UPDATE_BADGE, {"input": {"id": "999999", "name": "x"}}, as_=MARKETER)
    malformed = await gql.execute(UPDATE_BADGE, {"input": {"id": "abc", "name": "x"}}, as_=MARKETER)
    assert [f["path"] for f in bad.data["updateBadge"]["fields"]] == ["levels.2.threshold"]
    assert missing.data["updateBadge"] == {"__typename": "NotFound", "entity": "badge", "key": "999999"}
    assert [f["path"] for f in malformed.data["updateBadge"]["fields"]] == ["id"]
    assert [lv["threshold"] for lv in (await Badge.get(id=int(badge_id))).levels] == [1, 3, 10]


async def test_a_member_earns_levels_by_recycling_and_sees_progress_toward_the_next(gql, program):
    # given the eco-hero badge (Bronze 1, Silver 3, Gold 10) and a member with none
    await create(gql)
    someone = await factories.member(program)
    assert (await gql.execute(MY_BADGES, as_=member(someone.id))).data["me"]["badges"] == []
    # when the member recycles four times
    before = datetime.now(UTC)
    for _ in range(4):
        await recycle(gql, someone.id)
    # then they hold Silver (level 2), earned just now, 4 of the 10 Gold needs
    [badge] = (await gql.execute(MY_BADGES, as_=member(someone.id))).data["me"]["badges"]
    earned_at = datetime.fromisoformat(badge.pop("earnedAt"))
    assert badge == {"code": "eco-hero", "name": "Eco hero", "level": 2, "levelName": "Silver",
                     "progress": {"current": 4, "nextThreshold": 10}}
    assert before <= earned_at <= datetime.now(UTC)
