"""Marketers configure rewards; members redeem and cancel; a partner's till confirms or
releases held redemptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.ids import MAX_BIGINT_ID, MAX_INT_ID, is_digits, row_id
from api.create_keys import create_once, key_field
from api.long_int import Long
from api.permissions import Integrations, Marketers, MemberOnly
from api.problems import (
    Expired,
    IdempotencyConflict,
    InsufficientPoints,
    InvalidInput,
    NotEligible,
    NotFound,
    OutOfStock,
    problem,
)
from api.rewards.types import Fulfilment, Redemption, Reward, RewardKind
from domain import models
from domain.errors import DomainError, Problems
from domain.models import Fulfilment as FulfilmentValue
from domain.models import RewardKind as RewardKindValue
from domain.rewards import catalog, holds, redemptions


@strawberry.input
class CreateRewardInput:
    name: str
    kind: RewardKind
    cost_points: int
    description: str = ""
    min_tier_id: strawberry.ID | None = None
    segment_id: strawberry.ID | None = None
    stock: int | None = strawberry.field(default=None, description="Units on offer; null: unlimited.")
    per_member_limit: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    fulfilment: Fulfilment = FulfilmentValue.INSTANT
    hold_minutes: int | None = strawberry.field(default=None, description="Required for HOLD rewards.")
    active: bool = True
    charity_id: strawberry.ID | None = strawberry.field(default=None, description="Required for CHARITY_DONATION.")
    impact: JSON | None = strawberry.field(default=None, description='e.g. {"trees_planted": 1}')
    idempotency_key: str | None = key_field()


@strawberry.input(description="Fields left out stay as they are; null clears an optional one.")
class UpdateRewardInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    kind: RewardKind | None = strawberry.UNSET
    cost_points: int | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    min_tier_id: strawberry.ID | None = strawberry.UNSET
    segment_id: strawberry.ID | None = strawberry.UNSET
    stock: int | None = strawberry.field(default=strawberry.UNSET, description="Sets the units left.")
    per_member_limit: int | None = strawberry.UNSET
    valid_from: datetime | None = strawberry.UNSET
    valid_until: datetime | None = strawberry.UNSET
    fulfilment: Fulfilment | None = strawberry.UNSET
    hold_minutes: int | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET
    charity_id: strawberry.ID | None = strawberry.UNSET
    impact: JSON | None = strawberry.UNSET


_REQUIRED = ("name", "kind", "cost_points", "description", "fulfilment", "active", "impact")
_IDS = {"min_tier_id": "tier", "segment_id": "segment", "charity_id": "charity"}


def _changes(input: CreateRewardInput | UpdateRewardInput) -> dict[str, Any]:
    """Input fields as RewardSpec values: ids parsed, enums as domain values."""
    problems = Problems()
    changes: dict[str, Any] = {}
    for name in catalog.PATHS:
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        path = catalog.PATHS[name]
        if value is None and name in _REQUIRED:
            if isinstance(input, UpdateRewardInput):
                problems.add(path, "must not be null")
                continue
            value = {}  # impact left out on create
        if name in _IDS and value is not None:
            if not is_digits(str(value)):
                problems.add(path, f"{value!r} is not a {_IDS[name]} id")
                continue
            value = int(value)
        if name == "kind":
            value = RewardKindValue(value)
        if name == "fulfilment":
            value = FulfilmentValue(value)
        changes[name] = value
    problems.raise_if_any()
    return changes


@strawberry.type
class RewardSaved:
    reward: Reward


RewardPayload = Annotated[
    RewardSaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("RewardPayload")
]


@strawberry.input
class RedeemRewardInput:
    reward_id: strawberry.ID
    idempotency_key: str


@strawberry.input
class CancelRedemptionInput:
    redemption_id: strawberry.ID
    idempotency_key: str


@strawberry.input(description="The code the member shows at the till.")
class RedemptionCodeInput:
    code: str
    idempotency_key: str


@strawberry.type
class RedemptionSaved:
    redemption: Redemption
    balance: Long = strawberry.field(description="The member's balance now.")


RedeemRewardPayload = Annotated[
    RedemptionSaved | InsufficientPoints | OutOfStock | NotEligible | Expired | NotFound | InvalidInput
    | IdempotencyConflict,
    strawberry.union("RedeemRewardPayload"),
]
RedemptionPayload = Annotated[
    RedemptionSaved | NotEligible | NotFound | InvalidInput | IdempotencyConflict,
    strawberry.union("RedemptionPayload"),
]


async def _saved(redemption: models.Redemption) -> RedemptionSaved:
    await redemption.fetch_related("reward")
    member = await models.Member.get(id=redemption.member_id)
    return RedemptionSaved(redemption=Redemption.from_model(redemption), balance=member.points_balance)


@strawberry.type
class RewardMutations:
    @strawberry.mutation(permission_classes=[Marketers], description="A new reward in the catalog; audited.")
    async def create_reward(self, info: Info, input: CreateRewardInput) -> RewardPayload:
        ctx = info.context
        try:
            spec = catalog.RewardSpec(**_changes(input))
            program = await ctx.program()
            reward = await create_once(
                ctx, input, "createReward", models.Reward,
                lambda: catalog.create_reward(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return RewardSaved(reward=Reward.from_model(reward))

    @strawberry.mutation(permission_classes=[Marketers], description="Audited; live redemptions are unaffected.")
    async def update_reward(self, info: Info, input: UpdateRewardInput) -> RewardPayload:
        ctx = info.context
        try:
            reward_id = row_id(input.id, "id", "reward", MAX_INT_ID)
            reward = await catalog.update_reward(
                await ctx.program(), reward_id, _changes(input), ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return RewardSaved(reward=Reward.from_model(reward))

    @strawberry.mutation(
        permission_classes=[MemberOnly],
        description="Spend points on a reward. A HOLD reward reserves them until the partner's till confirms.",
    )
    async def redeem_reward(self, info: Info, input: RedeemRewardInput) -> RedeemRewardPayload:
        ctx = info.context
        try:
            redemption = await redemptions.redeem_reward(
                await ctx.program(),
                ctx.principal.member_id,
                row_id(input.reward_id, "rewardId", "reward", MAX_INT_ID),
                input.idempotency_key,
                ctx.now(),
            )
        except DomainError as error:
            return problem(error)
        return await _saved(redemption)

    @strawberry.mutation(
        permission_classes=[MemberOnly],
        description="Within the program's cancel window (a hold: until the till acts), points and stock come back.",
    )
    async def cancel_redemption(self, info: Info, input: CancelRedemptionInput) -> RedemptionPayload:
        ctx = info.context
        try:
            redemption = await redemptions.cancel_redemption(
                await ctx.program(),
                ctx.principal.member_id,
                row_id(input.redemption_id, "redemptionId", "redemption", MAX_BIGINT_ID),
                input.idempotency_key,
                ctx.now(),
            )
        except DomainError as error:
            return problem(error)
        return await _saved(redemption)

    @strawberry.mutation(permission_classes=[Integrations], description="The till handed a held reward over.")
    async def confirm_redemption(self, info: Info, input: RedemptionCodeInput) -> RedemptionPayload:
        ctx = info.context
        try:
            redemption = await holds.confirm_redemption(
                await ctx.program(), input.code, input.idempotency_key, ctx.now(), scope=ctx.idempotency_scope
            )
        except DomainError as error:
            return problem(error)
        return await _saved(redemption)

    @strawberry.mutation(permission_classes=[Integrations], description="The checkout failed: the points come back.")
    async def release_redemption(self, info: Info, input: RedemptionCodeInput) -> RedemptionPayload:
        ctx = info.context
        try:
            redemption = await holds.release_redemption(
                await ctx.program(), input.code, input.idempotency_key, ctx.now(), scope=ctx.idempotency_scope
            )
        except DomainError as error:
            return problem(error)
        return await _saved(redemption)
