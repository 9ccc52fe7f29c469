"""Campaigns through GraphQL: a marketer's double-points weekend for a segment, end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.seed_campaigns import seed_campaigns
from domain.models import AuditEntry, Campaign, CampaignVersion, Member, Partner, Purchase
from domain.segments.catalog import SegmentSpec, create_segment
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER, member

NOW = datetime.now(UTC)
# The latest Saturday and Monday noon in the past (the program's zone is UTC here).
SATURDAY = (NOW - timedelta(days=(NOW.weekday() - 5) % 7 or 7)).replace(hour=12, minute=0, second=0, microsecond=0)
MONDAY = SATURDAY - timedelta(days=5)

CREATE = """mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
  __typename
  ... on CampaignSaved { campaign { id status version schedule { daysOfWeek } effect { factor } } }
  ... on InvalidInput { fields { path message } } } }"""
ACTIVATE = """mutation($id: ID!) { activateCampaign(id: $id) { __typename
  ... on CampaignSaved { campaign { status } }
  ... on InvalidTransition { fromState toState } } }"""
SIMULATE = """query($input: SimulatePurchaseInput!) { simulatePurchase(input: $input) { __typename
  ... on PurchaseSimulation { pointsEarned breakdown { rule points campaignName }
                              campaigns { campaignName fired reason points } } } }"""
RECORD = """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename
  ... on PurchaseRecorded { pointsEarned balance breakdown { rule points campaignId campaignName } } } }"""


def weekend_campaign(segment_id: int | None = None, **changes: Any) -> dict[str, Any]:
    spec = {"name": "Double points weekend", "kind": "MULTIPLIER", "effect": {"factor": "2"},
            "schedule": {"startsAt": "2026-01-01T00:00:00Z", "daysOfWeek": [6, 7]}}
    if segment_id is not None:
        spec["segmentId"] = str(segment_id)
    return spec | changes


def purchase(member_id: object, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"memberId": str(member_id), "amount": 30_00, "currency": "EUR", "occurredAt": at.isoformat(), **extra}


@pytest.fixture
async def weekenders(program) -> tuple[int, Member, Member]:
    rule = {"match": "ALL", "conditions": [{"field": "TAG", "op": "HAS", "value": "weekend"}]}
    segment = await create_segment(program, SegmentSpec("Weekenders", rule), "marketer:test", NOW)
    inside, outside = await factories.member(program, now=NOW), await factories.member(program, now=NOW)
    await Member.filter(id=inside.id).update(tags=["weekend"])
    return segment.id, inside, outside


async def test_a_marketer_creates_a_weekend_campaign_for_a_segment_and_a_member_earns_under_it(gql, weekenders):
    segment_id, inside, outside = weekenders
    # given a marketer's draft double-points weekend campaign for the segment
    created = (await gql.execute(CREATE, {"input": weekend_campaign(segment_id)}, as_=MARKETER)).data["createCampaign"]
    campaign = created["campaign"]
    assert (campaign["status"], campaign["schedule"]["daysOfWeek"], campaign["effect"]["factor"]) == ("DRAFT", [6, 7], "2")
    # when the draft is simulated for a Saturday and a Monday purchase
    saturday = (await gql.execute(SIMULATE, {"input": purchase(inside.id, SATURDAY, includeDraftCampaigns=True)},
                                  as_=MARKETER)).data["simulatePurchase"]
    monday = (await gql.execute(SIMULATE, {"input": purchase(inside.id, MONDAY, includeDraftCampaigns=True)},
                                as_=MARKETER)).data["simulatePurchase"]
    # then it fires on Saturday and says why it does not on Monday
    assert saturday["pointsEarned"] == 60
    assert saturday["campaigns"] == [{"campaignName": "Double points weekend", "fired": True,
                                      "reason": "x2 on the purchase (30.00)", "points": 30}]
    assert monday["pointsEarned"] == 30
    assert monday["campaigns"] == [{"campaignName": "Double points weekend", "fired": False,
                                    "reason": "outside schedule: campaign runs Sat–Sun", "points": 0}]
    # and a member outside the segment is told so
    other = (await gql.execute(SIMULATE, {"input": purchase(outside.id, SATURDAY, includeDraftCampaigns=True)},
                               as_=INTEGRATION)).data["simulatePurchase"]
    assert other["campaigns"][0]["reason"] == f"member not in segment {segment_id}"
    # when activated, a Saturday purchase earns under it and the breakdown names it
    activated = await gql.execute(ACTIVATE, {"id": campaign["id"]}, as_=MARKETER)
    assert activated.data["activateCampaign"]["campaign"]["status"] == "ACTIVE"
    recorded = (await gql.execute(RECORD, {"input": purchase(inside.id, SATURDAY, idempotencyKey="sat-1")},
                                  as_=INTEGRATION)).data["recordPurchase"]
    assert recorded["pointsEarned"] == 60 and recorded["balance"] == 60
    assert recorded["breakdown"][-1] == {"rule": "campaign", "points": 30, "campaignId": campaign["id"],
                                         "campaignName": "Double points weekend"}
    assert recorded["breakdown"][0]["campaignId"] is None


@pytest.mark.parametrize(("changes", "path"), [
    ({"effect": {"factor": "0"}}, "effect.factor"),
    ({"effect": {"factor": "1"}}, "effect.factor"),
    ({"effect": {"factor": "1000"}}, "effect.factor"),
    ({"schedule": {"startsAt": "2026-06-01T00:00:00Z", "endsAt": "2026-05-01T00:00:00Z"}}, "schedule.endsAt"),
    ({"schedule": {"startsAt": "2026-06-01T00:00:00Z", "daysOfWeek": [8]}}, "schedule.daysOfWeek.0"),
    ({"kind": "SPEND_THRESHOLD", "effect": {"bonusPoints": 200}}, "effect.thresholdAmount"),
])
async def test_bad_input_names_the_field_and_writes_nothing(gql, program, changes, path):
    result = (await gql.execute(CREATE, {"input": weekend_campaign(**changes)}, as_=MARKETER)).data["createCampaign"]
    assert result["__typename"] == "InvalidInput"
    assert [f["path"] for f in result["fields"]] == [path]
    assert await Campaign.all().count() == 0 and await CampaignVersion.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_overlapping_exclusive_campaigns_are_refused_on_stacking(gql, program):
    first = weekend_campaign(stacking="EXCLUSIVE")
    made = (await gql.execute(CREATE, {"input": first}, as_=MARKETER)).data["createCampaign"]["campaign"]
    await gql.execute(ACTIVATE, {"id": made["id"]}, as_=MARKETER)
    again = (await gql.execute(CREATE, {"input": first | {"name": "Also exclusive"}}, as_=MARKETER)).data
    assert [f["path"] for f in again["createCampaign"]["fields"]] == ["stacking"]
    assert await Campaign.all().count() == 1


async def test_versions_and_lifecycle_errors(gql, program):
    made = (await gql.execute(CREATE, {"input": weekend_campaign()}, as_=MARKETER)).data["createCampaign"]["campaign"]
    update = """mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { __typename } }"""
    await gql.execute(update, {"input": {"id": made["id"], "name": "Triple weekend", "effect": {"factor": "3"}}},
                      as_=MARKETER)
    end = 'mutation($id: ID!) { endCampaign(id: $id) { __typename } }'
    assert (await gql.execute(end, {"id": made["id"]}, as_=MARKETER)).data["endCampaign"]["__typename"] == "CampaignSaved"
    refused = (await gql.execute(ACTIVATE, {"id": made["id"]}, as_=MARKETER)).data["activateCampaign"]
    assert refused == {"__typename": "InvalidTransition", "fromState": "ended", "toState": "active"}
    query = """query($id: ID!) { campaign(id: $id) { ... on Campaign { name status
               versions { version change changedBy } } } }"""
    campaign = (await gql.execute(query, {"id": made["id"]}, as_=MARKETER)).data["campaign"]
    assert campaign["name"] == "Triple weekend" and campaign["status"] == "ENDED"
    assert [(v["version"], v["change"]) for v in campaign["versions"]] == [(1, "create"), (2, "update"), (3, "end")]
    assert {v["changedBy"] for v in campaign["versions"]} == {f"marketer:{MARKETER.subject}"}
    listed = (await gql.execute('{ campaigns(status: ENDED) { edges { node { id } } } }', as_=MARKETER)).data
    assert [e["node"]["id"] for e in listed["campaigns"]["edges"]] == [made["id"]]


async def test_members_cannot_simulate(gql, weekenders):
    _, inside, _ = weekenders
    result = await gql.execute(SIMULATE, {"input": purchase(inside.id, SATURDAY)}, as_=member(inside.id))
    assert result.error_codes == ["FORBIDDEN"]


async def test_the_demo_seed_adds_its_campaigns_and_partner_once(program):
    # when the demo seed runs twice
    await seed_campaigns(program, NOW)
    await seed_campaigns(program, NOW)
    # then there is one of each, active
    campaigns = await Campaign.all().order_by("id").values_list("name", "status")
    assert [(name, status.value) for name, status in campaigns] == [("Welcome bonus", "active"),
                                                                    ("Coffee Tuesdays", "active")]
    assert await Partner.all().count() == 1
    # and a new member gets the welcome bonus
    newcomer = await factories.member(program, now=NOW)
    assert (await Member.get(id=newcomer.id)).points_balance == 100


async def test_simulation_can_be_limited_to_chosen_campaigns_and_writes_nothing(gql, weekenders):
    _, inside, _ = weekenders
    ids = []
    for name in ("A", "B"):
        made = await gql.execute(CREATE, {"input": weekend_campaign(name=name)}, as_=MARKETER)
        ids.append(made.data["createCampaign"]["campaign"]["id"])
    only_b = purchase(inside.id, SATURDAY, includeDraftCampaigns=True, campaignIds=[ids[1]])
    result = (await gql.execute(SIMULATE, {"input": only_b}, as_=MARKETER)).data["simulatePurchase"]
    assert [c["campaignName"] for c in result["campaigns"]] == ["B"]
    assert result["pointsEarned"] == 60
    # without includeDraftCampaigns, drafts are not considered at all
    active_only = (await gql.execute(SIMULATE, {"input": purchase(inside.id, SATURDAY)}, as_=MARKETER)).data
    assert active_only["simulatePurchase"]["campaigns"] == []
    assert await Purchase.all().count() == 0
