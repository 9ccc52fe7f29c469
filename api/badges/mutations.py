"""Marketers keep the badge catalog; every change is audited."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.badges.types import Badge, BadgeRuleKind
from api.create_keys import create_once, key_field
from api.ids import MAX_INT_ID, row_id
from api.permissions import Marketers
from api.problems import IdempotencyConflict, InvalidInput, NotFound, problem
from challenges import badges
from challenges import models as challenge_models
from challenges.badge_rules import BadgeLevel, BadgeRule, RuleKind
from domain.errors import DomainError



@strawberry.input
class BadgeLevelInput:
    name: str = strawberry.field(description="e.g. Bronze")
    threshold: int = strawberry.field(description="Greater than the previous level's.")


@strawberry.input
class BadgeRuleInput:
    kind: BadgeRuleKind
    activity_type: str | None = strawberry.field(
        default=None, description="Required for ACTIVITY_COUNT; optional for WEEKLY_STREAK (null = any activity)."
    )

    def to_rule(self) -> BadgeRule:
        return BadgeRule(RuleKind(self.kind), self.activity_type)


@strawberry.input
class CreateBadgeInput:
    code: str = strawberry.field(description="Stable handle, e.g. eco-hero.")
    name: str
    description: str = ""
    image_url: str | None = strawberry.field(default=None, description="https:// only.")
    levels: list[BadgeLevelInput] = strawberry.field(
        default_factory=list, description="In increasing threshold order; none = a single level."
    )
    rule: BadgeRuleInput | None = strawberry.field(default=None, description="None: awarded by challenges only.")
    idempotency_key: str | None = key_field()


@strawberry.input
class UpdateBadgeInput:
    id: strawberry.ID
    code: str | None = None
    name: str | None = None
    description: str | None = None
    image_url: str | None = strawberry.field(default=None, description="\"\" removes the image.")
    levels: list[BadgeLevelInput] | None = strawberry.field(
        default=None, description="Replaces the levels; levels members hold can be renamed, not removed."
    )
    rule: BadgeRuleInput | None = strawberry.field(
        default=strawberry.UNSET, description="Left out: unchanged; null: no rule (challenge awards only)."
    )


@strawberry.type
class BadgeSaved:
    badge: Badge


BadgePayload = Annotated[BadgeSaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("BadgePayload")]


def _levels(levels: list[BadgeLevelInput] | None) -> list[BadgeLevel] | None:
    return None if levels is None else [BadgeLevel(level.name, level.threshold) for level in levels]


@strawberry.type
class BadgeMutations:
    @strawberry.mutation(permission_classes=[Marketers])
    async def create_badge(self, info: Info, input: CreateBadgeInput) -> BadgePayload:
        ctx = info.context
        spec = badges.BadgeSpec(
            code=input.code,
            name=input.name,
            description=input.description,
            image_url=input.image_url,
            levels=_levels(input.levels),
            rule=input.rule.to_rule() if input.rule else None,
        )
        try:
            program = await ctx.program()
            badge = await create_once(
                ctx, input, "createBadge", challenge_models.Badge,
                lambda: badges.create_badge(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return BadgeSaved(badge=Badge.from_model(badge))

    @strawberry.mutation(permission_classes=[Marketers])
    async def update_badge(self, info: Info, input: UpdateBadgeInput) -> BadgePayload:
        ctx = info.context
        rule_given = input.rule is not strawberry.UNSET
        spec = badges.BadgeSpec(
            code=input.code,
            name=input.name,
            description=input.description,
            image_url=input.image_url,
            levels=_levels(input.levels),
            rule=input.rule.to_rule() if rule_given and input.rule else None,
            remove_rule=rule_given and input.rule is None,
        )
        try:
            badge = await badges.update_badge(
                await ctx.program(), row_id(input.id, "id", "badge", MAX_INT_ID), spec, ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return BadgeSaved(badge=Badge.from_model(badge))
