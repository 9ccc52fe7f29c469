"""Friends of one referrer buying at the same moment, on PostgreSQL in parallel
transactions: the referrer's cap must hold (the referrer row lock makes completions queue)."""

from __future__ import annotations

import asyncio

from domain.members import Enrollment, enroll_member
from domain.models import Member, Program, Referral
from domain.purchases import record_purchase
from tests import factories
from tests.concurrency.test_concurrent_spends import POOL_SIZE, program  # noqa: F401  (the wide-pool fixture)
from tests.conftest import requires_postgres
from tests.factories import NOW

pytestmark = requires_postgres


async def test_the_cap_holds_when_friends_complete_at_once(program: Program) -> None:  # noqa: F811
    # given a referrer capped at 2 credited referrals, and 8 referred friends
    program.referral_referrer_points, program.referral_referee_points = 200, 100
    program.referral_min_purchase, program.referral_cap, program.points_per_currency_unit = 1_00, 2, 0
    await program.save()
    alice = await factories.member(program)
    friends = [
        await enroll_member(program, Enrollment(f"friend-{i}", f"Friend {i}", referral_code=alice.referral_code), NOW)
        for i in range(8)
    ]
    assert len(friends) < POOL_SIZE
    # when all of them make their first purchase at the same moment
    await asyncio.gather(*(record_purchase(program, factories.report(f.id, 5_00), NOW) for f in friends))
    # then Alice was credited exactly twice, every friend once
    assert (await Member.get(id=alice.id)).points_balance == 400
    assert [(await Member.get(id=f.id)).points_balance for f in friends] == [100] * 8
    assert await Referral.filter(referrer_id=alice.id, capped=False, referrer_points=200).count() == 2
    assert await Referral.filter(referrer_id=alice.id, capped=True).count() == 6
