"""Recording purchases (the hot path) and reversing them on a return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain import idempotency, ledger
from domain.campaigns import engine
from domain.campaigns.rules import Item, PurchaseFacts
from domain.errors import AlreadyReversed, InvalidInput, NotFound, Problems
from domain.events import PurchaseRecorded, event_bus
from domain.members import is_member_id
from domain.models import LedgerKind, Member, Partner, Program, Purchase
from domain.occurrence import check_backdating, occurred_at_problem
from domain.money import is_known_currency, minor_units
from domain.partners import partner_for_purchase
from domain.row_ids import MAX_BIGINT_ID
from domain.tiers import reevaluate_tier

MAX_ITEMS = 500
MAX_AMOUNT = 10**12  # minor units; keeps sums far from 64-bit overflow


class Channel(StrEnum):
    POS = "pos"
    ECOMMERCE = "ecommerce"
    APP = "app"
    PARTNER = "partner"


@dataclass(frozen=True)
class PurchaseItem:
    sku: str
    quantity: int
    unit_price: int
    category: str | None = None


@dataclass(frozen=True)
class PurchaseReport:
    member_id: str
    amount: int
    currency: str
    occurred_at: datetime
    idempotency_key: str
    channel: Channel = Channel.POS
    items: list[PurchaseItem] = field(default_factory=list)
    partner_code: str | None = None  # bought at this partner brand (coalition)


def purchase_facts(report: PurchaseReport, program: Program, partner: Partner | None) -> PurchaseFacts:
    """What the earning rules see of a purchase: the partner's earn rate at a partner."""
    return PurchaseFacts(
        amount=report.amount,
        currency_digits=minor_units(report.currency),
        earn_rate=partner.points_per_currency_unit if partner else program.points_per_currency_unit,
        channel=report.channel.value,
        partner_code=partner.code if partner else None,
        items=tuple(Item(i.sku, i.category, i.quantity * i.unit_price) for i in report.items),
    )


def validate_purchase(report: PurchaseReport, program: Program, now: datetime, *, window: bool = True) -> None:
    """`window`: False when the caller checks the back-dating window itself (only a new request)."""
    problems = Problems()
    if not is_member_id(report.member_id):
        problems.add("memberId", f"{report.member_id!r} is not a member id (a UUID)")
    if report.amount <= 0:
        problems.add("amount", "must be a positive amount in minor units")
    elif report.amount > MAX_AMOUNT:
        problems.add("amount", f"must be at most {MAX_AMOUNT}")
    if not is_known_currency(report.currency):
        problems.add("currency", f"{report.currency!r} is not an ISO 4217 currency code")
    elif report.currency != program.currency:
        problems.add("currency", f"this program earns in {program.currency}, not {report.currency}")
    days = program.max_backdating_days if window else None
    if (message := occurred_at_problem(report.occurred_at, now, days)) is not None:
        problems.add("occurredAt", message)
    if len(report.items) > MAX_ITEMS:
        problems.add("items", f"at most {MAX_ITEMS} items per purchase, got {len(report.items)}")
    else:
        for i, item in enumerate(report.items):
            if not item.sku.strip():
                problems.add(f"items.{i}.sku", "must not be blank")
            if item.quantity <= 0:
                problems.add(f"items.{i}.quantity", "must be positive")
            if item.unit_price < 0:
                problems.add(f"items.{i}.unitPrice", "must not be negative")
    if (message := idempotency.key_problem(report.idempotency_key)) is not None:
        problems.add("idempotencyKey", message)
    problems.raise_if_any()


@dataclass(frozen=True)
class PurchaseOutcome:
    purchase_id: int
    member_id: str
    points_earned: int
    breakdown: list[dict[str, Any]]  # [{rule, description, points, campaign_id, campaign_name}]
    balance: int
    tier_change: dict[str, Any] | None  # {from_tier, to_tier, reason}


def _payload(report: PurchaseReport) -> dict[str, Any]:
    data = asdict(report)
    data.pop("idempotency_key")
    if data["partner_code"] is None:
        del data["partner_code"]  # keeps fingerprints of keys stored before partners existed
    data["occurred_at"] = report.occurred_at.isoformat()
    return data


async def record_purchase(
    program: Program, report: PurchaseReport, now: datetime, *, scope: str | None = None
) -> PurchaseOutcome:
    """Earn points for a purchase, in one transaction with tier re-evaluation and events.

    Earning: the base rule (the partner's at a partner), the tier bonus, and the active
    campaigns that fire (domain.campaigns); each campaign is credited as its own ledger
    entry naming it, linked to the purchase so that a return takes it back too.
    """
    validate_purchase(report, program, now, window=False)

    async def work() -> dict[str, Any]:
        check_backdating(report.occurred_at, now, program.max_backdating_days)  # not for a replay
        member = await ledger.lock_member(program.id, report.member_id)
        partner = await partner_for_purchase(program.id, report.partner_code)
        campaigns = await engine.load_campaigns(program.id)
        quote = await engine.quote_purchase(
            program, member, partner, purchase_facts(report, program, partner), report.occurred_at, campaigns, now
        )
        budgeted = {c.id for c in campaigns if c.budget_remaining is not None}
        quote = engine.Quote(quote.base, await engine.reserve_budgets(quote.decision, budgeted))
        purchase = await Purchase.create(
            program_id=program.id,
            member_id=member.id,
            amount=report.amount,
            currency=report.currency,
            channel=report.channel.value,
            items=[asdict(item) for item in report.items],
            occurred_at=report.occurred_at,
            points_earned=quote.points,
            recorded_at=now,
            partner=partner,
        )
        if quote.base.points > 0:
            await ledger.credit(
                member,
                quote.base.points,
                LedgerKind.EARN,
                f"purchase {purchase.id}",
                now,
                ledger.LotTerms.for_program(program, now),
                purchase=purchase,
            )
        await engine.grant(program, member, quote.decision, report.occurred_at, now, f"purchase {purchase.id}", purchase)
        await event_bus.publish(
            PurchaseRecorded(
                program.id, str(member.id), purchase.id, report.amount, report.currency, report.occurred_at
            )
        )
        move = await reevaluate_tier(program, member, now)
        return asdict(
            PurchaseOutcome(
                purchase_id=purchase.id,
                member_id=str(member.id),
                points_earned=quote.points,
                breakdown=[line.as_dict() for line in quote.lines],
                # Re-read: handlers in this transaction (auto-donation) may have spent some.
                balance=await _balance(member),
                tier_change=asdict(move) if move else None,
            )
        )

    result = await idempotency.run_once(
        program.id, report.idempotency_key, "recordPurchase", _payload(report), now, work, scope=scope
    )
    return PurchaseOutcome(**result)


async def _balance(member: Member) -> int:
    rows = await Member.filter(id=member.id).values_list("points_balance", flat=True)
    return int(rows[0])


@dataclass(frozen=True)
class ReversalOutcome:
    purchase_id: int
    member_id: str
    points_reversed: int
    points_written_off: int
    points_expired: int
    balance: int


async def reverse_purchase(
    program: Program,
    purchase_id: int,
    reason: str,
    idempotency_key: str,
    actor: str,
    now: datetime,
    *,
    scope: str | None = None,
) -> ReversalOutcome:
    """A return takes back the points the purchase earned.

    Policy when some were already spent: first the unspent (or still pending) remainder of
    the purchase's own points, then the member's other spendable points, soonest-expiring
    first; whatever is still missing is written off and reported, because a balance never
    goes negative. Its points that expired unspent are reported, not taken again. The purchase stops counting toward tiers; a downgrade waits for review.
    """
    if not reason.strip():
        raise InvalidInput.one("reason", "must not be blank")

    async def work() -> dict[str, Any]:
        in_range = 0 < purchase_id <= MAX_BIGINT_ID
        purchase = await Purchase.get_or_none(id=purchase_id, program_id=program.id) if in_range else None
        if purchase is None:
            raise NotFound("purchase", str(purchase_id))
        member = await ledger.lock_member(program.id, str(purchase.member_id))
        marked = await Purchase.filter(id=purchase.id, reversed_at__isnull=True).update(reversed_at=now)
        if marked != 1:
            raise AlreadyReversed(purchase.id)
        back = await ledger.take_back(member, purchase, f"return of purchase {purchase.id}: {reason}", now, actor)
        await reevaluate_tier(program, member, now)
        return asdict(
            ReversalOutcome(
                purchase_id=purchase.id,
                member_id=str(member.id),
                points_reversed=back.taken,
                points_written_off=back.written_off,
                points_expired=back.expired,
                balance=await _balance(member),
            )
        )

    payload = {"purchase_id": purchase_id, "reason": reason}
    result = await idempotency.run_once(
        program.id, idempotency_key, "reversePurchase", payload, now, work, scope=scope
    )
    return ReversalOutcome(**result)
