"""Member-facing points use cases: the summary, spending, admin adjustments, expiry."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from domain import audit, idempotency, ledger
from domain.errors import Problems
from domain.models import EarnLot, LedgerEntry, LedgerKind, Member, Program
from domain.unit_of_work import unit_of_work

MAX_REASON = 500


@dataclass(frozen=True)
class ExpiringPoints:
    points: int
    expires_at: datetime


@dataclass(frozen=True)
class PointsSummary:
    balance: int  # sum of the ledger
    available: int  # spendable now
    pending: int  # earned, waiting for the return window to close
    lifetime_earned: int
    expiring_soon: list[ExpiringPoints]


async def points_summary(member: Member, now: datetime, within: timedelta) -> PointsSummary:
    lots = await EarnLot.filter(member_id=member.id, remaining__gt=0, expires_at__gt=now)
    available = sum(lot.remaining for lot in lots if lot.available_at <= now)
    pending = sum(lot.remaining for lot in lots if lot.available_at > now)
    by_date: dict[datetime, int] = {}
    for lot in lots:
        if lot.expires_at <= now + within:
            by_date[lot.expires_at] = by_date.get(lot.expires_at, 0) + lot.remaining
    return PointsSummary(
        balance=member.points_balance,
        available=available,
        pending=pending,
        lifetime_earned=member.lifetime_earned,
        expiring_soon=[ExpiringPoints(p, at) for at, p in sorted(by_date.items())],
    )


async def history_page(
    program_id: int, member_id: str, first: int, before_id: int | None
) -> list[LedgerEntry]:
    """Newest first; one extra row tells the caller whether another page exists."""
    query = LedgerEntry.filter(program_id=program_id, member_id=member_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(first + 1)


def _check_reason(reason: str, problems: Problems) -> None:
    if not reason.strip():
        problems.add("reason", "is required")
    elif len(reason) > MAX_REASON:
        problems.add("reason", f"must be at most {MAX_REASON} characters")


@dataclass(frozen=True)
class LedgerOutcome:
    entry_id: int
    member_id: str
    points: int
    balance: int


async def spend_points(
    program: Program,
    member_id: str,
    points: int,
    reason: str,
    idempotency_key: str,
    now: datetime,
    kind: LedgerKind = LedgerKind.REDEEM,
    actor: str | None = None,
    scope: str | None = None,
) -> LedgerOutcome:
    """Spend points soonest-expiring first; the path redemptions and donations take."""
    problems = Problems()
    if points <= 0:
        problems.add("points", "must be positive")
    _check_reason(reason, problems)
    problems.raise_if_any()

    async def work() -> dict[str, Any]:
        member = await ledger.lock_member(program.id, member_id)
        entry = await ledger.debit(member, points, kind, reason, now, actor=actor)
        return asdict(LedgerOutcome(entry.id, str(member.id), -points, await ledger.balance_now(member.id)))

    payload = {"member_id": member_id, "points": points, "reason": reason, "kind": kind.value}
    result = await idempotency.run_once(program.id, idempotency_key, "spendPoints", payload, now, work, scope=scope)
    return LedgerOutcome(**result)


async def adjust_points(
    program: Program,
    member_id: str,
    points: int,
    reason: str,
    idempotency_key: str,
    actor: str,
    now: datetime,
    *,
    scope: str | None = None,
) -> LedgerOutcome:
    """An admin's correction: a credit opens a lot on the program's terms, a debit spends."""
    problems = Problems()
    if points == 0:
        problems.add("points", "must not be zero")
    elif abs(points) > 10**9:
        problems.add("points", "must be at most 1,000,000,000 either way")
    _check_reason(reason, problems)
    problems.raise_if_any()

    async def work() -> dict[str, Any]:
        member = await ledger.lock_member(program.id, member_id)
        if points > 0:
            terms = ledger.LotTerms(available_at=now, expires_at=ledger.LotTerms.for_program(program, now).expires_at)
            entry = await ledger.credit(member, points, LedgerKind.ADJUST, reason, now, terms, actor=actor)
        else:
            entry = await ledger.debit(member, -points, LedgerKind.ADJUST, reason, now, actor=actor)
        details = {"points": points, "reason": reason, "entry_id": entry.id}
        await audit.record(program.id, actor, "adjustPoints", f"member:{member.id}", details, now)
        return asdict(LedgerOutcome(entry.id, str(member.id), points, await ledger.balance_now(member.id)))

    payload = {"member_id": member_id, "points": points, "reason": reason}
    result = await idempotency.run_once(program.id, idempotency_key, "adjustPoints", payload, now, work, scope=scope)
    return LedgerOutcome(**result)


async def expire_points(now: datetime, batch: int = 1000) -> int:
    """Expire every lot past its date; safe to run twice or concurrently. Returns points."""
    total = 0
    while True:
        due = await EarnLot.filter(remaining__gt=0, expires_at__lte=now).limit(batch)
        if not due:
            return total
        for lot in due:
            async with unit_of_work.transaction():
                total += await ledger.expire_lot(lot, now)
