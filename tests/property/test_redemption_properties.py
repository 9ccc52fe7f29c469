"""Stock and points under random sequences of redeem / cancel / confirm / release /
timeout runs / time passing, through the real services on the real database.

After every step: for each reward, units left + live redemptions == the initial stock;
for each member, balance == sum of entries == sum of lot remainders, never negative; and
each step's outcome is the one a simple model of the rules predicts.
(Sync test with `asyncio.run` per example: see tests/property/test_ledger_properties.py.)
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tortoise.context import TortoiseContext, tortoise_test_context

from api.database import MODEL_MODULES, tortoise_config
from domain.errors import DomainError, InsufficientPoints, NotEligible, OutOfStock
from domain.models import Fulfilment, Member, Program, Redemption, RedemptionStatus, Reward
from domain.models.reward import LIVE_STATUSES
from domain.programs import get_or_create_program
from domain.rewards.holds import confirm_redemption, release_expired_holds, release_redemption
from domain.rewards.redemptions import cancel_redemption, redeem_reward
from tests import factories, reward_factories
from tests.conftest import ON_POSTGRES, _empty_all_tables
from tests.factories import NOW
from tests.reward_factories import balance

EXAMPLES, MAX_STEPS = (10, 20) if ON_POSTGRES else (60, 30)
CANCEL_MINUTES, HOLD_MINUTES = 30, 20
# (cost, stock, fulfilment): an instant reward and a partner's hold, both scarce
REWARDS = [(150, 3, Fulfilment.INSTANT), (200, 2, Fulfilment.HOLD)]
START_POINTS = 400  # two or three redemptions each, then InsufficientPoints


@dataclass(frozen=True)
class Redeem:
    member: int
    reward: int


@dataclass(frozen=True)
class Cancel:
    pick: int


@dataclass(frozen=True)
class Confirm:
    pick: int


@dataclass(frozen=True)
class Release:
    pick: int


@dataclass(frozen=True)
class RunTimeouts:
    pass


@dataclass(frozen=True)
class Wait:
    minutes: int


operations = st.lists(
    st.one_of(
        st.builds(Redeem, st.integers(0, 1), st.integers(0, len(REWARDS) - 1)),
        st.builds(Cancel, st.integers(0, 20)),
        st.builds(Confirm, st.integers(0, 20)),
        st.builds(Release, st.integers(0, 20)),
        st.just(RunTimeouts()),
        st.builds(Wait, st.integers(1, 25)),
    ),
    max_size=MAX_STEPS,
)


@dataclass
class Modelled:
    """What the model expects of one redemption."""

    id: int
    code: str
    member: int
    reward: int
    status: RedemptionStatus
    created_at: datetime


async def check_invariants(program: Program, members: list[Member], rewards: list[Reward]) -> None:
    for (_, stock, _), reward in zip(REWARDS, rewards, strict=True):
        left = (await Reward.get(id=reward.id)).stock
        live = await Redemption.filter(reward_id=reward.id, status__in=LIVE_STATUSES).count()
        assert left + live == stock and left >= 0
    for someone in members:
        assert await balance(someone) >= 0


async def scenario(ops: list) -> None:
    program = await get_or_create_program("property", "Property Rewards")
    members = [await factories.member(program) for _ in range(2)]
    for someone in members:
        await reward_factories.give_points(program, someone, START_POINTS)
    rewards = [
        await reward_factories.reward(program, cost_points=cost, stock=stock, fulfilment=fulfilment,
                                      hold_minutes=HOLD_MINUTES if fulfilment == Fulfilment.HOLD else None)
        for cost, stock, fulfilment in REWARDS
    ]
    points = [START_POINTS, START_POINTS]
    stock = [s for _, s, _ in REWARDS]
    made: list[Modelled] = []
    now = NOW
    keys = iter(range(10_000))

    def refund(m: Modelled, status: RedemptionStatus) -> None:
        m.status = status
        points[m.member] += REWARDS[m.reward][0]
        stock[m.reward] += 1

    for op in ops:
        key = f"op-{next(keys)}"
        outcome: object
        expected: object
        match op:
            case Redeem(who, which):
                cost, _, fulfilment = REWARDS[which]
                expected = OutOfStock if stock[which] == 0 else InsufficientPoints if points[who] < cost else Redemption
                try:
                    done = await redeem_reward(program, str(members[who].id), rewards[which].id, key, now)
                    outcome = Redemption
                    held = fulfilment == Fulfilment.HOLD
                    made.append(Modelled(done.id, done.code, who, which,
                                         RedemptionStatus.HELD if held else RedemptionStatus.REDEEMED, now))
                    points[who] -= cost
                    stock[which] -= 1
                except DomainError as error:
                    outcome = type(error)
            case Cancel(pick) if made:
                m = made[pick % len(made)]
                ok = m.status == RedemptionStatus.HELD or (
                    m.status == RedemptionStatus.REDEEMED and now < m.created_at + timedelta(minutes=CANCEL_MINUTES))
                expected = Redemption if ok else NotEligible
                try:
                    await cancel_redemption(program, str(members[m.member].id), m.id, key, now)
                    outcome = Redemption
                    refund(m, RedemptionStatus.CANCELLED)
                except DomainError as error:
                    outcome = type(error)
            case Confirm(pick) if made:
                m = made[pick % len(made)]
                ok = m.status == RedemptionStatus.HELD and now < m.created_at + timedelta(minutes=HOLD_MINUTES)
                expected = Redemption if ok else NotEligible
                try:
                    await confirm_redemption(program, m.code, key, now)
                    outcome = Redemption
                    m.status = RedemptionStatus.CONFIRMED
                except DomainError as error:
                    outcome = type(error)
            case Release(pick) if made:
                m = made[pick % len(made)]
                expected = Redemption if m.status == RedemptionStatus.HELD else NotEligible
                try:
                    await release_redemption(program, m.code, key, now)
                    outcome = Redemption
                    refund(m, RedemptionStatus.RELEASED)
                except DomainError as error:
                    outcome = type(error)
            case RunTimeouts():
                due = [m for m in made if m.status == RedemptionStatus.HELD
                       and now >= m.created_at + timedelta(minutes=HOLD_MINUTES)]
                expected = len(due)
                outcome = await release_expired_holds(now)
                for m in due:
                    refund(m, RedemptionStatus.RELEASED)
            case Wait(minutes):
                now += timedelta(minutes=minutes)
                continue
            case _:
                continue
        assert outcome == expected, (op, outcome, expected)
        event(f"{type(op).__name__} -> {getattr(outcome, '__name__', outcome)}")
        await check_invariants(program, members, rewards)
        assert [await balance(m) for m in members] == points
        for m in made:
            assert (await Redemption.get(id=m.id)).status == m.status


async def run_on_an_empty_database(postgres_url: str | None, ops: list) -> None:
    if postgres_url is None:
        async with tortoise_test_context(MODEL_MODULES):  # SQLite in memory: new and empty
            await scenario(ops)
        return
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(postgres_url))
        await _empty_all_tables(ctx)
        await scenario(ops)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_stock_and_points_stay_consistent_under_any_sequence(postgres_database, ops):
    asyncio.run(run_on_an_empty_database(postgres_database, ops))
