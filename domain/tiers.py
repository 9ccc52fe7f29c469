"""Tier configuration by marketers and tier re-evaluation of members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from tortoise.functions import Sum

from domain import audit
from domain.errors import InvalidInput, NotFound, Problems
from domain.events import TierChanged, event_bus
from domain.models import Member, Program, Purchase, Tier, TierBasis, TierChange
from domain.periods import add_months
from domain.tier_policy import decide_tier, next_tier
from domain.unit_of_work import unit_of_work

MIN_MULTIPLIER = Decimal("1")
MAX_MULTIPLIER = Decimal("10")
MAX_BENEFITS = 30


@dataclass(frozen=True)
class TierSpec:
    """Fields of a tier; None means 'leave as it is' in an update."""

    name: str | None = None
    threshold: int | None = None
    earn_multiplier: Decimal | None = None
    benefits: list[str] | None = None


def validate_tier_spec(spec: TierSpec, creating: bool) -> None:
    problems = Problems()
    if creating:
        for path, value in (("name", spec.name), ("threshold", spec.threshold)):
            if value is None:
                problems.add(path, "is required")
    if spec.name is not None and not (0 < len(spec.name.strip()) <= 100):
        problems.add("name", "must be 1 to 100 characters")
    if spec.threshold is not None and spec.threshold < 0:
        problems.add("threshold", "must be zero or more")
    if spec.earn_multiplier is not None:
        try:
            ok = MIN_MULTIPLIER <= spec.earn_multiplier <= MAX_MULTIPLIER
        except InvalidOperation:
            ok = False
        if not ok:
            problems.add("earnMultiplier", f"must be between {MIN_MULTIPLIER} and {MAX_MULTIPLIER}")
    if spec.benefits is not None:
        if len(spec.benefits) > MAX_BENEFITS:
            problems.add("benefits", f"at most {MAX_BENEFITS} benefits")
        for i, benefit in enumerate(spec.benefits):
            if not (0 < len(benefit.strip()) <= 200):
                problems.add(f"benefits.{i}", "must be 1 to 200 characters")
    problems.raise_if_any()


async def _check_unique(program_id: int, spec: TierSpec, tier_id: int | None) -> None:
    others = Tier.filter(program_id=program_id).exclude(id=tier_id or 0)
    problems = Problems()
    if spec.name is not None and await others.filter(name=spec.name.strip()).exists():
        problems.add("name", f"a tier named {spec.name!r} exists already")
    if spec.threshold is not None and await others.filter(threshold=spec.threshold).exists():
        problems.add("threshold", f"another tier has threshold {spec.threshold}")
    problems.raise_if_any()


async def list_tiers(program_id: int) -> list[Tier]:
    return await Tier.filter(program_id=program_id).order_by("threshold")


def rank_of(tiers: list[Tier], tier: Tier) -> int:
    """1 for the lowest tier; rank follows the threshold order."""
    return sorted(t.threshold for t in tiers).index(tier.threshold) + 1


async def create_tier(program: Program, spec: TierSpec, actor: str, now: datetime) -> Tier:
    validate_tier_spec(spec, creating=True)
    async with unit_of_work.transaction():
        await _check_unique(program.id, spec, None)
        tier = await Tier.create(
            program_id=program.id,
            name=spec.name.strip(),
            threshold=spec.threshold,
            earn_multiplier=spec.earn_multiplier or Decimal(1),
            benefits=[b.strip() for b in spec.benefits or []],
        )
        await audit.record(program.id, actor, "createTier", f"tier:{tier.id}", _spec_json(spec), now)
        return tier


async def update_tier(
    program: Program, tier_id: int, spec: TierSpec, actor: str, now: datetime
) -> Tier:
    """Change a tier. Members move at their next purchase or review, not retroactively."""
    validate_tier_spec(spec, creating=False)
    async with unit_of_work.transaction():
        tier = await Tier.get_or_none(id=tier_id, program_id=program.id)
        if tier is None:
            raise NotFound("tier", str(tier_id))
        await _check_unique(program.id, spec, tier.id)
        if spec.name is not None:
            tier.name = spec.name.strip()
        if spec.threshold is not None:
            tier.threshold = spec.threshold
        if spec.earn_multiplier is not None:
            tier.earn_multiplier = spec.earn_multiplier
        if spec.benefits is not None:
            tier.benefits = [b.strip() for b in spec.benefits]
        await tier.save()
        await audit.record(program.id, actor, "updateTier", f"tier:{tier.id}", _spec_json(spec), now)
        return tier


def _spec_json(spec: TierSpec) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in spec.__dict__.items() if v is not None}


async def qualifying_value(program: Program, member_id: str, now: datetime) -> int:
    """Points earned by (or spend of) purchases in the rolling window, returns excluded."""
    since = add_months(now, -program.tier_window_months)
    column = "points_earned" if program.tier_basis == TierBasis.POINTS else "amount"
    row = (
        await Purchase.filter(member_id=member_id, occurred_at__gte=since, reversed_at__isnull=True)
        .annotate(total=Sum(column))
        .values("total")
    )
    return int(row[0]["total"] or 0) if row else 0


@dataclass(frozen=True)
class TierMove:
    from_tier: str | None
    to_tier: str | None
    reason: str


async def reevaluate_tier(program: Program, member: Member, now: datetime) -> TierMove | None:
    """Apply the tier policy to a locked member, inside the caller's transaction."""
    tiers = await list_tiers(program.id)
    current = next((t for t in tiers if t.id == member.tier_id), None)
    value = await qualifying_value(program, member.id, now)
    review_due = member.tier_review_at is None or now >= member.tier_review_at
    decision = decide_tier(tiers, current, value, review_due)
    if not decision.changed:
        if review_due:
            await Member.filter(id=member.id).update(
                tier_review_at=add_months(now, program.tier_review_months)
            )
        return None
    new = decision.tier
    await Member.filter(id=member.id).update(
        tier_id=new.id if new else None,
        tier_review_at=add_months(now, program.tier_review_months),
    )
    await TierChange.create(
        member_id=member.id,
        from_tier=current,
        to_tier=new,
        reason=decision.reason,
        qualifying_value=value,
        changed_at=now,
    )
    move = TierMove(current.name if current else None, new.name if new else None, decision.reason)
    await event_bus.publish(
        TierChanged(program.id, str(member.id), move.from_tier, move.to_tier, move.reason)
    )
    return move


@dataclass(frozen=True)
class TierProgress:
    qualifying_value: int
    next_tier: Tier | None
    needed: int  # 0 at the top tier


async def tier_progress(
    program: Program, member: Member, tiers: list[Tier], now: datetime
) -> TierProgress:
    current = next((t for t in tiers if t.id == member.tier_id), None)
    value = await qualifying_value(program, member.id, now)
    upcoming = next_tier(tiers, current)
    needed = max(upcoming.threshold - value, 0) if upcoming else 0
    return TierProgress(value, upcoming, needed)


async def review_due_tiers(program: Program, now: datetime, batch: int = 500) -> int:
    """Re-evaluate every member whose review is due, so downgrades also reach members
    who stopped buying. Returns the number of tier changes; safe to re-run."""
    moved = 0
    while True:
        due = await Member.filter(program_id=program.id, tier_review_at__lte=now).limit(batch).values_list("id", flat=True)
        if not due:
            return moved
        for member_id in due:
            async with unit_of_work.transaction():
                member = await Member.filter(id=member_id).select_for_update().first()
                if member is not None and await reevaluate_tier(program, member, now):
                    moved += 1


async def tier_history(member_id: str) -> list[TierChange]:
    return await TierChange.filter(member_id=member_id).order_by("-changed_at", "-id").prefetch_related("from_tier", "to_tier")
