"""The badge catalog marketers keep, and awarding a badge's levels to members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from challenges.activities import seed_catalog
from challenges.badge_rules import (
    BadgeLevel,
    BadgeRule,
    image_url_problem,
    level_problems,
    rule_problems,
    streak_problems,
)
from challenges.events import BadgeEarned
from challenges.models import ActivityType, Badge, MemberBadge
from domain import audit
from domain.errors import InvalidInput, NotFound, Problems
from domain.events import event_bus
from domain.models import Program
from domain.unit_of_work import unit_of_work

BADGE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,63}$")
MAX_DESCRIPTION = 2_000


@dataclass(frozen=True)
class BadgeSpec:
    """Fields of a badge; None means 'leave as it is' in an update."""

    code: str | None = None
    name: str | None = None
    description: str | None = None
    image_url: str | None = None
    levels: list[BadgeLevel] | None = None
    rule: BadgeRule | None = None
    remove_rule: bool = False  # an update that turns the badge into a challenge-only one


def validate_badge_spec(spec: BadgeSpec, creating: bool) -> None:
    problems = Problems()
    if creating:
        for path, value in (("code", spec.code), ("name", spec.name)):
            if value is None:
                problems.add(path, "is required")
    if spec.code is not None and not BADGE_CODE.match(spec.code):
        problems.add("code", "use 2 to 64 letters, digits, _ and -, starting with a letter (e.g. eco-hero)")
    if spec.name is not None and not 0 < len(spec.name.strip()) <= 200:
        problems.add("name", "must be 1 to 200 characters")
    if spec.description is not None and len(spec.description) > MAX_DESCRIPTION:
        problems.add("description", f"must be at most {MAX_DESCRIPTION} characters")
    if spec.image_url and (message := image_url_problem(spec.image_url)) is not None:
        problems.add("imageUrl", message)
    if spec.levels is not None:
        level_problems(spec.levels, problems)
    if spec.rule is not None:
        rule_problems(spec.rule, problems)
    problems.raise_if_any()


def validate_combination(rule: BadgeRule | None, levels: list[BadgeLevel]) -> None:
    """Rule and levels together, as they will be stored (an update may change either)."""
    problems = Problems()
    streak_problems(rule, levels, problems)
    problems.raise_if_any()


async def _check_against_program(program_id: int, spec: BadgeSpec, badge: Badge | None) -> None:
    problems = Problems()
    if spec.code is not None and (
        await Badge.filter(program_id=program_id, code=spec.code).exclude(id=badge.id if badge else 0).exists()
    ):
        problems.add("code", f"a badge with code {spec.code!r} exists already")
    wanted_type = spec.rule.activity_type if spec.rule else None
    if wanted_type is not None and not await ActivityType.exists(program_id=program_id, code=wanted_type):
        problems.add("rule.activityType", f"unknown activity type {wanted_type!r}; see the activityTypes query")
    if badge is not None and spec.levels is not None:
        # Members keep what they earned: a level someone holds can be renamed, not removed.
        highest_held = (
            await MemberBadge.filter(badge_id=badge.id).order_by("-level").first().values_list("level", flat=True)
        )
        if highest_held is not None and highest_held >= max(len(spec.levels), 1):
            problems.add("levels", f"level {highest_held} is held by members; add or rename levels, don't remove them")
    problems.raise_if_any()


def _levels_json(levels: list[BadgeLevel]) -> list[dict[str, Any]]:
    return [{"name": level.name.strip(), "threshold": level.threshold} for level in levels]


def _audit_details(spec: BadgeSpec) -> dict[str, Any]:
    details: dict[str, Any] = {
        k: v for k, v in (("code", spec.code), ("name", spec.name), ("description", spec.description),
                          ("image_url", spec.image_url)) if v is not None
    }
    if spec.levels is not None:
        details["levels"] = _levels_json(spec.levels)
    if spec.rule is not None or spec.remove_rule:
        details["rule"] = spec.rule.to_json() if spec.rule else None
    return details


async def create_badge(program: Program, spec: BadgeSpec, actor: str, now: datetime) -> Badge:
    validate_badge_spec(spec, creating=True)
    validate_combination(spec.rule, spec.levels or [])
    await seed_catalog(program.id)  # a rule may name a built-in type nobody recorded yet
    try:
        async with unit_of_work.transaction():
            await _check_against_program(program.id, spec, None)
            badge = await Badge.create(
                program_id=program.id,
                code=spec.code,
                name=(spec.name or "").strip(),
                description=(spec.description or "").strip(),
                image_url=spec.image_url or None,
                levels=_levels_json(spec.levels or []),
                rule=spec.rule.to_json() if spec.rule else None,
            )
            await audit.record(program.id, actor, "createBadge", f"badge:{badge.id}", _audit_details(spec), now)
            return badge
    except IntegrityError:  # a concurrent create with this code won
        raise InvalidInput.one("code", f"a badge with code {spec.code!r} exists already") from None


async def update_badge(program: Program, badge_id: int, spec: BadgeSpec, actor: str, now: datetime) -> Badge:
    """Change a badge. Earned levels stay earned; new thresholds apply from the next
    activity or purchase on, not retroactively."""
    validate_badge_spec(spec, creating=False)
    await seed_catalog(program.id)  # a rule may name a built-in type nobody recorded yet
    try:
        async with unit_of_work.transaction():
            badge = await Badge.get_or_none(id=badge_id, program_id=program.id)
            if badge is None:
                raise NotFound("badge", str(badge_id))
            await _check_against_program(program.id, spec, badge)
            keeps_rule = spec.rule is None and not spec.remove_rule
            validate_combination(
                BadgeRule.from_json(badge.rule) if keeps_rule else spec.rule,
                spec.levels if spec.levels is not None else [BadgeLevel(**lv) for lv in badge.levels],
            )
            if spec.code is not None:
                badge.code = spec.code
            if spec.name is not None:
                badge.name = spec.name.strip()
            if spec.description is not None:
                badge.description = spec.description.strip()
            if spec.image_url is not None:
                badge.image_url = spec.image_url or None  # "" removes the image
            if spec.levels is not None:
                badge.levels = _levels_json(spec.levels)
            if spec.rule is not None or spec.remove_rule:
                badge.rule = spec.rule.to_json() if spec.rule else None
            await badge.save()
            await audit.record(program.id, actor, "updateBadge", f"badge:{badge.id}", _audit_details(spec), now)
            return badge
    except IntegrityError:
        raise InvalidInput.one("code", f"a badge with code {spec.code!r} exists already") from None


async def list_badges(program: Program) -> list[Badge]:
    return await Badge.filter(program_id=program.id).order_by("name", "id")


async def award_badge(program_id: int, member_id: str, badge_id: int, level: int, now: datetime) -> bool:
    """Award `level` (0-based index into Badge.levels; 0 for a badge without levels),
    inside the caller's transaction. Each level once: False when already held.

    Callers hold the member's row lock (purchases and activities take it), so checking
    before inserting cannot race with another award to the same member; checking, rather
    than catching the unique violation, keeps a PostgreSQL transaction usable.
    """
    if await MemberBadge.exists(member_id=member_id, badge_id=badge_id, level=level):
        return False
    await grant(program_id, member_id, badge_id, level, now)
    return True


async def grant(program_id: int, member_id: str, badge_id: int, level: int, now: datetime) -> None:
    """Write a level the caller knows the member doesn't hold, and announce it."""
    await MemberBadge.create(member_id=member_id, badge_id=badge_id, level=level, awarded_at=now)
    await event_bus.publish(BadgeEarned(program_id, str(member_id), badge_id, level, now))
