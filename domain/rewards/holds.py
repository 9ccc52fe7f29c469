"""Rewards fulfilled at a partner's till: the points are reserved (a HELD redemption)
until the till confirms (final: RewardRedeemed) or releases it (refunded), so a failed
checkout never loses a member's points. Holds the till never answered are released by
`release_expired_holds`, run on a schedule (`loyalty release-holds`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import idempotency, ledger
from domain.errors import NotFound
from domain.models import Member, Program, Redemption, RedemptionStatus, Reward
from domain.rewards import codes, lifecycle
from domain.rewards.redemptions import publish_redeemed
from domain.rewards.refunds import give_back
from domain.unit_of_work import unit_of_work


async def _held_by_code(program: Program, code: str, confirming: bool, now: datetime) -> tuple[Member, Redemption]:
    """Lock the member first, like every writer of their points, then re-read."""
    normalised = codes.possible_code(code)
    found = await Redemption.get_or_none(program_id=program.id, code=normalised) if normalised else None
    if found is None:
        raise NotFound("redemption", code)
    member = await ledger.lock_member(program.id, str(found.member_id))
    redemption = await Redemption.get(id=found.id)
    refused = lifecycle.till_refusal(redemption.status, redemption.hold_expires_at, now, confirming)
    if refused is not None:
        raise refused
    return member, redemption


async def confirm_redemption(
    program: Program, code: str, idempotency_key: str, now: datetime, *, scope: str | None = None
) -> Redemption:
    """The till handed the reward over: the reserved points are spent for good."""

    async def work() -> dict[str, Any]:
        _, redemption = await _held_by_code(program, code, confirming=True, now=now)
        changed = await Redemption.filter(id=redemption.id, status=RedemptionStatus.HELD).update(
            status=RedemptionStatus.CONFIRMED, closed_at=now
        )
        if changed != 1:
            raise ledger.LedgerRace(f"redemption {redemption.id} changed under a confirmation")
        redemption = await Redemption.get(id=redemption.id)
        await publish_redeemed(redemption, await Reward.get(id=redemption.reward_id), now)
        return {"redemption_id": redemption.id}

    payload = {"code": codes.normalise(code)}
    result = await idempotency.run_once(program.id, idempotency_key, "confirmRedemption", payload, now, work, scope=scope)
    return await Redemption.get(id=result["redemption_id"])


async def release_redemption(
    program: Program, code: str, idempotency_key: str, now: datetime, *, scope: str | None = None
) -> Redemption:
    """The checkout failed or was abandoned: the points and the unit come back."""

    async def work() -> dict[str, Any]:
        member, redemption = await _held_by_code(program, code, confirming=False, now=now)
        reward = await Reward.get(id=redemption.reward_id)
        await give_back(member, redemption, RedemptionStatus.RELEASED, f"released at the till: {reward.name}", now)
        return {"redemption_id": redemption.id}

    payload = {"code": codes.normalise(code)}
    result = await idempotency.run_once(program.id, idempotency_key, "releaseRedemption", payload, now, work, scope=scope)
    return await Redemption.get(id=result["redemption_id"])


async def release_expired_holds(now: datetime, batch: int = 500) -> int:
    """Release every hold past its time, each in its own transaction; safe to run twice
    or concurrently (a hold another run or the till got to first is skipped). Returns
    how many this run released."""
    released = 0
    skip: set[int] = set()
    while True:
        due = await Redemption.filter(
            status=RedemptionStatus.HELD, hold_expires_at__lte=now, id__not_in=list(skip) or [0]
        ).order_by("id").limit(batch)
        if not due:
            return released
        for candidate in due:
            async with unit_of_work.transaction():
                member = await Member.filter(id=candidate.member_id).select_for_update().first()
                redemption = await Redemption.get(id=candidate.id)
                if member is None or redemption.status != RedemptionStatus.HELD:
                    skip.add(candidate.id)
                    continue
                reward = await Reward.get(id=redemption.reward_id)
                await give_back(member, redemption, RedemptionStatus.RELEASED, f"hold timed out: {reward.name}", now)
                released += 1
