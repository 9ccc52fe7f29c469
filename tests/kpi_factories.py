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
from domain.models import (
    Donation, DonationSource, EarnLot, LedgerEntry, LedgerKind, Member, Partner, Program, Purchase, Tier,
)
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


# A year of one very large customer at a partner, beyond what GraphQL's Int holds (2^31 - 1):
BIG_PURCHASE = 10_000_000_00  # 10 million EUR in cents, five of them: 50 million EUR
BIG_PURCHASES = 5
BIG_POINTS_PER_PURCHASE = 2_000_000_000  # 200 points a euro (a partner's rate)
BIG_DONATION_POINTS = 3_000_000_000  # at 100 points a euro: 30 million EUR, the brand adds 50 %


@dataclass
class BigSums:
    member: Member
    partner: Partner


async def seed_big_sums(program: Program) -> BigSums:
    """Rows written directly (the services take one Int amount at a time):

    2025-01-01  M enrols
    2026-02-01 .. 2026-06-01, the 1st of each month: M buys 10,000,000.00 EUR at partner
                "fuel", earning 2,000,000,000 points each time (available at once)
    2026-07-01  M donates 3,000,000,000 points to "Big Forest": 30,000,000.00 EUR, the
                brand adds 15,000,000.00, a tree per euro: 45,000,000 trees
    Totals: revenue 50,000,000.00 EUR, 10,000,000,000 points issued, 7,000,000,000 held.
    """
    partner = await Partner.create(program=program, code="fuel", name="Fuel", active=True,
                                   points_per_currency_unit=200, earn_multiplier=Decimal(1),
                                   created_at=noon(2025, 1, 1), updated_at=noon(2025, 1, 1))
    member = await factories.member(program, "kpi-big", noon(2025, 1, 1))
    lots = []
    for month in range(2, 2 + BIG_PURCHASES):
        at = noon(2026, month, 1)
        bought = await Purchase.create(
            program=program, member=member, amount=BIG_PURCHASE, currency=program.currency, channel="pos",
            occurred_at=at, points_earned=BIG_POINTS_PER_PURCHASE, recorded_at=at, partner=partner)
        entry = await LedgerEntry.create(program=program, member=member, kind=LedgerKind.EARN,
                                         points=BIG_POINTS_PER_PURCHASE, reason="purchase", purchase=bought,
                                         created_at=at)
        lots.append(await EarnLot.create(member=member, entry=entry, points=BIG_POINTS_PER_PURCHASE,
                                         remaining=BIG_POINTS_PER_PURCHASE, earned_at=at, available_at=at,
                                         expires_at=datetime(2099, 1, 1, tzinfo=UTC)))
    charity = await create_charity(program, CharitySpec(
        name="Big Forest", cause="trees", points_per_currency_unit=100, matching_percent=50,
        impact_unit="trees_planted", impact_per_step=1, impact_step_amount=100), "marketer:test", noon(2025, 1, 1))
    donated_at = noon(2026, 7, 1)
    gift = await LedgerEntry.create(program=program, member=member, kind=LedgerKind.DONATE,
                                    points=-BIG_DONATION_POINTS, reason="donation", created_at=donated_at)
    left = BIG_DONATION_POINTS
    for lot in lots:  # soonest expiry first; all the same here
        taken = min(lot.remaining, left)
        await EarnLot.filter(id=lot.id).update(remaining=lot.remaining - taken)
        left -= taken
    amount = BIG_DONATION_POINTS * 100 // 100  # minor units: 100 points make 1.00 = 100 cents
    await Donation.create(program=program, member=member, charity=charity, source=DonationSource.MEMBER,
                          points=BIG_DONATION_POINTS, currency=program.currency, amount=amount,
                          matched_amount=amount // 2, impact_unit="trees_planted",
                          impact_amount=(amount + amount // 2) // 100, ledger_entry=gift, created_at=donated_at)
    issued = BIG_POINTS_PER_PURCHASE * BIG_PURCHASES
    await Member.filter(id=member.id).update(points_balance=issued - BIG_DONATION_POINTS, lifetime_earned=issued)
    return BigSums(member, partner)
