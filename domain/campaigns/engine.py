"""The service side of campaigns: load what the pure evaluation needs, grant what it decides.

On the hot path (record_purchase) this adds a fixed number of queries per purchase: one
for the active campaigns, one for the member's awards from them, one for "first
purchase?" when a FIRST_PURCHASE bonus is live, one membership check per distinct
segment; then one guarded budget UPDATE, one credit and one award row per campaign granted.

Policies: a campaign counts if it is ACTIVE when the purchase is recorded and its schedule
covers the moment the purchase occurred. A return takes the campaign's points back from
the member but not into the budget or the cap: those count points issued. A budgeted
campaign's row stays locked from its draw until the purchase commits, so purchases that
draw from one budget queue there (campaigns are drawn in id order: no deadlock).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import F

from domain import ledger
from domain.campaigns.catalog import rule_of
from domain.campaigns.rules import (
    PURCHASE_TRIGGERS,
    Award,
    CampaignRule,
    MemberFacts,
    Occasion,
    PurchaseFacts,
    Verdict,
    evaluate,
)
from domain.campaigns.stacking import resolve
from domain.errors import NotFound
from domain.earning import EarnLine, Earning, base_earning
from domain.models import (
    Campaign,
    CampaignAward,
    CampaignKind,
    CampaignStatus,
    LedgerKind,
    Member,
    Partner,
    Program,
    Purchase,
    Tier,
)

log = logging.getLogger(__name__)

# How often a grant retries a budget another transaction drew from at the same moment.
BUDGET_RETRIES = 100  # each miss means another purchase drew points: progress is certain


async def load_campaigns(
    program_id: int, statuses: Iterable[CampaignStatus] = (CampaignStatus.ACTIVE,), ids: list[int] | None = None
) -> list[Campaign]:
    query = Campaign.filter(program_id=program_id, status__in=list(statuses))
    if ids is not None:
        query = query.filter(id__in=ids)
    return await query.order_by("id")


async def _in_segment(program: Program, segment_id: int, member: Member, now: datetime) -> bool:
    # Segments are another context's; imported late so that campaigns work without them.
    try:
        membership = importlib.import_module("domain.segments.membership")
    except ModuleNotFoundError:
        log.warning("segments are not available: member counted outside segment %s", segment_id)
        return False
    try:
        return bool(await membership.member_in_segment(program, segment_id, member, now))
    except NotFound:  # the segment was deleted: nobody is in it
        return False


async def member_facts(
    program: Program, member: Member, rules: list[CampaignRule], now: datetime, for_purchase: bool
) -> MemberFacts:
    segments = {r.segment_id for r in rules if r.segment_id is not None}
    matching = frozenset([s for s in sorted(segments) if await _in_segment(program, s, member, now)])
    wants_first = for_purchase and any(
        r.kind == CampaignKind.FIXED_BONUS and r.effect.trigger in PURCHASE_TRIGGERS for r in rules
    )
    first = wants_first and not await Purchase.exists(member_id=member.id)
    return MemberFacts(
        tier_id=member.tier_id,  # type: ignore[attr-defined]
        segment_ids=matching,
        birthday_month=member.birthday.month if member.birthday else None,
        first_purchase=first,
    )


async def awards_of(member_id: object, campaign_ids: list[int]) -> list[Award]:
    if not campaign_ids:
        return []
    rows = await CampaignAward.filter(member_id=member_id, campaign_id__in=campaign_ids).values_list(
        "campaign_id", "points", "occurred_at", "once_key"
    )
    return [Award(c, p, at, key) for c, p, at, key in rows]


@dataclass(frozen=True)
class Decision:
    """Every campaign considered, with its resolved verdict (fired and applied, or why not)."""

    verdicts: list[Verdict]

    @property
    def applied(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.fired and v.points > 0]

    @property
    def points(self) -> int:
        return sum(v.points for v in self.applied)


async def decide(
    program: Program, member: Member, campaigns: list[Campaign], occasion: Occasion, now: datetime
) -> Decision:
    rules = [rule_of(c) for c in campaigns]
    facts = await member_facts(program, member, rules, now, for_purchase=occasion.purchase is not None)
    awards = await awards_of(member.id, [r.id for r in rules])
    verdicts = evaluate(rules, occasion, facts, awards, ZoneInfo(program.time_zone))
    return Decision(resolve(verdicts))


async def _reserve(campaign_id: int, wanted: int) -> int:
    """Draw up to `wanted` points from a budget; the guard makes overdrawing impossible.

    The guarded UPDATE comes first (one statement when the budget suffices); only when it
    misses is the remainder read, and the draw retried for what is left."""
    take = wanted
    for _ in range(BUDGET_RETRIES):
        changed = await Campaign.filter(id=campaign_id, budget_remaining__gte=take).update(
            budget_remaining=F("budget_remaining") - take
        )
        if changed == 1:
            return take
        rows = await Campaign.filter(id=campaign_id).values_list("budget_remaining", flat=True)
        if not rows or rows[0] is None:
            return wanted  # the budget was removed meanwhile: nothing limits the campaign
        take = min(wanted, rows[0])
        if take <= 0:
            return 0
    return 0


async def reserve_budgets(decision: Decision, budgeted: set[int]) -> Decision:
    """The decision with each budgeted campaign's points cut to what its budget gave."""
    verdicts = []
    for verdict in decision.verdicts:
        if verdict.fired and verdict.points > 0 and verdict.campaign_id in budgeted:
            got = await _reserve(verdict.campaign_id, verdict.points)
            if got == 0:
                verdict = replace(verdict, fired=False, points=0, reason="budget exhausted")
            elif got < verdict.points:
                verdict = replace(verdict, points=got, reason=f"{verdict.reason} (clipped by budget)")
        verdicts.append(verdict)
    return Decision(verdicts)


async def grant(
    program: Program,
    member: Member,
    decision: Decision,
    occurred_at: datetime,
    now: datetime,
    reason: str,
    purchase: Purchase | None = None,
) -> None:
    """Credit each applied campaign (the caller holds the member lock and reserved budgets)
    and record the award that caps and once-only bonuses count."""
    terms = ledger.LotTerms.for_program(program, now)
    if purchase is None:  # nothing to return: a bonus on an event is spendable at once
        terms = ledger.LotTerms(available_at=now, expires_at=terms.expires_at)
    for verdict in decision.applied:
        entry = await ledger.credit(
            member, verdict.points, LedgerKind.EARN, f"{reason}: campaign {verdict.campaign_name}",
            now, terms, purchase=purchase,
        )
        await CampaignAward.create(
            campaign_id=verdict.campaign_id, member_id=member.id, points=verdict.points,
            occurred_at=occurred_at, once_key=verdict.once_key, purchase=purchase, ledger_entry=entry,
        )


@dataclass(frozen=True)
class Quote:
    """What a purchase earns: the base lines (base, partner, tier) and the campaigns' decision."""

    base: Earning
    decision: Decision

    @property
    def lines(self) -> list[EarnLine]:
        campaign_lines = [
            EarnLine("campaign", v.reason, v.points, v.campaign_id, v.campaign_name) for v in self.decision.applied
        ]
        return [*self.base.lines, *campaign_lines]

    @property
    def points(self) -> int:
        return self.base.points + self.decision.points


async def quote_purchase(
    program: Program,
    member: Member,
    partner: Partner | None,
    facts: PurchaseFacts,
    occurred_at: datetime,
    campaigns: list[Campaign],
    now: datetime,
) -> Quote:
    """The same evaluation for recordPurchase and simulatePurchase; writes nothing."""
    tier = await Tier.get_or_none(id=member.tier_id) if member.tier_id else None  # type: ignore[attr-defined]
    base = base_earning(
        facts.amount,
        facts.currency_digits,
        facts.earn_rate,
        tier.name if tier else None,
        Decimal(tier.earn_multiplier) if tier else Decimal(1),
        partner.name if partner else None,
        Decimal(partner.earn_multiplier) if partner else Decimal(1),
    )
    decision = await decide(program, member, campaigns, Occasion(occurred_at, purchase=facts), now)
    return Quote(base, decision)
