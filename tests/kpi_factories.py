"""A small, explicit program history for hand-checked KPIs (see tests/api/test_kpis_api.py).

Every write goes through the real services at a stated moment (noon UTC unless said), so
the expected figures can be computed by hand from the story below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from challenges.models import Challenge
from domain import ledger
from domain.charity.catalog import CharitySpec, create_charity
from domain.charity.donations import donate_points
from domain.models import LedgerKind, Member, Program, Tier
from domain.points import expire_points, spend_points
from domain.purchases import record_purchase, reverse_purchase
from tests import factories

PERIOD_FROM = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD_TO = datetime(2027, 1, 1, tzinfo=UTC)  # 365 days: the purchase frequency is per year as is


def noon(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@dataclass
class History:
    a: Member
    b: Member
    c: Member
    d: Member
    e: Member
    f: Member
    challenge: Challenge


async def buy(program: Program, member: Member, amount: int, at: datetime) -> int:
    """A purchase that occurred at `at` and was reported then; returns its id."""
    report = factories.report(member.id, amount, occurred_at=at)
    return (await record_purchase(program, report, at)).purchase_id


async def refund(program: Program, member: Member, points: int, at: datetime) -> None:
    """What a cancelled redemption does to the ledger: a REFUND credit."""
    async with in_transaction():
        locked = await ledger.lock_member(program.id, str(member.id))
        await ledger.credit(locked, points, LedgerKind.REFUND, "redemption cancelled", at,
                            ledger.LotTerms.for_program(program, at))


async def seed_history(program: Program) -> History:
    """Tiers Bronze (0) and Silver (150 points in 12 months), both x1, then:

    2025-01-01  A and B enrol
    2025-06-01  C enrols and buys 40.00 (40 points, expire 2026-06-01)
    2025-11-15  B buys 20.00 (20 points, expire 2026-11-15)
    2025-12-01  A buys 100.00 (100 points, expire 2026-12-01)
    -- the period [2026-01-01, 2027-01-01) --
    2026-02-01  D enrols and buys 30.00
    2026-03-01  F enrols (never buys); A buys 50.00 (150 in 12 months: Silver)
    2026-04-01  A redeems 80 points (from the 100 lot: 20 left)
    2026-05-01  A gets 10 points refunded
    2026-06-15  expiry run: C's 40 points
    2026-10-10  a challenge "spend 50.00" opens, 2026-10-09 to 2026-11-08
    2026-10-15  E enrols and buys 25.00 (challenge: 50 %)
    2026-11-01  D buys 70.00 (challenge: completed)
    2026-11-10  E buys 10.00 (outside the challenge), returned 2026-11-12
    2026-12-01  A buys 50.00
    2026-12-15  expiry run: B's 20 and the 20 left of A's 100
    2026-12-20  D donates 30 points to a charity (10 points a euro, brand adds 50 %,
                a tree per euro of the total: 3.00 + 1.50 -> 4 trees)
    -- after the period --
    2027-01-10  B buys 60.00
    """
    await Tier.create(program=program, name="Bronze", threshold=0, earn_multiplier=Decimal(1))
    await Tier.create(program=program, name="Silver", threshold=150, earn_multiplier=Decimal(1))
    a = await factories.member(program, "kpi-a", noon(2025, 1, 1))
    b = await factories.member(program, "kpi-b", noon(2025, 1, 1))
    c = await factories.member(program, "kpi-c", noon(2025, 6, 1))
    await buy(program, c, 40_00, noon(2025, 6, 1))
    await buy(program, b, 20_00, noon(2025, 11, 15))
    await buy(program, a, 100_00, noon(2025, 12, 1))

    d = await factories.member(program, "kpi-d", noon(2026, 2, 1))
    await buy(program, d, 30_00, noon(2026, 2, 1))
    f = await factories.member(program, "kpi-f", noon(2026, 3, 1))
    await buy(program, a, 50_00, noon(2026, 3, 1))
    await spend_points(program, str(a.id), 80, "a reward", factories.next_key("redeem"), noon(2026, 4, 1))
    await refund(program, a, 10, noon(2026, 5, 1))
    await expire_points(noon(2026, 6, 15))
    challenge = await factories.challenge(program, now=noon(2026, 10, 10))
    e = await factories.member(program, "kpi-e", noon(2026, 10, 15))
    await buy(program, e, 25_00, noon(2026, 10, 15))
    await buy(program, d, 70_00, noon(2026, 11, 1))
    returned = await buy(program, e, 10_00, noon(2026, 11, 10))
    await reverse_purchase(program, returned, "returned", factories.next_key("return"), "pos", noon(2026, 11, 12))
    await buy(program, a, 50_00, noon(2026, 12, 1))
    await expire_points(noon(2026, 12, 15))
    charity = await create_charity(program, CharitySpec(
        name="Forest Fund", cause="trees", points_per_currency_unit=10, matching_percent=50,
        impact_unit="trees_planted", impact_per_step=1, impact_step_amount=100), "marketer:test", noon(2026, 1, 1))
    await donate_points(program, str(d.id), charity.id, 30, factories.next_key("donate"), noon(2026, 12, 20))
    await buy(program, b, 60_00, noon(2027, 1, 10))
    return History(a, b, c, d, e, f, challenge)
