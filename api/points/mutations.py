"""Writing to the ledger: purchases from integrations, returns, admin adjustments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.ids import row_id
from api.long_int import Long
from api.permissions import AdminOnly, Integrations
from api.problems import (
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    problem,
)
from domain import purchases
from domain.errors import DomainError
from domain.members import parse_member_id
from domain.points import adjust_points
from domain.purchases import Channel, PurchaseItem, PurchaseReport

PurchaseChannel = strawberry.enum(Channel, name="PurchaseChannel")


@strawberry.input
class PurchaseItemInput:
    sku: str
    quantity: int
    unit_price: int = strawberry.field(description="Minor units, e.g. cents.")
    category: str | None = None


@strawberry.input
class RecordPurchaseInput:
    member_id: strawberry.ID
    amount: int = strawberry.field(description="Total in minor units (cents for EUR).")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    occurred_at: datetime
    idempotency_key: str = strawberry.field(description="Unique per purchase, e.g. the receipt id.")
    channel: PurchaseChannel = Channel.POS
    items: list[PurchaseItemInput] = strawberry.field(default_factory=list)
    partner_code: str | None = strawberry.field(
        default=None, description="Bought at this partner brand: earns under the partner's rule."
    )

    def to_report(self) -> PurchaseReport:
        return PurchaseReport(
            member_id=self.member_id,
            amount=self.amount,
            currency=self.currency,
            occurred_at=self.occurred_at,
            idempotency_key=self.idempotency_key,
            channel=Channel(self.channel),
            items=[PurchaseItem(i.sku, i.quantity, i.unit_price, i.category) for i in self.items],
            partner_code=self.partner_code,
        )


@strawberry.type
class EarnRuleLine:
    rule: str = strawberry.field(description="Which rule earned these points: base, partner, tier, campaign.")
    description: str
    points: Long
    campaign_id: strawberry.ID | None = strawberry.field(default=None, description="Null for base, partner and tier lines.")
    campaign_name: str | None = None

    @classmethod
    def from_line(cls, line: dict[str, Any]) -> EarnRuleLine:
        campaign_id = line.get("campaign_id")
        return cls(rule=line["rule"], description=line["description"], points=line["points"],
                   campaign_id=strawberry.ID(str(campaign_id)) if campaign_id is not None else None,
                   campaign_name=line.get("campaign_name"))


@strawberry.type
class TierChange:
    from_tier: str | None
    to_tier: str | None
    reason: str = strawberry.field(description="upgrade or downgrade")


@strawberry.type
class PurchaseRecorded:
    purchase_id: strawberry.ID
    member_id: strawberry.ID
    points_earned: Long
    breakdown: list[EarnRuleLine]
    balance: Long = strawberry.field(description="The member's balance right after this purchase.")
    tier_change: TierChange | None

    @classmethod
    def from_outcome(cls, outcome: purchases.PurchaseOutcome) -> PurchaseRecorded:
        return cls(
            purchase_id=strawberry.ID(str(outcome.purchase_id)),
            member_id=strawberry.ID(outcome.member_id),
            points_earned=outcome.points_earned,
            breakdown=[EarnRuleLine.from_line(line) for line in outcome.breakdown],
            balance=outcome.balance,
            tier_change=TierChange(**outcome.tier_change) if outcome.tier_change else None,
        )


RecordPurchasePayload = Annotated[
    PurchaseRecorded | InvalidInput | NotFound | IdempotencyConflict,
    strawberry.union("RecordPurchasePayload"),
]


@strawberry.input
class ReversePurchaseInput:
    purchase_id: strawberry.ID
    reason: str
    idempotency_key: str


@strawberry.type(
    description="A return took back the purchase's points. Points already spent are taken "
    "from the member's other points; what even those cannot cover is written off."
)
class PurchaseReversed:
    purchase_id: strawberry.ID
    points_reversed: Long
    points_written_off: Long
    points_expired: Long = strawberry.field(description="Expired unspent before the return.")
    balance: Long


ReversePurchasePayload = Annotated[
    PurchaseReversed | InvalidInput | NotFound | AlreadyReversed | IdempotencyConflict,
    strawberry.union("ReversePurchasePayload"),
]


@strawberry.input
class AdjustPointsInput:
    member_id: strawberry.ID
    points: int = strawberry.field(description="Signed: positive credits, negative debits.")
    reason: str
    idempotency_key: str


@strawberry.type
class PointsAdjusted:
    entry_id: strawberry.ID
    member_id: strawberry.ID
    points: int
    balance: Long


AdjustPointsPayload = Annotated[
    PointsAdjusted | InvalidInput | NotFound | InsufficientPoints | IdempotencyConflict,
    strawberry.union("AdjustPointsPayload"),
]


@strawberry.type
class PointsMutations:
    @strawberry.mutation(permission_classes=[Integrations])
    async def record_purchase(self, info: Info, input: RecordPurchaseInput) -> RecordPurchasePayload:
        ctx = info.context
        try:
            outcome = await purchases.record_purchase(
                await ctx.program(), input.to_report(), ctx.now(), scope=ctx.idempotency_scope
            )
        except DomainError as error:
            return problem(error)
        return PurchaseRecorded.from_outcome(outcome)

    @strawberry.mutation(permission_classes=[Integrations], description="A return of a whole purchase.")
    async def reverse_purchase(self, info: Info, input: ReversePurchaseInput) -> ReversePurchasePayload:
        ctx = info.context
        try:
            outcome = await purchases.reverse_purchase(
                await ctx.program(),
                row_id(input.purchase_id, "purchaseId", "purchase"),
                input.reason,
                input.idempotency_key,
                ctx.principal.actor,
                ctx.now(),
                scope=ctx.idempotency_scope,
            )
        except DomainError as error:
            return problem(error)
        return PurchaseReversed(
            purchase_id=strawberry.ID(str(outcome.purchase_id)),
            points_reversed=outcome.points_reversed,
            points_written_off=outcome.points_written_off,
            points_expired=outcome.points_expired,
            balance=outcome.balance,
        )

    @strawberry.mutation(permission_classes=[AdminOnly], description="Audited correction.")
    async def adjust_points(self, info: Info, input: AdjustPointsInput) -> AdjustPointsPayload:
        ctx = info.context
        try:
            outcome = await adjust_points(
                await ctx.program(),
                parse_member_id(input.member_id),
                input.points,
                input.reason,
                input.idempotency_key,
                ctx.principal.actor,
                ctx.now(),
                scope=ctx.idempotency_scope,
            )
        except DomainError as error:
            return problem(error)
        return PointsAdjusted(
            entry_id=strawberry.ID(str(outcome.entry_id)),
            member_id=strawberry.ID(outcome.member_id),
            points=outcome.points,
            balance=outcome.balance,
        )
