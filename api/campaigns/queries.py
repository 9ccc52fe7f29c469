"""Reading campaigns (marketers) and simulating a purchase through them (nothing written)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.campaigns.types import Campaign, CampaignStatus, CampaignVerdict
from api.ids import MAX_INT_ID, row_id
from api.long_int import Long
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.permissions import Marketers, Staff
from api.points.mutations import EarnRuleLine, PurchaseChannel, PurchaseItemInput
from api.problems import InvalidInput, NotFound, problem
from domain.campaigns import catalog
from domain.campaigns.simulation import simulate_purchase
from domain.errors import DomainError
from domain.purchases import Channel, PurchaseItem, PurchaseReport

SIMULATION_KEY = "simulation"  # never stored: a simulation records nothing


@strawberry.input
class SimulatePurchaseInput:
    member_id: strawberry.ID
    amount: int = strawberry.field(description="Total in minor units.")
    currency: str
    occurred_at: datetime
    channel: PurchaseChannel = Channel.POS
    items: list[PurchaseItemInput] = strawberry.field(default_factory=list)
    partner_code: str | None = None
    include_draft_campaigns: bool = strawberry.field(default=False, description="Also evaluate drafts.")
    campaign_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only these campaigns (active, or drafts when included)."
    )

    def to_report(self) -> PurchaseReport:
        return PurchaseReport(
            member_id=self.member_id, amount=self.amount, currency=self.currency, occurred_at=self.occurred_at,
            idempotency_key=SIMULATION_KEY, channel=Channel(self.channel),
            items=[PurchaseItem(i.sku, i.quantity, i.unit_price, i.category) for i in self.items],
            partner_code=self.partner_code,
        )


@strawberry.type(description="What recordPurchase would credit now; nothing was written.")
class PurchaseSimulation:
    points_earned: Long
    breakdown: list[EarnRuleLine]
    campaigns: list[CampaignVerdict] = strawberry.field(description="Every campaign considered, fired or not and why.")


CampaignResult = Annotated[Campaign | NotFound, strawberry.union("CampaignResult")]
SimulatePurchasePayload = Annotated[
    PurchaseSimulation | InvalidInput | NotFound, strawberry.union("SimulatePurchasePayload")
]


@strawberry.type
class CampaignQueries:
    @strawberry.field(permission_classes=[Marketers], description="Campaigns, newest first; all statuses unless given.")
    async def campaigns(
        self, info: Info, status: CampaignStatus | None = None, first: int = 20, after: str | None = None
    ) -> Connection[Campaign]:
        check_page_size(first)
        after_id = decode_cursor("campaign", after)
        program = await info.context.program()
        rows = await catalog.list_campaigns(program.id, status, first, after_id)
        return connection("campaign", rows, first, after_id, Campaign.from_model, lambda c: c.id)

    @strawberry.field(permission_classes=[Marketers], description="One campaign with its versions.")
    async def campaign(self, info: Info, id: strawberry.ID) -> CampaignResult:
        program = await info.context.program()
        try:
            found = await catalog.get_campaign(program.id, row_id(id, "id", "campaign", MAX_INT_ID))
        except DomainError:  # not an id, or not ours: no such campaign
            return NotFound(message=f"campaign {id!r} not found", entity="campaign", key=str(id))
        return Campaign.from_model(found)

    @strawberry.field(permission_classes=[Staff], description="A purchase through the earning rules; writes nothing.")
    async def simulate_purchase(self, info: Info, input: SimulatePurchaseInput) -> SimulatePurchasePayload:
        ctx = info.context
        try:
            ids = None
            if input.campaign_ids is not None:
                ids = [row_id(raw, f"campaignIds.{i}", "campaign") for i, raw in enumerate(input.campaign_ids)]
            result = await simulate_purchase(
                await ctx.program(), input.to_report(), ctx.now(), input.include_draft_campaigns, ids
            )
        except DomainError as error:
            return problem(error)
        return PurchaseSimulation(
            points_earned=result.points,
            breakdown=[EarnRuleLine.from_line(line.as_dict()) for line in result.lines],
            campaigns=[CampaignVerdict.from_verdict(v) for v in result.verdicts],
        )
