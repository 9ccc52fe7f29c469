"""Donating points: a member's own donation, and the one writer of Donation rows.

Every donation is converted by the charity's terms at the moment it is made, and the
row keeps the result (amount, brand match, impact) so that later changes to the terms
never rewrite history.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from domain import idempotency, ledger
from domain.charity.catalog import terms_of
from domain.charity.conversion import donation_value
from domain.errors import NotEligible, NotFound, Problems
from domain.events import PointsDonated, event_bus
from domain.members import is_member_id
from domain.models import Charity, Donation, DonationSource, DonationStatus, LedgerKind, Member, Program

MAX_DONATION_POINTS = 10**9


@dataclass(frozen=True)
class DonationOutcome:
    donation_id: int
    charity_id: int
    points: int
    currency: str
    amount: int
    matched_amount: int
    impact_unit: str
    impact_amount: int
    balance: int


async def active_charity(program_id: int, charity_id: int, path: str = "charityId") -> Charity:
    charity = await Charity.get_or_none(id=charity_id, program_id=program_id)
    if charity is None:
        raise NotFound("charity", str(charity_id))
    if not charity.active:
        raise NotEligible(path, f"charity {charity_id} no longer takes donations")
    return charity


async def record_donation(
    program: Program,
    member: Member,
    charity: Charity,
    points: int,
    source: DonationSource,
    now: datetime,
    ledger_entry_id: int | None = None,
    redemption_id: int | None = None,
    note: str = "",
) -> Donation:
    """Write a made donation and publish PointsDonated; the points are already debited."""
    value = donation_value(points, terms_of(charity, program.currency))
    donation = await Donation.create(
        program_id=program.id,
        member_id=member.id,
        charity_id=charity.id,
        source=source,
        status=DonationStatus.DONATED,
        points=points,
        currency=program.currency,
        amount=value.amount,
        matched_amount=value.matched_amount,
        impact_unit=charity.impact_unit,
        impact_amount=value.impact_amount,
        ledger_entry_id=ledger_entry_id,
        redemption_id=redemption_id,
        note=note,
        created_at=now,
    )
    await event_bus.publish(
        PointsDonated(program.id, str(member.id), donation.id, charity.id, points, value.amount, source.value, now)
    )
    return donation


async def debit_and_donate(
    program: Program, member: Member, charity: Charity, points: int, source: DonationSource, now: datetime, note: str = ""
) -> Donation:
    """Debit the points (soonest-expiring first) and record the donation. Caller holds the
    member lock; raises InsufficientPoints before writing when too few are spendable."""
    entry = await ledger.debit(member, points, LedgerKind.DONATE, f"donation to {charity.name}"[:500], now)
    return await record_donation(program, member, charity, points, source, now, ledger_entry_id=entry.id, note=note)


def _validate(member_id: str, points: int) -> None:
    problems = Problems()
    if not is_member_id(member_id):
        problems.add("memberId", "is not a member id")
    if points <= 0:
        problems.add("points", "must be positive")
    elif points > MAX_DONATION_POINTS:
        problems.add("points", f"must be at most {MAX_DONATION_POINTS}")
    problems.raise_if_any()


async def donate_points(
    program: Program, member_id: str, charity_id: int, points: int, idempotency_key: str, now: datetime
) -> DonationOutcome:
    """A member gives points to an active charity. Too few spendable points:
    InsufficientPoints, and nothing is written."""
    _validate(member_id, points)

    async def work() -> dict[str, Any]:
        member = await ledger.lock_member(program.id, member_id)
        charity = await active_charity(program.id, charity_id)
        donation = await debit_and_donate(program, member, charity, points, DonationSource.MEMBER, now)
        return asdict(
            DonationOutcome(
                donation_id=donation.id,
                charity_id=charity.id,
                points=points,
                currency=donation.currency,
                amount=donation.amount,
                matched_amount=donation.matched_amount,
                impact_unit=donation.impact_unit,
                impact_amount=donation.impact_amount,
                balance=await ledger.balance_now(member.id),
            )
        )

    idempotency.check_key(idempotency_key)
    payload = {"member_id": member_id, "charity_id": charity_id, "points": points}
    result = await idempotency.run_once(
        program.id, idempotency_key, "donatePoints", payload, now, work, scope=idempotency.member_scope(member_id)
    )
    return DonationOutcome(**result)


async def history_page(program_id: int, member_id: str, first: int, before_id: int | None) -> list[Donation]:
    """Newest first, skipped auto-donations included; one extra row tells whether another page exists."""
    query = Donation.filter(program_id=program_id, member_id=member_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(first + 1).prefetch_related("charity")
