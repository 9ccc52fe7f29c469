"""Referrals: every member has a code; a friend who enrolls with it and then buys for at
least the program's minimum earns both of them points, once.

Policies (where the issue is silent):
- Unknown code (or an erased member's): InvalidInput on `referralCode`, nothing written.
- Self-referral: a member's own code cannot exist before they enrol, so the guard targets
  a person opening a second account: the code is refused when its owner has the same
  name (case and spacing ignored) and the same birthday as the new member.
- A member is referred at most once (unique referee), at enrolment only.
- Cap: a referrer is credited for `program.referral_cap` completed referrals at most.
  Past the cap the referee still earns their welcome points (they did nothing wrong);
  the referral completes as `capped` and the referrer gets nothing.
- The qualifying purchase is the referee's first purchase of at least
  `program.referral_min_purchase`; smaller ones leave the referral pending. A replayed
  purchase never runs the handler again, and a completed referral never completes twice.
- A later return of the qualifying purchase does not take the referral points back: the
  points follow the program's pending period like purchase points, which is the window
  for returns. (Known gap: no claw-back after that.)
Lock order: the purchase locked the referee; the referrer is locked after. A referrer
always enrolled before their referee, so locks are taken newer-to-older members and two
completions can never wait on each other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.functions import Sum

from domain import ledger
from domain.errors import InvalidInput
from domain.events import PurchaseRecorded, ReferralCompleted, event_bus
from domain.models import LedgerKind, Member, Program, Purchase, Referral, ReferralStatus

MAX_CODE_LENGTH = 16


def _same_person(name: str, birthday: date | None, other: Member) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    return birthday is not None and birthday == other.birthday and norm(name) == norm(other.display_name)


def normalise_code(raw: str) -> str:
    return raw.strip().upper()


async def find_referrer(program: Program, raw_code: str, display_name: str, birthday: date | None) -> Member:
    """The member whose code the new member gave; InvalidInput on `referralCode` otherwise."""
    code = normalise_code(raw_code)
    referrer = None
    if code and len(code) <= MAX_CODE_LENGTH:
        referrer = await Member.get_or_none(program_id=program.id, referral_code=code, erased_at=None)
    if referrer is None:
        raise InvalidInput.one("referralCode", f"unknown referral code {raw_code!r}")
    if _same_person(display_name, birthday, referrer):
        raise InvalidInput.one("referralCode", "members cannot refer themselves")
    return referrer


async def open_referral(program: Program, referrer: Member, referee: Member, now: datetime) -> Referral:
    """In the enrolment's transaction: the referee is brand new, so never referred yet."""
    return await Referral.create(
        program_id=program.id, referrer_id=referrer.id, referee_id=referee.id, created_at=now
    )


async def on_purchase_recorded(event: PurchaseRecorded) -> None:
    """In the purchase's transaction, with the referee locked by it."""
    referral = await Referral.get_or_none(referee_id=event.member_id, status=ReferralStatus.PENDING)
    if referral is None:
        return
    program = await Program.get(id=event.program_id)
    if event.amount < program.referral_min_purchase:
        return
    referee = await Member.get(id=event.member_id)
    # The ledger's clock is when the purchase was recorded, not when the till says it was.
    now = (await Purchase.get(id=event.purchase_id)).recorded_at
    # Locked: completions for one referrer queue, so the cap counts right on PostgreSQL.
    referrer = await Member.filter(id=referral.referrer_id, erased_at=None).select_for_update().first()
    credited = 0
    if referrer is not None:
        credited = await Referral.filter(
            referrer_id=referrer.id, status=ReferralStatus.COMPLETED, capped=False
        ).count()
    capped = referrer is None or credited >= program.referral_cap
    referrer_points = 0 if capped else program.referral_referrer_points
    referee_points = program.referral_referee_points
    changed = await Referral.filter(id=referral.id, status=ReferralStatus.PENDING).update(
        status=ReferralStatus.COMPLETED,
        completed_at=now,
        purchase_id=event.purchase_id,
        capped=capped,
        referrer_points=referrer_points,
        referee_points=referee_points,
    )
    if changed != 1:
        return
    terms = ledger.LotTerms.for_program(program, now)
    if referee_points > 0:
        await ledger.credit(referee, referee_points, LedgerKind.EARN, "welcome: joined with a referral code", now, terms)
    if referrer is not None and referrer_points > 0:
        await ledger.credit(referrer, referrer_points, LedgerKind.EARN, "referral: a friend joined and bought", now, terms)
    await event_bus.publish(
        ReferralCompleted(program.id, str(referral.referrer_id), str(referee.id), now)
    )


@dataclass(frozen=True)
class ReferralSummary:
    code: str
    completed_count: int
    pending_count: int
    points_earned: int  # as a referrer


async def referral_summary(member: Member) -> ReferralSummary:
    made = Referral.filter(referrer_id=member.id)
    completed = await made.filter(status=ReferralStatus.COMPLETED).count()
    pending = await made.filter(status=ReferralStatus.PENDING).count()
    total = await (
        Referral.filter(referrer_id=member.id, status=ReferralStatus.COMPLETED)
        .annotate(total=Sum("referrer_points"))
        .group_by("referrer_id")
        .values_list("total", flat=True)
    )
    return ReferralSummary(member.referral_code, completed, pending, int(total[0] or 0) if total else 0)
