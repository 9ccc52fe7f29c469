"""The challenge catalog marketers configure (members join and leave in challenges.enrolment).

A challenge is created as a draft, published (from then on members progress in it) and
archived (it stops counting). Every marketer change is audited and bumps the version.
A rejected request raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from challenges.activity_catalog import built_in
from challenges.challenge_periods import Window, window_problems
from challenges.goals import ADDITIVE, DEFAULT_MILESTONES, Goal, goal_problems
from challenges.models import ActivityType, Badge, Challenge
from domain import audit
from domain.errors import FieldProblem, InvalidInput, NotFound, Problems
from domain.models import Program, Segment, Tier
from domain.row_ids import MAX_INT_ID

MAX_NAME = 200
MAX_DESCRIPTION = 2_000
MAX_REWARD_POINTS = 1_000_000
MAX_COMPLETIONS = 1_000
MAX_MILESTONES = 10
MAX_AUDIENCE_TIERS = 50


class ChallengeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class Audience:
    """Everyone when neither is set; members in one of `tier_ids`; or members of the
    segment `segment_id` (domain.segments), judged on their facts when it matters."""

    tier_ids: tuple[int, ...] = ()
    segment_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        if self.segment_id is not None:
            return {"kind": "segment", "segment_id": self.segment_id}
        return {"kind": "tiers", "tier_ids": list(self.tier_ids)} if self.tier_ids else {"kind": "everyone"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        if data.get("kind") == "segment":
            return cls(segment_id=int(data["segment_id"]))
        return cls(tuple(data.get("tier_ids", ()))) if data.get("kind") == "tiers" else cls()

    @property
    def everyone(self) -> bool:
        return not self.tier_ids and self.segment_id is None

    def admits(self, tier_id: int | None, in_segments: Collection[int] = ()) -> bool:
        """`in_segments`: the segments the member is in, of those audiences name (see
        challenges.enrolment.segments_of); a segment audience admits nobody without it."""
        if self.segment_id is not None:
            return self.segment_id in in_segments
        return not self.tier_ids or tier_id in self.tier_ids


@dataclass(frozen=True)
class ChallengeSpec:
    """Fields of a challenge; None means 'leave as it is' in an update.

    `community`: one collective goal (goal.target) that all participants work toward.
    `reward_badge_id` 0 removes the badge in an update."""

    name: str | None = None
    description: str | None = None
    goal: Goal | None = None
    window: Window | None = None
    audience: Audience | None = None
    opt_in: bool | None = None
    reward_points: int | None = None
    reward_badge_id: int | None = None
    max_completions: int | None = None
    community: bool | None = None
    milestones: list[int] | None = None


def spec_problems(spec: ChallengeSpec, now: datetime, creating: bool) -> list[FieldProblem]:
    """Problems of the fields given, without the database."""
    problems = Problems()
    if creating:
        for path, value in (("name", spec.name), ("goal", spec.goal), ("window", spec.window)):
            if value is None:
                problems.add(path, "is required")
    if spec.name is not None and not 0 < len(spec.name.strip()) <= MAX_NAME:
        problems.add("name", f"must be 1 to {MAX_NAME} characters")
    if spec.description is not None and len(spec.description) > MAX_DESCRIPTION:
        problems.add("description", f"must be at most {MAX_DESCRIPTION} characters")
    if spec.goal is not None:
        problems.items += goal_problems(spec.goal)
    if spec.window is not None:
        problems.items += window_problems(spec.window, now)
    if spec.reward_points is not None and not 0 <= spec.reward_points <= MAX_REWARD_POINTS:
        problems.add("rewardPoints", f"must be between 0 and {MAX_REWARD_POINTS}")
    if spec.reward_badge_id is not None and not 0 <= spec.reward_badge_id <= MAX_INT_ID:
        problems.add("rewardBadgeId", "is not a badge id")
    if spec.max_completions is not None and not 1 <= spec.max_completions <= MAX_COMPLETIONS:
        problems.add("maxCompletions", f"must be between 1 and {MAX_COMPLETIONS}")
    if spec.audience is not None and len(spec.audience.tier_ids) > MAX_AUDIENCE_TIERS:
        problems.add("audience.tierIds", f"at most {MAX_AUDIENCE_TIERS} tiers")
    if spec.audience is not None and spec.audience.tier_ids and spec.audience.segment_id is not None:
        problems.add("audience.segmentId", "give tier ids or a segment, not both")
    if spec.milestones is not None:
        if len(spec.milestones) > MAX_MILESTONES:
            problems.add("milestones", f"at most {MAX_MILESTONES} milestones")
        if len(set(spec.milestones)) != len(spec.milestones):
            problems.add("milestones", "must not repeat a percentage")
        for i, milestone in enumerate(spec.milestones):
            if not 1 <= milestone <= 100:
                problems.add(f"milestones.{i}", "must be a percentage from 1 to 100")
    return problems.items


def combination_problems(spec: ChallengeSpec) -> list[FieldProblem]:
    """Rules between fields, checked on the whole challenge as it would be saved."""
    problems = Problems()
    assert spec.goal is not None and spec.window is not None
    if spec.community:
        if spec.goal.type not in ADDITIVE:
            kinds = ", ".join(sorted(t.value for t in ADDITIVE))
            problems.add("goal.type", f"a community goal adds up members' progress: use one of {kinds}")
        # Every contributor receives the reward, paid by challenges.community_settlement.
    if not spec.window.recurring and (spec.max_completions or 1) > 1:
        problems.add("maxCompletions", "a fixed window can be completed once; make it recurring")
    return problems.items


def _activity_type_paths(goal: Goal, path: str = "goal") -> list[tuple[str, str]]:
    found = [(f"{path}.activityType", goal.activity_type)] if goal.activity_type else []
    for i, step in enumerate(goal.steps):
        found += _activity_type_paths(step, f"{path}.steps.{i}")
    return found


async def reference_problems(program_id: int, spec: ChallengeSpec) -> list[FieldProblem]:
    problems = Problems()
    if spec.goal is not None:
        custom = set(await ActivityType.filter(program_id=program_id).values_list("code", flat=True))
        for path, code in _activity_type_paths(spec.goal):
            if code not in custom and built_in(code) is None:
                problems.add(path, f"unknown activity type {code!r}; see the activityTypes query")
    if spec.audience is not None and spec.audience.tier_ids:
        known = set(await Tier.filter(program_id=program_id).values_list("id", flat=True))
        for i, tier_id in enumerate(spec.audience.tier_ids):
            if tier_id not in known:
                problems.add(f"audience.tierIds.{i}", f"no tier {tier_id} in this program")
    if spec.audience is not None and spec.audience.segment_id is not None:
        if not await Segment.exists(id=spec.audience.segment_id, program_id=program_id):
            problems.add("audience.segmentId", f"no segment {spec.audience.segment_id} in this program")
    if spec.reward_badge_id:
        if not await Badge.exists(id=spec.reward_badge_id, program_id=program_id):
            problems.add("rewardBadgeId", f"no badge {spec.reward_badge_id} in this program")
    return problems.items


def spec_of(challenge: Challenge) -> ChallengeSpec:
    return ChallengeSpec(
        name=challenge.name,
        description=challenge.description,
        goal=Goal.from_json(challenge.goal),
        window=Window.from_json(challenge.window),
        audience=Audience.from_json(challenge.audience),
        opt_in=challenge.opt_in,
        reward_points=challenge.reward_points,
        reward_badge_id=challenge.reward_badge_id or 0,
        max_completions=challenge.max_completions,
        community=challenge.community_target is not None,
        milestones=list(challenge.milestones),
    )


def _columns(spec: ChallengeSpec) -> dict[str, Any]:
    assert spec.goal is not None and spec.window is not None and spec.name is not None
    return {
        "name": spec.name.strip(),
        "description": spec.description or "",
        "goal": spec.goal.to_json(),
        "window": spec.window.to_json(),
        "audience": (spec.audience or Audience()).to_json(),
        "opt_in": bool(spec.opt_in),
        "reward_points": spec.reward_points or 0,
        "reward_badge_id": spec.reward_badge_id or None,
        "max_completions": spec.max_completions or 1,
        "community_target": spec.goal.target if spec.community else None,
        "milestones": sorted(spec.milestones) if spec.milestones is not None else list(DEFAULT_MILESTONES),
    }


async def _check(program_id: int, spec: ChallengeSpec, given: ChallengeSpec, now: datetime, creating: bool) -> None:
    """`given`: the fields of the request; `spec`: the challenge as it would be saved."""
    problems = spec_problems(given, now, creating)
    if not problems:
        problems = combination_problems(spec) + await reference_problems(program_id, given)
    if problems:
        raise InvalidInput(problems)


async def create_challenge(program: Program, spec: ChallengeSpec, actor: str, now: datetime) -> Challenge:
    async with in_transaction():
        await _check(program.id, spec, spec, now, creating=True)
        challenge = await Challenge.create(program_id=program.id, status=ChallengeStatus.DRAFT.value, **_columns(spec))
        await audit.record(program.id, actor, "createChallenge", f"challenge:{challenge.id}", _columns(spec), now)
        return challenge


async def get_challenge(program_id: int, challenge_id: int, lock: bool = False) -> Challenge:
    query = Challenge.filter(id=challenge_id, program_id=program_id) if 0 < challenge_id <= MAX_INT_ID else None
    found = await (query.select_for_update() if lock else query).first() if query is not None else None
    if found is None:
        raise NotFound("challenge", str(challenge_id))
    return found


# Changing what counts while members are counting would make their progress meaningless.
_FROZEN_ONCE_PUBLISHED = ("goal", "window", "community")


async def update_challenge(
    program: Program, challenge_id: int, change: ChallengeSpec, actor: str, now: datetime
) -> Challenge:
    async with in_transaction():
        challenge = await get_challenge(program.id, challenge_id, lock=True)
        if challenge.status == ChallengeStatus.ARCHIVED:
            raise InvalidInput.one("id", "an archived challenge can't change")
        if challenge.status == ChallengeStatus.PUBLISHED:
            frozen = [name for name in _FROZEN_ONCE_PUBLISHED if getattr(change, name) is not None]
            if frozen:
                raise InvalidInput([FieldProblem(name, "can't change once published; archive it and create another")
                                    for name in frozen])
        given = {k: v for k, v in vars(change).items() if v is not None}
        merged = replace(spec_of(challenge), **given)
        await _check(program.id, merged, change, now, creating=False)
        columns = _columns(merged)
        await Challenge.filter(id=challenge.id).update(**columns, version=challenge.version + 1, updated_at=now)
        details = {"changed": sorted(given), "version": challenge.version + 1}
        await audit.record(program.id, actor, "updateChallenge", f"challenge:{challenge.id}", details, now)
        return await Challenge.get(id=challenge.id)


async def set_status(
    program: Program, challenge_id: int, status: ChallengeStatus, actor: str, now: datetime
) -> Challenge:
    """Publish or archive. Publishing again is harmless; an archived challenge stays so."""
    async with in_transaction():
        challenge = await get_challenge(program.id, challenge_id, lock=True)
        if challenge.status == status:
            return challenge
        if challenge.status == ChallengeStatus.ARCHIVED:
            raise InvalidInput.one("id", "an archived challenge can't be published again")
        if status == ChallengeStatus.PUBLISHED:
            window = Window.from_json(challenge.window)
            if window.ends_at is not None and window.ends_at <= now:
                raise InvalidInput.one("window.endsAt", "has passed: change the window before publishing")
        await Challenge.filter(id=challenge.id).update(status=status.value, version=challenge.version + 1, updated_at=now)
        action = "publishChallenge" if status == ChallengeStatus.PUBLISHED else "archiveChallenge"
        await audit.record(program.id, actor, action, f"challenge:{challenge.id}", {}, now)
        return await Challenge.get(id=challenge.id)


async def list_challenges(
    program_id: int, status: ChallengeStatus | None, first: int, after_id: int | None
) -> list[Challenge]:
    """Newest first; one extra row tells the caller whether another page exists."""
    query = Challenge.filter(program_id=program_id)
    if status is not None:
        query = query.filter(status=status.value)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    return await query.order_by("-id").limit(first + 1)
