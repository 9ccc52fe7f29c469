"""Configuring campaigns: validation, lifecycle, versions and audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.campaigns import catalog
from domain.campaigns.rules import Conditions, Effect, Trigger
from domain.errors import InvalidInput, InvalidTransition
from domain.models import AuditEntry, Campaign, CampaignStatus, CampaignVersion, Stacking
from tests.campaign_factories import MARKETER, STARTS, active, double_points, fixed_bonus
from tests.factories import NOW


async def rejected(program, spec) -> dict[str, str]:
    with pytest.raises(InvalidInput) as bad:
        await catalog.create_campaign(program, spec, MARKETER, NOW)
    return {p.path: p.message for p in bad.value.problems}


@pytest.mark.parametrize("factor", ["0", "1", "1000", "1.005"])
async def test_a_multiplier_outside_1_to_10_is_refused_naming_the_field(program, factor):
    problems = await rejected(program, double_points(effect=Effect(factor=Decimal(factor))))
    assert list(problems) == ["effect.factor"]
    assert await Campaign.all().count() == 0 and await AuditEntry.all().count() == 0


async def test_an_end_before_the_start_is_refused(program):
    problems = await rejected(program, double_points(ends_at=STARTS - timedelta(days=1)))
    assert problems == {"schedule.endsAt": "must be after startsAt"}


async def test_every_problem_is_reported_at_once(program):
    spec = double_points(name=" ", days_of_week=(0, 6), priority=-1)
    problems = await rejected(program, spec)
    assert set(problems) == {"name", "schedule.daysOfWeek.0", "priority"}


async def test_overlapping_exclusive_campaigns_with_the_same_priority_are_refused(program):
    # given an active exclusive campaign for June
    june = double_points(name="June", stacking=Stacking.EXCLUSIVE, ends_at=STARTS + timedelta(days=200))
    await active(program, june)
    # when another exclusive campaign overlapping it is created with the same priority
    problems = await rejected(program, double_points(name="Summer", stacking=Stacking.EXCLUSIVE))
    # then `stacking` names the conflict and nothing is written
    assert list(problems) == ["stacking"] and "'June'" in problems["stacking"]
    assert await Campaign.all().count() == 1
    # a different priority or a combinable one is fine
    await catalog.create_campaign(program, double_points(stacking=Stacking.EXCLUSIVE, priority=3), MARKETER, NOW)
    await catalog.create_campaign(program, double_points(), MARKETER, NOW)


async def test_activating_a_draft_that_overlaps_an_active_exclusive_one_is_refused(program):
    # given a draft exclusive campaign (drafts may overlap: they never fire)
    draft = await catalog.create_campaign(program, double_points(stacking=Stacking.EXCLUSIVE), MARKETER, NOW)
    # and then an exclusive one with the same priority went live
    await active(program, double_points(name="Other", stacking=Stacking.EXCLUSIVE))
    # when the draft is activated, it is refused and stays a draft
    with pytest.raises(InvalidInput) as bad:
        await catalog.set_status(program, draft.id, CampaignStatus.ACTIVE, MARKETER, NOW)
    assert [p.path for p in bad.value.problems] == ["stacking"]
    assert (await Campaign.get(id=draft.id)).status == CampaignStatus.DRAFT


async def test_lifecycle_draft_active_paused_active_ended_and_ended_is_final(program):
    campaign = await catalog.create_campaign(program, double_points(), MARKETER, NOW)
    for status in (CampaignStatus.ACTIVE, CampaignStatus.PAUSED, CampaignStatus.ACTIVE, CampaignStatus.ENDED):
        campaign = await catalog.set_status(program, campaign.id, status, MARKETER, NOW)
        assert campaign.status == status
    with pytest.raises(InvalidTransition) as refused:
        await catalog.set_status(program, campaign.id, CampaignStatus.ACTIVE, MARKETER, NOW)
    assert refused.value.message == "a ended campaign can't become active"
    with pytest.raises(InvalidTransition):
        await catalog.update_campaign(program, campaign.id, catalog.CampaignSpec(name="Again"), MARKETER, NOW)


async def test_a_draft_cannot_be_paused(program):
    campaign = await catalog.create_campaign(program, double_points(), MARKETER, NOW)
    with pytest.raises(InvalidTransition):
        await catalog.set_status(program, campaign.id, CampaignStatus.PAUSED, MARKETER, NOW)


async def test_every_change_is_a_version_with_who_when_and_what_and_an_audit_entry(program):
    campaign = await catalog.create_campaign(program, double_points(), MARKETER, NOW)
    later = NOW + timedelta(hours=1)
    await catalog.update_campaign(program, campaign.id, catalog.CampaignSpec(name="Triple", effect=Effect(factor=Decimal(3))),
                                  "marketer:other", later)
    await catalog.set_status(program, campaign.id, CampaignStatus.ACTIVE, MARKETER, later)
    versions = await catalog.versions(campaign.id)
    assert [(v.version, v.change, v.changed_by) for v in versions] == [
        (1, "create", MARKETER), (2, "update", "marketer:other"), (3, "activate", MARKETER)]
    assert versions[0].spec["rule"]["effect"]["factor"] == "2"
    assert versions[1].spec["name"] == "Triple" and versions[1].spec["rule"]["effect"]["factor"] == "3"
    assert versions[2].spec["status"] == "active"
    actions = await AuditEntry.filter(target=f"campaign:{campaign.id}").order_by("id").values_list("action", flat=True)
    assert actions == ["createCampaign", "updateCampaign", "activateCampaign"]


async def test_a_rejected_update_writes_nothing(program):
    campaign = await catalog.create_campaign(program, double_points(), MARKETER, NOW)
    with pytest.raises(InvalidInput):
        await catalog.update_campaign(program, campaign.id, catalog.CampaignSpec(ends_at=None, starts_at=STARTS,
                                      effect=Effect(factor=Decimal(1000))), MARKETER, NOW)
    assert await CampaignVersion.all().count() == 1
    assert (await Campaign.get(id=campaign.id)).version == 1


async def test_a_budget_cannot_drop_below_what_was_awarded(program):
    campaign = await catalog.create_campaign(program, double_points(budget_points=1_000), MARKETER, NOW)
    await Campaign.filter(id=campaign.id).update(budget_remaining=400)  # 600 awarded
    with pytest.raises(InvalidInput) as bad:
        await catalog.update_campaign(program, campaign.id, catalog.CampaignSpec(budget_points=500), MARKETER, NOW)
    assert [p.path for p in bad.value.problems] == ["budgetPoints"]
    raised = await catalog.update_campaign(program, campaign.id, catalog.CampaignSpec(budget_points=2_000), MARKETER, NOW)
    assert (raised.budget_points, raised.budget_remaining) == (2_000, 1_400)


async def test_an_unknown_segment_or_tier_is_refused(program):
    problems = await rejected(program, double_points(segment_id=999, conditions=Conditions(tier_ids=(12345,))))
    assert set(problems) == {"segmentId", "conditions.tierIds.0"}


async def test_exclusive_campaigns_on_different_occasions_do_not_conflict(program):
    # given an exclusive signup bonus, which never competes with purchase campaigns
    await active(program, fixed_bonus(Trigger.SIGNUP, stacking=Stacking.EXCLUSIVE))
    # when an exclusive double-points campaign with the same priority goes live, it is accepted
    campaign = await active(program, double_points(stacking=Stacking.EXCLUSIVE))
    assert campaign.status == CampaignStatus.ACTIVE
