"""Members redeem rewards and cancel redemptions.

One transaction per request, through `idempotency.run_once`: lock the member, check
eligibility, take a unit of stock with a guarded UPDATE (0 rows: OutOfStock, so the last
unit is never sold twice), debit the points (InsufficientPoints), and issue a unique code.
An INSTANT reward is final at once and publishes RewardRedeemed; a HOLD reward reserves
the points until a partner's till confirms or releases it (see domain.rewards.holds).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from domain import idempotency, ledger
from domain.errors import NotFound, OutOfStock
from domain.events import RedemptionCancelled, RewardRedeemed, event_bus
from domain.models import Fulfilment, LedgerKind, Program, Redemption, RedemptionStatus, Reward, Tier
from domain.rewards import codes, lifecycle
from domain.rewards.catalog import get_reward
from domain.rewards.eligibility import refusal
from domain.rewards.refunds import give_back
from domain.rewards.standing import standing_of, terms_of

async def _take_unit(reward: Reward) -> None:
    if reward.stock is None:
        return
    taken = await Reward.filter(id=reward.id, stock__gte=1).update(stock=F("stock") - 1)
    if taken != 1:
        raise OutOfStock(reward.id)


async def publish_redeemed(redemption: Redemption, reward: Reward, now: datetime) -> None:
    await event_bus.publish(RewardRedeemed(
        program_id=reward.program_id,
        member_id=str(redemption.member_id),
        redemption_id=redemption.id,
        reward_id=reward.id,
        kind=reward.kind.value,
        points=redemption.points,
        charity_id=reward.charity_id,
        impact=dict(reward.impact or {}),
        occurred_at=now,
    ))


async def redeem_reward(
    program: Program, member_id: str, reward_id: int, idempotency_key: str, now: datetime
) -> Redemption:
    async def work() -> dict[str, Any]:
        member = await ledger.lock_member(program.id, member_id)
        reward = await get_reward(program.id, reward_id)
        tiers = await Tier.filter(program_id=program.id)
        standing = await standing_of(program, member, reward, tiers, now)
        if (refused := refusal(terms_of(reward, tiers), standing, now)) is not None:
            raise refused
        await _take_unit(reward)
        debit = await ledger.debit_lots(member, reward.cost_points, LedgerKind.REDEEM, f"reward: {reward.name}"[:500], now)
        held = reward.fulfilment == Fulfilment.HOLD
        redemption = await Redemption.create(
            program_id=program.id,
            member_id=member.id,
            reward_id=reward.id,
            code=await codes.unused_code(),
            status=RedemptionStatus.HELD if held else RedemptionStatus.REDEEMED,
            points=reward.cost_points,
            debit_entry_id=debit.entry.id,
            refund_expires_at=max(lot.expires_at for lot in debit.lots_taken),
            created_at=now,
            hold_expires_at=now + timedelta(minutes=reward.hold_minutes or 0) if held else None,
            cancel_until=None if held else lifecycle.cancel_deadline(now, program.redemption_cancel_minutes),
        )
        if not held:
            await publish_redeemed(redemption, reward, now)
        return {"redemption_id": redemption.id}

    payload = {"member_id": member_id, "reward_id": reward_id}
    result = await idempotency.run_once(program.id, idempotency_key, "redeemReward", payload, now, work,
                                         scope=idempotency.member_scope(member_id))
    return await Redemption.get(id=result["redemption_id"])


async def _members_redemption(program: Program, member_id: str, redemption_id: int) -> Redemption:
    """Another member's redemption is NotFound too: ids reveal nothing."""
    found = await Redemption.get_or_none(id=redemption_id, member_id=member_id, program_id=program.id)
    if found is None:
        raise NotFound("redemption", str(redemption_id))
    return found


async def cancel_redemption(
    program: Program, member_id: str, redemption_id: int, idempotency_key: str, now: datetime
) -> Redemption:
    """Before the deadline the redemption was given (the program's cancel window when it was
    made; a hold: any time before the till acts), the points and the unit of stock come
    back; a final redemption's impact is undone."""

    async def work() -> dict[str, Any]:
        await _members_redemption(program, member_id, redemption_id)
        member = await ledger.lock_member(program.id, member_id)
        redemption = await _members_redemption(program, member_id, redemption_id)
        deadline = lifecycle.given_deadline(
            redemption.cancel_until, redemption.created_at, program.redemption_cancel_minutes
        )
        refused = lifecycle.cancel_refusal(redemption.status, deadline, now)
        if refused is not None:
            raise refused
        was_final = redemption.status == RedemptionStatus.REDEEMED
        reward = await Reward.get(id=redemption.reward_id)
        await give_back(member, redemption, RedemptionStatus.CANCELLED, f"cancelled: {reward.name}", now)
        if was_final:
            await event_bus.publish(RedemptionCancelled(program.id, member_id, redemption.id, now))
        return {"redemption_id": redemption.id}

    payload = {"member_id": member_id, "redemption_id": redemption_id}
    result = await idempotency.run_once(program.id, idempotency_key, "cancelRedemption", payload, now, work,
                                         scope=idempotency.member_scope(member_id))
    return await Redemption.get(id=result["redemption_id"])


async def member_redemptions(
    program_id: int, member_id: str, first: int, after_id: int | None
) -> list[Redemption]:
    """Newest first, reward prefetched; one extra row tells whether another page exists."""
    query = Redemption.filter(program_id=program_id, member_id=member_id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    return await query.order_by("-id").limit(first + 1).prefetch_related("reward")


async def find_by_code(program_id: int, code: str) -> Redemption | None:
    normalised = codes.possible_code(code)
    return await Redemption.get_or_none(program_id=program_id, code=normalised) if normalised else None
