"""Marketers configure challenges; members join and leave opt-in ones."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.challenges.types import Challenge, Enrolment, GoalMeasure, GoalSource, GoalType, Recurrence, StreakUnit
from api.create_keys import create_once, key_field
from api.ids import MAX_INT_ID, is_digits
from api.permissions import Marketers, MemberOnly
from api.problems import IdempotencyConflict, InvalidInput, NotEligible, NotFound, problem
from challenges import challenge_catalog as catalog
from challenges import enrolment
from challenges import models as challenge_models
from challenges.challenge_periods import Window
from challenges.goals import Goal, Source
from domain.errors import DomainError
from domain.errors import InvalidInput as InvalidInputError


@strawberry.input
class GoalInput:
    type: GoalType
    target: int | None = strawberry.field(default=None, description="Required except for STEPS.")
    activity_type: str | None = None
    attribute: str | None = None
    equals: JSON | None = None
    category: str | None = None
    measure: GoalMeasure = GoalMeasure.COUNT
    source: GoalSource = Source.ACTIVITY
    unit: StreakUnit = StreakUnit.DAY
    steps: list[GoalInput] | None = None

    def to_goal(self) -> Goal:
        steps = tuple(step.to_goal() for step in self.steps or ())
        return Goal(
            type=self.type, target=len(steps) if self.steps else (self.target or 0),
            activity_type=self.activity_type, attribute=self.attribute, equals=self.equals,
            category=self.category, measure=self.measure.value, source=Source(self.source),
            unit=self.unit.value, steps=steps,
        )


@strawberry.input(description="A fixed window without recurrence; periods of a recurring one otherwise.")
class WindowInput:
    starts_at: datetime
    ends_at: datetime | None = None
    recurrence: Recurrence | None = None

    def to_window(self) -> Window:
        return Window(self.starts_at, self.ends_at, self.recurrence)


@strawberry.input(description="No tiers and no segment: everyone. A segment: its members at the time an event counts.")
class AudienceInput:
    tier_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    segment_id: strawberry.ID | None = None


@strawberry.input
class CreateChallengeInput:
    name: str
    goal: GoalInput
    window: WindowInput
    description: str = ""
    audience: AudienceInput | None = None
    enrolment: Enrolment = Enrolment.AUTOMATIC
    reward_points: int = 0
    reward_badge_id: strawberry.ID | None = None
    max_completions: int = 1
    community: bool = strawberry.field(default=False, description="goal.target is then one collective goal.")
    milestones: list[int] | None = strawberry.field(default=None, description="Percentages; default 50, 90, 100.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Fields left out stay as they are. Goal, window and community are fixed once published.")
class UpdateChallengeInput:
    id: strawberry.ID
    name: str | None = None
    goal: GoalInput | None = None
    window: WindowInput | None = None
    description: str | None = None
    audience: AudienceInput | None = None
    enrolment: Enrolment | None = None
    reward_points: int | None = None
    reward_badge_id: strawberry.ID | None = strawberry.field(default=None, description='"0" removes the badge.')
    max_completions: int | None = None
    community: bool | None = None
    milestones: list[int] | None = None


@strawberry.type
class ChallengeSaved:
    challenge: Challenge


@strawberry.type
class ChallengeJoined:
    challenge: Challenge


@strawberry.type
class ChallengeLeft:
    challenge: Challenge


ChallengePayload = Annotated[
    ChallengeSaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("ChallengePayload")
]
JoinChallengePayload = Annotated[
    ChallengeJoined | NotEligible | NotFound | InvalidInput, strawberry.union("JoinChallengePayload")
]
LeaveChallengePayload = Annotated[
    ChallengeLeft | NotEligible | NotFound | InvalidInput, strawberry.union("LeaveChallengePayload")
]


def parse_id(raw: str, path: str, entity: str) -> int:
    if not is_digits(raw) or int(raw) > MAX_INT_ID:
        raise InvalidInputError.one(path, f"{raw!r} is not a {entity} id")
    return int(raw)


def _spec(input: CreateChallengeInput | UpdateChallengeInput) -> catalog.ChallengeSpec:
    audience = None
    if input.audience is not None:
        ids = [parse_id(raw, f"audience.tierIds.{i}", "tier") for i, raw in enumerate(input.audience.tier_ids)]
        segment = input.audience.segment_id
        audience = catalog.Audience(
            tuple(ids), parse_id(segment, "audience.segmentId", "segment") if segment is not None else None
        )
    badge = parse_id(input.reward_badge_id, "rewardBadgeId", "badge") if input.reward_badge_id is not None else None
    return catalog.ChallengeSpec(
        name=input.name,
        description=input.description,
        goal=input.goal.to_goal() if input.goal else None,
        window=input.window.to_window() if input.window else None,
        audience=audience,
        opt_in=None if input.enrolment is None else input.enrolment == Enrolment.OPT_IN,
        reward_points=input.reward_points,
        reward_badge_id=badge,
        max_completions=input.max_completions,
        community=input.community,
        milestones=input.milestones,
    )


@strawberry.type
class ChallengeMutations:
    @strawberry.mutation(permission_classes=[Marketers], description="A new challenge, as a draft.")
    async def create_challenge(self, info: Info, input: CreateChallengeInput) -> ChallengePayload:
        ctx = info.context
        try:
            program, spec = await ctx.program(), _spec(input)
            challenge = await create_once(
                ctx, input, "createChallenge", challenge_models.Challenge,
                lambda: catalog.create_challenge(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return ChallengeSaved(challenge=Challenge.from_model(challenge))

    @strawberry.mutation(permission_classes=[Marketers], description="Every change bumps the version.")
    async def update_challenge(self, info: Info, input: UpdateChallengeInput) -> ChallengePayload:
        ctx = info.context
        try:
            challenge_id = parse_id(input.id, "id", "challenge")
            challenge = await catalog.update_challenge(
                await ctx.program(), challenge_id, _spec(input), ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return ChallengeSaved(challenge=Challenge.from_model(challenge))

    @strawberry.mutation(permission_classes=[Marketers], description="Members progress from now on.")
    async def publish_challenge(self, info: Info, id: strawberry.ID) -> ChallengePayload:
        return await _set_status(info, id, catalog.ChallengeStatus.PUBLISHED)

    @strawberry.mutation(permission_classes=[Marketers], description="Stops counting; progress is kept.")
    async def archive_challenge(self, info: Info, id: strawberry.ID) -> ChallengePayload:
        return await _set_status(info, id, catalog.ChallengeStatus.ARCHIVED)

    @strawberry.mutation(permission_classes=[MemberOnly], description="Take part (opt-in challenges), or again after leaving.")
    async def join_challenge(self, info: Info, challenge_id: strawberry.ID) -> JoinChallengePayload:
        ctx = info.context
        try:
            challenge = await enrolment.join_challenge(
                await ctx.program(), ctx.principal.member_id, parse_id(challenge_id, "challengeId", "challenge"), ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return ChallengeJoined(challenge=Challenge.from_model(challenge))

    @strawberry.mutation(permission_classes=[MemberOnly], description="Stop taking part; progress so far is kept.")
    async def leave_challenge(self, info: Info, challenge_id: strawberry.ID) -> LeaveChallengePayload:
        ctx = info.context
        try:
            challenge = await enrolment.leave_challenge(
                await ctx.program(), ctx.principal.member_id, parse_id(challenge_id, "challengeId", "challenge"), ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return ChallengeLeft(challenge=Challenge.from_model(challenge))


async def _set_status(info: Info, raw_id: str, status: catalog.ChallengeStatus) -> ChallengePayload:
    ctx = info.context
    try:
        challenge = await catalog.set_status(
            await ctx.program(), parse_id(raw_id, "id", "challenge"), status, ctx.principal.actor, ctx.now()
        )
    except DomainError as error:
        return problem(error)
    return ChallengeSaved(challenge=Challenge.from_model(challenge))
