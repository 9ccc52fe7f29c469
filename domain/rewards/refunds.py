"""Giving a redemption back: its points return to the member, its unit to the stock.

Refund policy: the points come back as a REFUND credit whose lot expires when the latest
of the lots the redemption consumed expires (`refund_expires_at`), never later: a
cancellation must not extend points' lives. Points whose original date has passed by
then come back already expired, for the next expiry run to write off. They are
spendable at once (they were spendable when redeemed).
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import F

from domain import ledger
from domain.models import LedgerKind, Member, Redemption, RedemptionStatus, Reward


async def give_back(
    member: Member, redemption: Redemption, closed_as: RedemptionStatus, reason: str, now: datetime
) -> Redemption:
    """The caller holds the member lock (every writer of a member's redemptions takes it
    first), so the redemption's status can't change under us."""
    terms = ledger.LotTerms(available_at=now, expires_at=redemption.refund_expires_at)
    entry = await ledger.credit(member, redemption.points, LedgerKind.REFUND, reason[:500], now, terms)
    changed = await Redemption.filter(id=redemption.id, status=redemption.status).update(
        status=closed_as, closed_at=now, refund_entry_id=entry.id
    )
    if changed != 1:
        raise ledger.LedgerRace(f"redemption {redemption.id} changed under a refund")
    await Reward.filter(id=redemption.reward_id, stock__isnull=False).update(stock=F("stock") + 1)
    return await Redemption.get(id=redemption.id)
