"""Building blocks for rewards tests: catalog rewards and points, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.models import EarnLot, LedgerEntry, Member, Program, Redemption, Reward, RewardKind
from domain.points import adjust_points
from domain.rewards.catalog import RewardSpec, create_reward
from domain.rewards.redemptions import redeem_reward
from tests.factories import NOW, next_key


async def reward(program: Program, now: datetime = NOW, **fields: Any) -> Reward:
    """A reward through the real catalog. Default: "Free coffee", 150 points, unlimited."""
    spec = RewardSpec(
        name=fields.pop("name", None) or next_key("Reward"),
        kind=fields.pop("kind", RewardKind.FREE_PRODUCT),
        cost_points=fields.pop("cost_points", 150),
        **fields,
    )
    return await create_reward(program, spec, "marketer:test", now)


async def give_points(program: Program, member: Member, points: int, now: datetime = NOW) -> None:
    """Points spendable at once (an admin credit: no pending period), expiring in 12 months."""
    await adjust_points(program, str(member.id), points, "test credit", next_key("credit"), "admin:test", now)


async def redeem(program: Program, member: Member, reward_: Reward, now: datetime = NOW, key: str | None = None) -> Redemption:
    return await redeem_reward(program, str(member.id), reward_.id, key or next_key("redeem"), now)


async def authz_world(program: Program, member: Member) -> dict[str, str]:
    """For the authorization matrix: a reward on offer and a redemption of it by `member`
    (who must have 5 points), so that lookups by id or code find something."""
    offered = await reward(program, name="Authz sticker", cost_points=5, now=NOW - timedelta(days=1))
    held = await redeem_reward(program, str(member.id), offered.id, "authz-world-redeem", NOW)
    return {"reward_id": str(offered.id), "redemption_code": held.code}



async def balance(member: Member) -> int:
    """The cached balance, checked against the ledger and the lots on the way."""
    fresh = await Member.get(id=member.id)
    entries = sum(await LedgerEntry.filter(member_id=member.id).values_list("points", flat=True))
    lots = sum(await EarnLot.filter(member_id=member.id).values_list("remaining", flat=True))
    assert fresh.points_balance == entries == lots
    return fresh.points_balance
