"""Reward redemptions that are donations or sustainability actions, as impact.

Subscribed in domain.wiring: the rewards context publishes, charity counts. A charity
reward redemption already debited its points, so it becomes a Donation without a
second debit. A sustainability reward (or a charity reward without a charity) counts
its `impact` map, e.g. {"trees_planted": 1}. A cancellation undoes either; both
handlers are safe to run twice for one redemption.
"""

from __future__ import annotations

import logging

from domain.charity.donations import record_donation
from domain.events import RedemptionCancelled, RewardRedeemed
from domain.models import Charity, Donation, DonationSource, DonationStatus, ImpactRecord, Member, Program, RewardKind

log = logging.getLogger(__name__)


async def on_reward_redeemed(event: RewardRedeemed) -> None:
    if event.kind == RewardKind.CHARITY_DONATION.value and event.charity_id is not None:
        await _reward_donation(event)
    elif event.kind in (RewardKind.SUSTAINABILITY_ACTION.value, RewardKind.CHARITY_DONATION.value):
        await _reward_impact(event)


async def _reward_donation(event: RewardRedeemed) -> None:
    if await Donation.exists(redemption_id=event.redemption_id):
        return
    charity = await Charity.get_or_none(id=event.charity_id, program_id=event.program_id)
    member = await Member.get_or_none(id=event.member_id)
    program = await Program.get_or_none(id=event.program_id)
    if charity is None or member is None or program is None:
        log.warning("redemption %s names charity %s, which does not exist", event.redemption_id, event.charity_id)
        return
    await record_donation(
        program, member, charity, event.points, DonationSource.REWARD, event.occurred_at,
        redemption_id=event.redemption_id, note=f"reward {event.reward_id}",
    )


async def _reward_impact(event: RewardRedeemed) -> None:
    if await ImpactRecord.exists(redemption_id=event.redemption_id):
        return
    for unit, amount in sorted(event.impact.items()):
        if amount > 0:
            await ImpactRecord.create(
                program_id=event.program_id, member_id=event.member_id, redemption_id=event.redemption_id,
                reward_id=event.reward_id, impact_unit=unit, impact_amount=amount, created_at=event.occurred_at,
            )


async def on_redemption_cancelled(event: RedemptionCancelled) -> None:
    await Donation.filter(redemption_id=event.redemption_id, status=DonationStatus.DONATED).update(
        status=DonationStatus.CANCELLED, cancelled_at=event.occurred_at
    )
    await ImpactRecord.filter(redemption_id=event.redemption_id, cancelled_at=None).update(
        cancelled_at=event.occurred_at
    )
