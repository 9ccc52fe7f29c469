"""GraphQL types of the rewards catalog and of redemptions."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from domain import models
from domain.errors import DomainError
from domain.rewards import lifecycle
from domain.rewards.eligibility import refusal_field

RewardKind = strawberry.enum(models.RewardKind, description="EXPERIENCE: an experience or early access.")
Fulfilment = strawberry.enum(
    models.Fulfilment,
    description="INSTANT: final at once. HOLD: points reserved until a partner's till confirms or releases.",
)
RedemptionStatus = strawberry.enum(models.RedemptionStatus)


@strawberry.type(description="May the signed-in member redeem this reward now?")
class Eligibility:
    eligible: bool
    reason: str | None = strawberry.field(description="Why not, in words for the member.")
    field: str | None = strawberry.field(description="The rule that decided: minTier, stock, costPoints, ...")

    @classmethod
    def from_refusal(cls, refused: DomainError | None) -> Eligibility:
        if refused is None:
            return cls(eligible=True, reason=None, field=None)
        return cls(eligible=False, reason=refused.message, field=refusal_field(refused))


@strawberry.type
class Reward:
    id: strawberry.ID
    name: str
    description: str
    kind: RewardKind
    cost_points: int
    min_tier_id: strawberry.ID | None
    segment_id: strawberry.ID | None
    stock: int | None = strawberry.field(description="Units left; null: unlimited.")
    per_member_limit: int | None
    valid_from: datetime | None
    valid_until: datetime | None
    fulfilment: Fulfilment
    hold_minutes: int | None
    active: bool
    charity_id: strawberry.ID | None
    impact: JSON = strawberry.field(description='What one redemption achieves, e.g. {"trees_planted": 1}.')
    eligibility: Eligibility | None = strawberry.field(description="For members only; null for staff.")

    @classmethod
    def from_model(cls, reward: models.Reward, eligibility: Eligibility | None = None) -> Reward:
        def maybe_id(value: int | None) -> strawberry.ID | None:
            return strawberry.ID(str(value)) if value is not None else None

        return cls(
            id=strawberry.ID(str(reward.id)),
            name=reward.name,
            description=reward.description,
            kind=reward.kind,
            cost_points=reward.cost_points,
            min_tier_id=maybe_id(reward.min_tier_id),
            segment_id=maybe_id(reward.segment_id),
            stock=reward.stock,
            per_member_limit=reward.per_member_limit,
            valid_from=reward.valid_from,
            valid_until=reward.valid_until,
            fulfilment=reward.fulfilment,
            hold_minutes=reward.hold_minutes,
            active=reward.active,
            charity_id=maybe_id(reward.charity_id),
            impact=dict(reward.impact or {}),
            eligibility=eligibility,
        )


@strawberry.type
class Redemption:
    id: strawberry.ID
    code: str = strawberry.field(description="Shown at the till; unique.")
    status: RedemptionStatus
    points: int
    member_id: strawberry.ID
    reward: Reward
    created_at: datetime
    hold_expires_at: datetime | None = strawberry.field(description="A HELD redemption is released then.")
    closed_at: datetime | None = strawberry.field(description="When it was confirmed, released or cancelled.")
    model: strawberry.Private[models.Redemption]

    @classmethod
    def from_model(cls, redemption: models.Redemption) -> Redemption:
        """`redemption.reward` must be fetched (prefetch_related or fetch_related)."""
        return cls(
            id=strawberry.ID(str(redemption.id)),
            code=redemption.code,
            status=redemption.status,
            points=redemption.points,
            member_id=strawberry.ID(str(redemption.member_id)),
            reward=Reward.from_model(redemption.reward),
            created_at=redemption.created_at,
            hold_expires_at=redemption.hold_expires_at,
            closed_at=redemption.closed_at,
            model=redemption,
        )

    @strawberry.field(description="Until when the member may cancel it; null when they can't.")
    async def cancellable_until(self, info: Info) -> datetime | None:
        program = await info.context.program()
        deadline = lifecycle.given_deadline(
            self.model.cancel_until, self.model.created_at, program.redemption_cancel_minutes
        )
        return lifecycle.cancellable_until(self.model.status, deadline, self.model.hold_expires_at)
