"""What makes a campaign specification valid, without the database. Pure.

Problems name the GraphQL input path (`effect.factor`, `schedule.endsAt`, ...), all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from domain.campaigns.rules import PURCHASE_TRIGGERS, Cap, Conditions, Effect
from domain.campaigns.schedule import Schedule
from domain.errors import FieldProblem, Problems
from domain.models.campaign import CampaignKind, Stacking
from domain.row_ids import MAX_INT_ID

MAX_NAME = 200
MAX_DESCRIPTION = 2_000
MIN_FACTOR, MAX_FACTOR = Decimal(1), Decimal(10)  # a factor must be > 1 and <= 10
MAX_BONUS = 1_000_000
MAX_BUDGET = 10**12
MAX_THRESHOLD = 10**12
MAX_PRIORITY = 1_000
MAX_LIST = 100


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign as a marketer describes it; in an update, None means 'leave as it is'.

    `segment_id` 0 and `budget_points` 0 remove the segment or the budget in an update;
    `cap` with 0 points removes the cap."""

    name: str | None = None
    description: str | None = None
    kind: CampaignKind | None = None
    conditions: Conditions | None = None
    effect: Effect | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    days_of_week: tuple[int, ...] | None = None
    time_from: time | None = None
    time_to: time | None = None
    segment_id: int | None = None
    priority: int | None = None
    stacking: Stacking | None = None
    cap: Cap | None = None
    budget_points: int | None = None

    def schedule(self) -> Schedule:
        assert self.starts_at is not None
        return Schedule(self.starts_at, self.ends_at, self.days_of_week or (), self.time_from, self.time_to)


def field_problems(spec: CampaignSpec, creating: bool) -> list[FieldProblem]:
    """Problems of each field given, one by one."""
    problems = Problems()
    if creating:
        for path, value in (("name", spec.name), ("kind", spec.kind), ("effect", spec.effect),
                            ("schedule.startsAt", spec.starts_at)):
            if value is None:
                problems.add(path, "is required")
    if spec.name is not None and not 0 < len(spec.name.strip()) <= MAX_NAME:
        problems.add("name", f"must be 1 to {MAX_NAME} characters")
    if spec.description is not None and len(spec.description) > MAX_DESCRIPTION:
        problems.add("description", f"must be at most {MAX_DESCRIPTION} characters")
    for path, moment in (("schedule.startsAt", spec.starts_at), ("schedule.endsAt", spec.ends_at)):
        if moment is not None and moment.tzinfo is None:
            problems.add(path, "must carry a UTC offset")
    for i, day in enumerate(spec.days_of_week or ()):
        if not 1 <= day <= 7:
            problems.add(f"schedule.daysOfWeek.{i}", "must be an ISO weekday: 1 (Monday) to 7 (Sunday)")
    if (spec.time_from is None) != (spec.time_to is None):
        problems.add("schedule.timeTo" if spec.time_to is None else "schedule.timeFrom",
                     "give both ends of the time window, or neither")
    elif spec.time_from is not None and spec.time_from == spec.time_to:
        problems.add("schedule.timeTo", "must differ from timeFrom")
    if spec.segment_id is not None and not 0 <= spec.segment_id <= MAX_INT_ID:
        problems.add("segmentId", "is not a segment id")
    if spec.priority is not None and not 0 <= spec.priority <= MAX_PRIORITY:
        problems.add("priority", f"must be between 0 and {MAX_PRIORITY}")
    if spec.cap is not None and not 0 <= spec.cap.points <= MAX_BUDGET:
        problems.add("cap.points", f"must be between 1 and {MAX_BUDGET} (0 removes the cap)")
    if spec.budget_points is not None and not 0 <= spec.budget_points <= MAX_BUDGET:
        problems.add("budgetPoints", f"must be between 1 and {MAX_BUDGET} (0 removes the budget)")
    if spec.conditions is not None:
        c = spec.conditions
        for name, values in (("tierIds", c.tier_ids), ("categories", c.categories), ("skus", c.skus),
                             ("channels", c.channels), ("partnerCodes", c.partner_codes)):
            if len(values) > MAX_LIST:
                problems.add(f"conditions.{name}", f"at most {MAX_LIST} values")
    return problems.items


def whole_problems(spec: CampaignSpec) -> list[FieldProblem]:
    """Rules between fields, on the campaign as it would be saved."""
    problems = Problems()
    assert spec.kind is not None and spec.effect is not None and spec.starts_at is not None
    effect = spec.effect
    if spec.ends_at is not None and spec.ends_at <= spec.starts_at:
        problems.add("schedule.endsAt", "must be after startsAt")
    if spec.kind == CampaignKind.MULTIPLIER:
        if effect.factor is None:
            problems.add("effect.factor", "is required for a MULTIPLIER campaign")
        elif not MIN_FACTOR < effect.factor <= MAX_FACTOR:
            problems.add("effect.factor", f"must be greater than {MIN_FACTOR} and at most {MAX_FACTOR}")
        elif effect.factor != effect.factor.quantize(Decimal("0.01")):
            problems.add("effect.factor", "at most two decimals")
    else:
        if effect.bonus_points is None:
            problems.add("effect.bonusPoints", f"is required for a {spec.kind.name} campaign")
        elif not 1 <= effect.bonus_points <= MAX_BONUS:
            problems.add("effect.bonusPoints", f"must be between 1 and {MAX_BONUS}")
    if spec.kind == CampaignKind.SPEND_THRESHOLD:
        if effect.threshold_amount is None:
            problems.add("effect.thresholdAmount", "is required for a SPEND_THRESHOLD campaign")
        elif not 1 <= effect.threshold_amount <= MAX_THRESHOLD:
            problems.add("effect.thresholdAmount", "must be a positive amount in minor units")
    if spec.kind == CampaignKind.FIXED_BONUS:
        if effect.trigger is None:
            problems.add("effect.trigger", "is required for a FIXED_BONUS campaign")
        elif effect.trigger not in PURCHASE_TRIGGERS and spec.conditions is not None:
            c = spec.conditions
            if c.item_level or c.channels or c.partner_codes:
                problems.add("conditions", f"purchase conditions don't apply to a {effect.trigger.name} bonus")
    return problems.items


@dataclass(frozen=True)
class Neighbour:
    """Another live campaign, for the overlap check."""

    id: int
    name: str
    schedule: Schedule
    priority: int
    stacking: Stacking
    occasion: str  # see occasion_of


def occasion_of(kind: CampaignKind | None, effect: Effect | None) -> str:
    """What a campaign is evaluated on: purchases, or one event trigger. Campaigns on
    different occasions never compete, so they can't conflict."""
    if kind == CampaignKind.FIXED_BONUS and effect is not None and effect.trigger not in PURCHASE_TRIGGERS:
        return effect.trigger.value if effect.trigger else "purchase"
    return "purchase"


def overlap_problems(spec: CampaignSpec, neighbours: list[Neighbour]) -> list[FieldProblem]:
    """Two EXCLUSIVE campaigns with the same priority, overlapping dates and the same
    occasion could not be ordered (each would exclude the other): refused, naming the other."""
    if spec.stacking != Stacking.EXCLUSIVE:
        return []
    schedule, priority, occasion = spec.schedule(), spec.priority or 0, occasion_of(spec.kind, spec.effect)
    return [
        FieldProblem("stacking", f"overlaps exclusive campaign {n.name!r} (id {n.id}) with the same "
                                 f"priority {priority}: change the schedule, priority or stacking")
        for n in neighbours
        if n.stacking == Stacking.EXCLUSIVE and n.priority == priority and n.occasion == occasion
        and n.schedule.overlaps(schedule)
    ]
