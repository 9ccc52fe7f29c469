"""The KPIs are gathered with a fixed number of aggregate queries, whatever the size."""

from __future__ import annotations

from datetime import timedelta

from challenges.kpis import challenge_kpis
from domain.kpis.figures import program_kpis
from tests import factories
from tests.factories import NOW
from tests.sql_statements import counting_statements


async def statements_for_kpis(program) -> int:
    with counting_statements() as seen:
        figures = await program_kpis(program, NOW - timedelta(days=30), NOW + timedelta(days=1))
        await challenge_kpis(program.id, figures.start, figures.end, figures.active_members)
    return len(seen)


async def test_the_number_of_queries_does_not_grow_with_members(program):
    # given 2 members who bought, counted
    for _ in range(2):
        await factories.purchase(program, (await factories.member(program)).id)
    few = await statements_for_kpis(program)
    # when 8 more members buy
    for _ in range(8):
        await factories.purchase(program, (await factories.member(program)).id)
    # then the KPIs take as many statements as before, and few of them
    assert await statements_for_kpis(program) == few
    assert few <= 16


async def test_the_purchases_of_the_period_are_counted(program):
    # given 3 purchases by 2 members in the period
    a, b = await factories.member(program), await factories.member(program)
    for who, amount in ((a, 10_00), (a, 30_00), (b, 20_00)):
        await factories.purchase(program, who.id, amount)
    # when the KPIs of the last 30 days are read
    figures = await program_kpis(program, NOW - timedelta(days=30), NOW + timedelta(days=1))
    # then revenue 60.00 in 3 purchases by 2 members; 20.00 on average
    assert (figures.revenue, figures.purchases, figures.purchasing_members) == (60_00, 3, 2)
    assert figures.average_purchase_value == 20_00
    assert figures.points_outstanding == 60
