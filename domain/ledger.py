"""The ledger's write paths: credit, debit, take back, expire.

Every function here runs inside the caller's transaction. Entries are only appended;
lots' remainders and the member's cached balance change through guarded UPDATEs, so two
transactions can never both spend the same points.
Invariant: balance == sum(entries) == sum(lot remainders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F

from domain.errors import InsufficientPoints, NotFound
from domain.events import PointsEarned, PointsSpent, event_bus
from domain.lots import LotView, Take, plan_spend
from domain.models import EarnLot, LedgerEntry, LedgerKind, Member, Program, Purchase
from domain.periods import add_months


class LedgerRace(RuntimeError):
    """A guarded update matched no row: the caller's plan is stale. Nothing is committed."""


@dataclass(frozen=True)
class LotTerms:
    available_at: datetime
    expires_at: datetime

    @classmethod
    def for_program(
        cls, program: Program, now: datetime, expires_at: datetime | None = None
    ) -> LotTerms:
        return cls(
            available_at=now + timedelta(days=program.pending_days),
            expires_at=expires_at or add_months(now, program.points_expiry_months),
        )


async def lock_member(program_id: int, member_id: str) -> Member:
    """The member row, locked FOR UPDATE on PostgreSQL so that spends queue per member.

    SQLite drops the clause; it serialises writers anyway. An erased member is not found:
    nobody earns, spends or joins in their name any more.
    """
    member = (
        await Member.filter(id=member_id, program_id=program_id, erased_at=None)
        .select_for_update()
        .first()
    )
    if member is None:
        raise NotFound("member", member_id)
    return member


async def credit(
    member: Member,
    points: int,
    kind: LedgerKind,
    reason: str,
    now: datetime,
    terms: LotTerms,
    purchase: Purchase | None = None,
    actor: str | None = None,
) -> LedgerEntry:
    if points <= 0:
        raise ValueError("a credit must be positive")
    entry = await LedgerEntry.create(
        program_id=member.program_id,
        member_id=member.id,
        kind=kind,
        points=points,
        reason=reason,
        purchase=purchase,
        actor=actor,
        created_at=now,
    )
    await EarnLot.create(
        member_id=member.id,
        entry=entry,
        points=points,
        remaining=points,
        earned_at=now,
        available_at=terms.available_at,
        expires_at=terms.expires_at,
    )
    lifetime = points if kind == LedgerKind.EARN else 0
    await Member.filter(id=member.id).update(
        points_balance=F("points_balance") + points,
        lifetime_earned=F("lifetime_earned") + lifetime,
    )
    await event_bus.publish(
        PointsEarned(member.program_id, str(member.id), entry.id, points, now, kind.value)
    )
    return entry


async def member_lots(member_id: str, extra_filter: dict | None = None) -> list[LotView]:
    rows = await EarnLot.filter(member_id=member_id, remaining__gt=0, **(extra_filter or {}))
    return [
        LotView(lot.id, lot.remaining, lot.earned_at, lot.available_at, lot.expires_at)
        for lot in rows
    ]


async def _take(member: Member, takes: Sequence[Take]) -> int:
    taken = 0
    for take in takes:
        changed = await EarnLot.filter(id=take.lot_id, remaining__gte=take.points).update(
            remaining=F("remaining") - take.points
        )
        if changed != 1:
            raise LedgerRace(f"earn lot {take.lot_id} changed under a spend")
        taken += take.points
    return taken


async def _lower_balance(member: Member, points: int) -> None:
    changed = await Member.filter(id=member.id, points_balance__gte=points).update(
        points_balance=F("points_balance") - points
    )
    if changed != 1:
        raise LedgerRace(f"balance of member {member.id} would go negative")


@dataclass(frozen=True)
class Debit:
    entry: LedgerEntry
    lots_taken: list[LotView]  # the lots the spend consumed, as they were before it


async def debit(
    member: Member,
    points: int,
    kind: LedgerKind,
    reason: str,
    now: datetime,
    purchase: Purchase | None = None,
    actor: str | None = None,
) -> LedgerEntry:
    """Spend `points` from spendable lots, soonest-expiring first.

    The caller must hold the member lock (`lock_member`) in this transaction.
    """
    return (await debit_lots(member, points, kind, reason, now, purchase, actor)).entry


async def debit_lots(
    member: Member,
    points: int,
    kind: LedgerKind,
    reason: str,
    now: datetime,
    purchase: Purchase | None = None,
    actor: str | None = None,
) -> Debit:
    """`debit`, also telling which lots it took (a refund must not outlive them)."""
    lots = await member_lots(member.id)
    takes = plan_spend(lots, points, now)
    await _take(member, takes)
    await _lower_balance(member, points)
    entry = await LedgerEntry.create(
        program_id=member.program_id,
        member_id=member.id,
        kind=kind,
        points=-points,
        reason=reason,
        purchase=purchase,
        actor=actor,
        created_at=now,
    )
    await event_bus.publish(
        PointsSpent(member.program_id, str(member.id), entry.id, points, kind.value)
    )
    taken_ids = {take.lot_id for take in takes}
    return Debit(entry, [lot for lot in lots if lot.id in taken_ids])


@dataclass(frozen=True)
class TakeBack:
    taken: int
    written_off: int
    expired: int  # expired unspent before the return: nothing to take back


async def take_back(
    member: Member, purchase: Purchase, reason: str, now: datetime, actor: str | None
) -> TakeBack:
    """Take back what a purchase earned (see domain.purchases.reverse_purchase's policy)."""
    own = await member_lots(member.id, {"entry__purchase_id": purchase.id})
    from_own = await _take(member, [Take(lot.id, lot.remaining) for lot in own])
    # Points of this purchase that expired unspent are gone already: nothing to recover.
    expired = -sum(
        await LedgerEntry.filter(purchase_id=purchase.id, kind=LedgerKind.EXPIRE).values_list("points", flat=True)
    )
    shortfall = purchase.points_earned - from_own - expired
    from_others = 0
    if shortfall > 0:
        others = await member_lots(member.id)
        try:
            takes = plan_spend(others, shortfall, now)
        except InsufficientPoints as short:
            takes = plan_spend(others, short.available, now) if short.available else []
        from_others = await _take(member, takes)
    taken = from_own + from_others
    if taken:
        await _lower_balance(member, taken)
        await LedgerEntry.create(
            program_id=member.program_id,
            member_id=member.id,
            kind=LedgerKind.REVERSE,
            points=-taken,
            reason=reason,
            purchase=purchase,
            actor=actor,
            created_at=now,
        )
    written_off = shortfall - from_others if shortfall > 0 else 0
    return TakeBack(taken=taken, written_off=written_off, expired=expired)


async def expire_lot(lot: EarnLot, now: datetime) -> int:
    """Expire what is left of one lot past its date; 0 if another run got there first.

    Locks the member before the lot, in the order every other writer uses, so an expiry
    run and a spend or return on the same member queue instead of deadlocking.
    """
    member = await Member.filter(id=lot.member_id).select_for_update().first()
    changed = await EarnLot.filter(
        id=lot.id, remaining=lot.remaining, expires_at__lte=now
    ).update(remaining=0)
    if member is None or changed != 1 or lot.remaining == 0:
        return 0
    await _lower_balance(member, lot.remaining)
    earned = await LedgerEntry.get(id=lot.entry_id)
    await LedgerEntry.create(
        program_id=member.program_id,
        member_id=member.id,
        kind=LedgerKind.EXPIRE,
        points=-lot.remaining,
        reason=f"points earned {lot.earned_at.date().isoformat()} expired",
        purchase_id=earned.purchase_id,
        created_at=now,
    )
    return lot.remaining


async def balance_now(member_id: object) -> int:
    """The stored balance as it is now in this transaction: after the handlers of the
    use case's events (signup and survey bonuses, auto-donations, challenge rewards) wrote
    theirs, which a balance computed from the locked row would miss."""
    rows = await Member.filter(id=member_id).values_list("points_balance", flat=True)
    return int(rows[0])
