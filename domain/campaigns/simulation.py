"""simulatePurchase: a purchase through the earning rules with nothing written.

The same evaluation as record_purchase (engine.quote_purchase), without the member lock,
the budget reservation or any row: budgets and caps clip as they stand right now. Drafts
can be included so that a marketer sees a new campaign fire before activating it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.campaigns import engine
from domain.campaigns.rules import Verdict
from domain.earning import EarnLine
from domain.errors import NotFound
from domain.models import CampaignStatus, Member, Program
from domain.partners import partner_for_purchase
from domain.purchases import PurchaseReport, purchase_facts, validate_purchase


@dataclass(frozen=True)
class Simulation:
    points: int
    lines: list[EarnLine]
    verdicts: list[Verdict]  # every campaign considered: fired or not, and why


async def simulate_purchase(
    program: Program,
    report: PurchaseReport,
    now: datetime,
    include_drafts: bool = False,
    campaign_ids: list[int] | None = None,
) -> Simulation:
    validate_purchase(report, program, now)
    member = await Member.get_or_none(id=report.member_id, program_id=program.id)
    if member is None:
        raise NotFound("member", report.member_id)
    partner = await partner_for_purchase(program.id, report.partner_code)
    statuses = [CampaignStatus.ACTIVE, *([CampaignStatus.DRAFT] if include_drafts else [])]
    campaigns = await engine.load_campaigns(program.id, statuses, campaign_ids)
    quote = await engine.quote_purchase(
        program, member, partner, purchase_facts(report, program, partner), report.occurred_at, campaigns, now
    )
    return Simulation(points=quote.points, lines=quote.lines, verdicts=quote.decision.verdicts)
