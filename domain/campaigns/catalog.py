"""The campaign catalog marketers configure: create, update, and the lifecycle
DRAFT -> ACTIVE <-> PAUSED -> ENDED (ENDED is final; a draft may end without running).

Every change writes a CampaignVersion (the full specification, who, when, what change)
and an AuditEntry, in the change's transaction; a rejected change writes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from domain import audit
from domain.campaigns.rule_json import parts_from_json, rule_json
from domain.campaigns.rules import CampaignRule, Conditions, Effect
from domain.campaigns.schedule import Schedule
from domain.campaigns.validation import (
    CampaignSpec,
    Neighbour,
    field_problems,
    occasion_of,
    overlap_problems,
    whole_problems,
)
from domain import models
from domain.errors import FieldProblem, InvalidInput, InvalidTransition, NotFound, Problems
from domain.models import Campaign, CampaignStatus, CampaignVersion, Program, Stacking, Tier
from domain.row_ids import MAX_INT_ID

# Statuses whose campaigns can still fire: what an exclusive campaign must not overlap.
LIVE = (CampaignStatus.ACTIVE, CampaignStatus.PAUSED)
TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ENDED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.ENDED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ENDED}),
    CampaignStatus.ENDED: frozenset(),
}
CHANGE_NAMES = {CampaignStatus.ACTIVE: "activate", CampaignStatus.PAUSED: "pause", CampaignStatus.ENDED: "end"}


def spec_of(campaign: Campaign) -> CampaignSpec:
    conditions, effect, cap, timing = parts_from_json(campaign.rule)
    return CampaignSpec(
        name=campaign.name, description=campaign.description, kind=campaign.kind,
        conditions=conditions, effect=effect, starts_at=campaign.starts_at, ends_at=campaign.ends_at,
        segment_id=campaign.segment_id, priority=campaign.priority, stacking=campaign.stacking,
        cap=cap, budget_points=campaign.budget_points, **timing,
    )


def rule_of(campaign: Campaign) -> CampaignRule:
    """The pure rule of a stored campaign, as the evaluation sees it."""
    conditions, effect, cap, timing = parts_from_json(campaign.rule)
    return CampaignRule(
        id=campaign.id, name=campaign.name, kind=campaign.kind,
        schedule=Schedule(campaign.starts_at, campaign.ends_at, **timing),
        conditions=conditions, effect=effect, segment_id=campaign.segment_id,
        priority=campaign.priority, stacking=campaign.stacking, cap=cap,
        budget_remaining=campaign.budget_remaining,
    )


def _columns(spec: CampaignSpec) -> dict[str, Any]:
    assert spec.name is not None and spec.starts_at is not None
    cap = spec.cap if spec.cap and spec.cap.points > 0 else None
    return {
        "name": spec.name.strip(),
        "description": spec.description or "",
        "kind": spec.kind,
        "rule": rule_json(spec.conditions or Conditions(), spec.effect or Effect(), cap, spec.schedule()),
        "segment_id": spec.segment_id or None,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "priority": spec.priority or 0,
        "stacking": spec.stacking or Stacking.COMBINABLE,
        "budget_points": spec.budget_points or None,
    }


def snapshot(campaign: Campaign) -> dict[str, Any]:
    """The full specification as JSON, for versions and the audit log."""
    return {
        "name": campaign.name, "description": campaign.description, "kind": campaign.kind.value,
        "status": campaign.status.value, "rule": campaign.rule, "segment_id": campaign.segment_id,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat() if campaign.ends_at else None,
        "priority": campaign.priority, "stacking": campaign.stacking.value,
        "budget_points": campaign.budget_points, "budget_remaining": campaign.budget_remaining,
    }


async def _neighbours(program_id: int, except_id: int | None) -> list[Neighbour]:
    rows = await Campaign.filter(program_id=program_id, status__in=LIVE, stacking=Stacking.EXCLUSIVE)
    neighbours = []
    for row in rows:
        if row.id != except_id:
            rule = rule_of(row)
            neighbours.append(Neighbour(row.id, row.name, rule.schedule, row.priority, row.stacking,
                                        occasion_of(rule.kind, rule.effect)))
    return neighbours


async def reference_problems(program_id: int, given: CampaignSpec) -> list[FieldProblem]:
    """Tiers and the segment must be this program's (a segment is another context's row)."""
    problems = Problems()
    if given.conditions is not None and given.conditions.tier_ids:
        known = set(await Tier.filter(program_id=program_id).values_list("id", flat=True))
        for i, tier_id in enumerate(given.conditions.tier_ids):
            if tier_id not in known:
                problems.add(f"conditions.tierIds.{i}", f"no tier {tier_id} in this program")
    segment_model = getattr(models, "Segment", None)
    if given.segment_id and segment_model is not None:
        if not await segment_model.exists(id=given.segment_id, program_id=program_id):
            problems.add("segmentId", f"no segment {given.segment_id} in this program")
    return problems.items


async def _check(program_id: int, merged: CampaignSpec, given: CampaignSpec, creating: bool, self_id: int | None) -> None:
    problems = field_problems(given, creating)
    if not problems:
        problems = whole_problems(merged) + await reference_problems(program_id, given)
        problems += overlap_problems(merged, await _neighbours(program_id, self_id))
    if problems:
        raise InvalidInput(problems)


async def _record(campaign: Campaign, change: str, actor: str, now: datetime, details: dict[str, Any]) -> None:
    spec = snapshot(campaign)
    await CampaignVersion.create(
        campaign=campaign, version=campaign.version, change=change, spec=spec, changed_by=actor, changed_at=now
    )
    details = {"version": campaign.version, **details}
    await audit.record(campaign.program_id, actor, f"{change}Campaign", f"campaign:{campaign.id}", details, now)


async def create_campaign(program: Program, spec: CampaignSpec, actor: str, now: datetime) -> Campaign:
    async with in_transaction():
        await _check(program.id, spec, spec, creating=True, self_id=None)
        columns = _columns(spec)
        campaign = await Campaign.create(
            program_id=program.id, status=CampaignStatus.DRAFT, version=1,
            budget_remaining=columns["budget_points"], created_at=now, updated_at=now, **columns,
        )
        await _record(campaign, "create", actor, now, {"spec": snapshot(campaign)})
        return campaign


async def get_campaign(program_id: int, campaign_id: int, lock: bool = False) -> Campaign:
    query = Campaign.filter(id=campaign_id, program_id=program_id) if 0 < campaign_id <= MAX_INT_ID else None
    found = await (query.select_for_update() if lock else query).first() if query is not None else None
    if found is None:
        raise NotFound("campaign", str(campaign_id))
    return found


async def update_campaign(
    program: Program, campaign_id: int, change: CampaignSpec, actor: str, now: datetime
) -> Campaign:
    """Any field may change while the campaign lives; a budget may not drop below what
    was already awarded from it."""
    async with in_transaction():
        campaign = await get_campaign(program.id, campaign_id, lock=True)
        if campaign.status == CampaignStatus.ENDED:
            raise InvalidTransition("campaign", campaign.status.value, "changed")
        given = {k: v for k, v in vars(change).items() if v is not None}
        if change.starts_at is not None:  # a schedule is replaced as a whole: None is "no end"
            given |= {"ends_at": change.ends_at, "days_of_week": change.days_of_week or (),
                      "time_from": change.time_from, "time_to": change.time_to}
        merged = replace(spec_of(campaign), **given)
        await _check(program.id, merged, change, creating=False,
                     self_id=campaign.id if campaign.status in LIVE else None)
        columns = _columns(merged)
        columns["budget_remaining"] = _new_remaining(campaign, columns["budget_points"])
        await Campaign.filter(id=campaign.id).update(**columns, version=campaign.version + 1, updated_at=now)
        campaign = await Campaign.get(id=campaign.id)
        await _record(campaign, "update", actor, now, {"changed": sorted(given)})
        return campaign


def _new_remaining(campaign: Campaign, budget: int | None) -> int | None:
    if budget is None:
        return None
    awarded = (campaign.budget_points - (campaign.budget_remaining or 0)) if campaign.budget_points else 0
    if budget < awarded:
        raise InvalidInput.one("budgetPoints", f"{awarded} points were already awarded from this budget")
    return budget - awarded


async def set_status(
    program: Program, campaign_id: int, status: CampaignStatus, actor: str, now: datetime
) -> Campaign:
    async with in_transaction():
        campaign = await get_campaign(program.id, campaign_id, lock=True)
        if status not in TRANSITIONS[campaign.status]:
            raise InvalidTransition("campaign", campaign.status.value, status.value)
        if status == CampaignStatus.ACTIVE:
            if campaign.ends_at is not None and campaign.ends_at <= now:
                raise InvalidInput.one("schedule.endsAt", "has passed: change the schedule before activating")
            spec = spec_of(campaign)
            problems = overlap_problems(spec, await _neighbours(program.id, campaign.id))
            if problems:
                raise InvalidInput(problems)
        await Campaign.filter(id=campaign.id).update(status=status, version=campaign.version + 1, updated_at=now)
        campaign = await Campaign.get(id=campaign.id)
        await _record(campaign, CHANGE_NAMES[status], actor, now, {"status": status.value})
        return campaign


async def list_campaigns(
    program_id: int, status: CampaignStatus | None, first: int, after_id: int | None
) -> list[Campaign]:
    """Newest first; one extra row tells the caller whether another page exists."""
    query = Campaign.filter(program_id=program_id)
    if status is not None:
        query = query.filter(status=status)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    return await query.order_by("-id").limit(first + 1)


async def versions(campaign_id: int) -> list[CampaignVersion]:
    return await CampaignVersion.filter(campaign_id=campaign_id).order_by("version")
