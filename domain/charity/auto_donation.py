"""Auto-donation: the member setting, and the PointsEarned handler that applies it.

The handler runs inside the earning transaction, which already holds the member lock.
It donates only points spendable now (fresh points may still be pending), and it never
fails the earning: a donation it cannot make becomes a SKIPPED row in the member's
donation history, saying why, and the earning (a purchase) goes through untouched.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.charity.auto_rules import AutoDonationSetting, points_to_give, setting_problems
from domain.charity.donations import active_charity, debit_and_donate
from domain.errors import DomainError, FieldProblem, InvalidInput, NotFound
from domain.events import PointsEarned, current_recording
from domain.ledger import LedgerRace, member_lots
from domain.lots import spendable_points
from domain.unit_of_work import unit_of_work
from domain.models import (
    Charity,
    Donation,
    DonationMode,
    DonationPreference,
    DonationSource,
    DonationStatus,
    LedgerKind,
    Member,
    Program,
)

log = logging.getLogger(__name__)

SOURCE_OF_MODE = {DonationMode.SHARE: DonationSource.AUTO_SHARE, DonationMode.ROUND_UP: DonationSource.ROUND_UP}


async def preference_of(member_id: str) -> DonationPreference | None:
    return await DonationPreference.get_or_none(member_id=member_id).prefetch_related("charity")


async def update_preference(
    program: Program, member_id: str, charity_id: int | None, setting: AutoDonationSetting, now: datetime
) -> DonationPreference:
    """Set the member's auto-donation; NONE switches it off (the charity is kept, if any)."""
    problems = setting_problems(setting, charity_given=charity_id is not None)
    if problems:
        raise InvalidInput([FieldProblem(path, message) for path, message in problems])
    async with unit_of_work.transaction():
        member = await Member.get_or_none(id=member_id, program_id=program.id, erased_at=None)
        if member is None:
            raise NotFound("member", member_id)
        charity = await active_charity(program.id, charity_id) if charity_id is not None else None
        values = {
            "mode": setting.mode,
            "share_percent": setting.share_percent if setting.mode == DonationMode.SHARE else 0,
            "round_up_to": setting.round_up_to if setting.mode == DonationMode.ROUND_UP else 0,
            "updated_at": now,
        }
        if charity is not None:
            values["charity_id"] = charity.id
        preference, created = await DonationPreference.get_or_create(member_id=member.id, defaults=values)
        if not created:
            preference.update_from_dict(values)
            await preference.save()
        await preference.fetch_related("charity")
        return preference


async def _skip(program: Program, member: Member, charity: Charity, points: int, source: DonationSource,
                reason: str, now: datetime) -> None:
    log.info("auto-donation of member %s skipped: %s", member.id, reason)
    await Donation.create(
        program_id=program.id, member_id=member.id, charity_id=charity.id, source=source,
        status=DonationStatus.SKIPPED, points=points, currency=program.currency, amount=0, matched_amount=0,
        impact_unit=charity.impact_unit, impact_amount=0, note=reason[:500], created_at=now,
    )


async def on_points_earned(event: PointsEarned) -> None:
    """Apply the member's auto-donation to an EARN credit (a purchase, a challenge reward),
    never to adjustments, refunds or other credits that are not earnings."""
    if event.kind != LedgerKind.EARN.value:
        return
    preference = await DonationPreference.get_or_none(member_id=event.member_id)
    if preference is None or preference.mode == DonationMode.NONE or preference.charity_id is None:
        return
    member = await Member.get_or_none(id=event.member_id)  # fresh: the credit just raised the balance
    charity = await Charity.get_or_none(id=preference.charity_id)
    program = await Program.get_or_none(id=event.program_id)
    if member is None or charity is None or program is None:
        return
    setting = AutoDonationSetting(preference.mode, preference.share_percent, preference.round_up_to)
    wanted = points_to_give(setting, event.points, member.points_balance)
    if wanted <= 0:
        return
    source = SOURCE_OF_MODE[preference.mode]
    if not charity.active:
        await _skip(program, member, charity, wanted, source, "the charity no longer takes donations", event.earned_at)
        return
    spendable = spendable_points(await member_lots(str(member.id)), event.earned_at)
    if spendable < wanted:
        reason = f"{wanted} points to give, only {spendable} spendable now (the rest is still pending)"
        await _skip(program, member, charity, wanted, source, reason, event.earned_at)
        return
    await _donate_in_savepoint(program, member, charity, wanted, source, event.earned_at)


async def _donate_in_savepoint(
    program: Program, member: Member, charity: Charity, points: int, source: DonationSource, now: datetime
) -> None:
    """A failure here rolls back the donation only, never the earning around it."""
    recorded = current_recording()
    mark = len(recorded) if recorded is not None else 0
    try:
        async with unit_of_work.transaction():
            await debit_and_donate(program, member, charity, points, source, now, note="auto-donation")
    except (DomainError, LedgerRace) as error:
        if recorded is not None:
            del recorded[mark:]  # rolled back with the savepoint
        await _skip(program, member, charity, points, source, f"could not donate: {error}", now)
