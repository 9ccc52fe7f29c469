"""The rewards catalog marketers configure: create, update, list.

Every change is validated whole (all problems at once, named by their GraphQL input
path), written in one transaction with its audit entry, or not at all.
Policies: a CHARITY_DONATION reward names its charity, no other kind does; a
SUSTAINABILITY_ACTION reward states its impact (other kinds may, e.g. meals donated);
a HOLD reward says how long the till may take (`hold_minutes`), an INSTANT one has none.
Changing the stock sets the units left from now on; live redemptions keep theirs.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.errors import FieldProblem, InvalidInput, NotFound, Problems
from domain.models import Charity, Fulfilment, Program, Reward, RewardKind, Segment, Tier
from domain.row_ids import MAX_INT_ID

MAX_NAME = 200
MAX_DESCRIPTION = 2_000
MAX_COST = 10_000_000
MAX_STOCK = 1_000_000_000
MAX_PER_MEMBER = 10_000
MAX_HOLD_MINUTES = 7 * 24 * 60
MAX_IMPACT_UNITS = 10
MAX_IMPACT_AMOUNT = 1_000_000
IMPACT_UNIT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class RewardSpec:
    name: str
    kind: RewardKind
    cost_points: int
    description: str = ""
    min_tier_id: int | None = None
    segment_id: int | None = None
    stock: int | None = None  # None: unlimited
    per_member_limit: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    fulfilment: Fulfilment = Fulfilment.INSTANT
    hold_minutes: int | None = None
    active: bool = True
    charity_id: int | None = None
    impact: dict[str, int] = field(default_factory=dict)


# Spec field -> GraphQL input path.
PATHS = {f.name: re.sub(r"_(\w)", lambda m: m.group(1).upper(), f.name) for f in fields(RewardSpec)}
PATHS["min_tier_id"] = "minTierId"
PATHS["segment_id"] = "segmentId"
PATHS["charity_id"] = "charityId"


def _bounded(problems: Problems, name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        problems.add(PATHS[name], f"must be between {low} and {high}")


def spec_problems(spec: RewardSpec) -> list[FieldProblem]:
    """Problems of a reward as it would be saved, without the database."""
    problems = Problems()
    if not 0 < len(spec.name.strip()) <= MAX_NAME:
        problems.add("name", f"must be 1 to {MAX_NAME} characters")
    if len(spec.description) > MAX_DESCRIPTION:
        problems.add("description", f"must be at most {MAX_DESCRIPTION} characters")
    _bounded(problems, "cost_points", spec.cost_points, 1, MAX_COST)
    _bounded(problems, "stock", spec.stock, 0, MAX_STOCK)
    _bounded(problems, "per_member_limit", spec.per_member_limit, 1, MAX_PER_MEMBER)
    for name in ("min_tier_id", "segment_id", "charity_id"):
        _bounded(problems, name, getattr(spec, name), 1, MAX_INT_ID)
    for name in ("valid_from", "valid_until"):
        moment = getattr(spec, name)
        if moment is not None and moment.utcoffset() is None:
            problems.add(PATHS[name], "must include a time zone offset, e.g. 2026-06-01T00:00:00Z")
    if (
        spec.valid_from is not None and spec.valid_until is not None
        and spec.valid_from.utcoffset() is not None and spec.valid_until.utcoffset() is not None
        and spec.valid_until <= spec.valid_from
    ):
        problems.add("validUntil", "must be after validFrom")
    if spec.fulfilment == Fulfilment.HOLD:
        if spec.hold_minutes is None:
            problems.add("holdMinutes", "is required for a HOLD reward: how long the till may take")
        else:
            _bounded(problems, "hold_minutes", spec.hold_minutes, 1, MAX_HOLD_MINUTES)
    elif spec.hold_minutes is not None:
        problems.add("holdMinutes", "only a HOLD reward has a hold time")
    if spec.kind == RewardKind.CHARITY_DONATION and spec.charity_id is None:
        problems.add("charityId", "is required for a CHARITY_DONATION reward")
    if spec.kind != RewardKind.CHARITY_DONATION and spec.charity_id is not None:
        problems.add("charityId", "only a CHARITY_DONATION reward names a charity")
    problems.items += impact_problems(spec)
    return problems.items


def impact_problems(spec: RewardSpec) -> list[FieldProblem]:
    problems = Problems()
    if spec.kind == RewardKind.SUSTAINABILITY_ACTION and not spec.impact:
        problems.add("impact", 'is required for a SUSTAINABILITY_ACTION reward, e.g. {"trees_planted": 1}')
    if not isinstance(spec.impact, dict):
        problems.add("impact", "must be an object of unit to amount")
        return problems.items
    if len(spec.impact) > MAX_IMPACT_UNITS:
        problems.add("impact", f"at most {MAX_IMPACT_UNITS} units")
    for unit, amount in spec.impact.items():
        if not IMPACT_UNIT.match(str(unit)):
            problems.add(f"impact.{unit}", "a unit is snake_case, e.g. trees_planted")
        elif isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_IMPACT_AMOUNT:
            problems.add(f"impact.{unit}", f"must be a whole number from 1 to {MAX_IMPACT_AMOUNT}")
    return problems.items


async def reference_problems(program_id: int, spec: RewardSpec) -> list[FieldProblem]:
    """Rows the reward points at must exist in this program."""
    problems = Problems()
    for name, model in (("min_tier_id", Tier), ("segment_id", Segment), ("charity_id", Charity)):
        row_id = getattr(spec, name)
        if row_id is not None and not await model.exists(id=row_id, program_id=program_id):
            problems.add(PATHS[name], f"no {model.__name__.lower()} {row_id} in this program")
    return problems.items


async def _check(program_id: int, spec: RewardSpec) -> None:
    problems = spec_problems(spec)
    if not problems:
        problems = await reference_problems(program_id, spec)
    if problems:
        raise InvalidInput(problems)


def _columns(spec: RewardSpec) -> dict[str, Any]:
    columns = asdict(spec)
    columns["name"] = spec.name.strip()
    return columns


def _audited(columns: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in columns.items()}


async def create_reward(program: Program, spec: RewardSpec, actor: str, now: datetime) -> Reward:
    async with in_transaction():
        await _check(program.id, spec)
        columns = _columns(spec)
        reward = await Reward.create(program_id=program.id, created_at=now, updated_at=now, **columns)
        await audit.record(program.id, actor, "createReward", f"reward:{reward.id}", _audited(columns), now)
        return reward


async def get_reward(program_id: int, reward_id: int, lock: bool = False) -> Reward:
    query = Reward.filter(id=reward_id, program_id=program_id) if 0 < reward_id <= MAX_INT_ID else None
    found = await (query.select_for_update() if lock else query).first() if query is not None else None
    if found is None:
        raise NotFound("reward", str(reward_id))
    return found


def spec_of(reward: Reward) -> RewardSpec:
    return RewardSpec(**{f.name: getattr(reward, f.name) for f in fields(RewardSpec)})


async def update_reward(
    program: Program, reward_id: int, changes: dict[str, Any], actor: str, now: datetime
) -> Reward:
    """`changes` maps RewardSpec fields to new values; None clears a nullable field."""
    unknown = set(changes) - set(PATHS)
    if unknown:
        raise ValueError(f"not reward fields: {sorted(unknown)}")
    async with in_transaction():
        reward = await get_reward(program.id, reward_id, lock=True)
        merged = replace(spec_of(reward), **changes)
        await _check(program.id, merged)
        columns = _columns(merged)
        await Reward.filter(id=reward.id).update(**columns, updated_at=now)
        details = {"changed": _audited({k: columns[k] for k in sorted(changes)})}
        await audit.record(program.id, actor, "updateReward", f"reward:{reward.id}", details, now)
        return await Reward.get(id=reward.id)


async def list_rewards(
    program_id: int, first: int, after_id: int | None, include_inactive: bool, open_at: datetime | None
) -> list[Reward]:
    """Newest first; one extra row tells the caller whether another page exists.
    `open_at`: only rewards whose validity window contains that moment."""
    query = Reward.filter(program_id=program_id)
    if not include_inactive:
        query = query.filter(active=True)
    if open_at is not None:
        query = query.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=open_at),
            Q(valid_until__isnull=True) | Q(valid_until__gt=open_at),
        )
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    return await query.order_by("-id").limit(first + 1)
