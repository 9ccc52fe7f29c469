"""JSON input values (activity attributes, reward impact, segment and goal values) are
small descriptions, not documents: depth, entries and size are bounded, NaN is refused,
with InvalidInput naming the field and nothing written. What is stored already (from
before the limits) still exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from challenges.models import Activity
from domain.models import Reward, Segment
from tests import factories
from tests.graphql_client import MARKETER, GraphQLClient, member

RECORD_ACTIVITY = """
mutation Record($input: RecordActivityInput!) {
  recordActivity(input: $input) {
    __typename
    ... on ActivityRecorded { activityId }
    ... on InvalidInput { fields { path message } }
  }
}"""

CREATE_REWARD = """
mutation($input: CreateRewardInput!) {
  createReward(input: $input) {
    __typename
    ... on RewardSaved { reward { impact } }
    ... on InvalidInput { fields { path message } }
  }
}"""

CREATE_SEGMENT = """
mutation($input: CreateSegmentInput!) {
  createSegment(input: $input) {
    __typename
    ... on InvalidInput { fields { path message } }
  }
}"""

EXPORT = "{ exportMyData }"


def nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def check_in(**attributes: object) -> dict:
    return {"type": "CHECK_IN", "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "idempotencyKey": factories.next_key("scan"), "attributes": attributes}


def reward(**changes: object) -> dict:
    return {"name": "Plant a tree", "kind": "SUSTAINABILITY_ACTION", "costPoints": 100, **changes}


async def test_attributes_nested_six_deep_are_invalid_input_and_nothing_is_written(gql, program):
    # given a member
    someone = await factories.member(program)
    # when they report a check-in whose attributes nest 6 levels (5 is the limit)
    result = await gql.execute(RECORD_ACTIVITY, {"input": check_in(place=nested(5))}, as_=member(someone.id))
    # then the field is named with the limit, and nothing is written
    assert result.data["recordActivity"] == {"__typename": "InvalidInput", "fields": [
        {"path": "attributes", "message": "must nest at most 5 levels of objects and arrays"}]}
    assert await Activity.all().count() == 0


async def test_attributes_five_deep_are_fine(gql, program):
    someone = await factories.member(program)
    result = await gql.execute(RECORD_ACTIVITY, {"input": check_in(place=nested(4))}, as_=member(someone.id))
    assert result.data["recordActivity"]["__typename"] == "ActivityRecorded"


async def test_attributes_with_more_than_fifty_keys_or_items_are_invalid_input(gql, program):
    someone = await factories.member(program)
    many_keys = check_in(**{f"k{i}": i for i in range(51)})
    many_items = check_in(tags=list(range(51)))
    for given in (many_keys, many_items):
        result = await gql.execute(RECORD_ACTIVITY, {"input": given}, as_=member(someone.id))
        assert result.data["recordActivity"]["fields"] == [
            {"path": "attributes", "message": "must have at most 50 entries in an object or array"}]
    assert await Activity.all().count() == 0


async def test_a_reward_impact_too_deep_too_large_or_not_a_number_is_invalid_input(gql: GraphQLClient, program):
    # when a marketer creates rewards whose impact nests 6 deep, or takes 5 KB
    deep = await gql.execute(CREATE_REWARD, {"input": reward(impact=nested(6))}, as_=MARKETER)
    large = await gql.execute(CREATE_REWARD, {"input": reward(impact={"note": "x" * 5000})}, as_=MARKETER)
    # and one whose impact is NaN (Python's JSON reader takes it; PostgreSQL's jsonb does not)
    body = json.dumps({"query": CREATE_REWARD, "variables": {"input": reward(impact={"trees": float("nan")})}})
    response = await gql.http.post("/graphql", content=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {gql.token(MARKETER)}"})
    # then each names the field, and no reward exists
    assert deep.data["createReward"]["fields"] == [
        {"path": "impact", "message": "must nest at most 5 levels of objects and arrays"}]
    assert large.data["createReward"]["fields"] == [{"path": "impact", "message": "must be at most 4096 bytes as JSON"}]
    assert response.json()["data"]["createReward"]["fields"] == [
        {"path": "impact.trees", "message": "must be plain JSON (no NaN or Infinity)"}]
    assert await Reward.all().count() == 0


async def test_a_segment_condition_value_over_the_limits_names_its_path(gql, program):
    # when a marketer makes a segment whose second condition's value lists 51 tier ids
    rule = {"match": "ANY", "conditions": [{"field": "BALANCE", "op": "GTE", "value": 100},
                                           {"field": "TIER", "op": "IN", "value": [str(i) for i in range(51)]}]}
    result = await gql.execute(CREATE_SEGMENT, {"input": {"name": "Many tiers", "rule": rule}}, as_=MARKETER)
    # then the path leads to that value
    assert result.data["createSegment"]["fields"] == [
        {"path": "rule.conditions.1.value", "message": "must have at most 50 entries in an object or array"}]
    assert await Segment.all().count() == 0


async def test_export_my_data_still_works_with_attributes_stored_800_deep(gql, program):
    # given a member with an activity whose attributes were stored 800 levels deep (before the limit)
    someone = await factories.member(program)
    recorded = await factories.activity(program, someone.id, "CHECK_IN")
    await Activity.filter(id=recorded.activity_id).update(attributes=nested(800))
    # when they export their data
    result = await gql.execute(EXPORT, as_=member(someone.id))
    # then the export arrives, the deep value kept as its JSON text
    [row] = result.data["exportMyData"]["tables"]["activity"]
    attributes = row["attributes"]
    assert isinstance(attributes, dict) and attributes["format"] == "json-text"
    assert attributes["json"] == json.dumps(nested(800), separators=(",", ":"))
