"""Partner brands: earning under the partner's rule, and the settlement report."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.campaigns.rules import Conditions
from domain.errors import InvalidInput
from domain.models import Partner, Purchase
from domain.partners import PartnerSpec, create_partner, settlement, update_partner
from domain.purchases import record_purchase, reverse_purchase
from tests import factories
from tests.campaign_factories import MARKETER, active, double_points, partner
from tests.factories import NOW


async def test_a_partner_purchase_earns_the_partners_rate_and_multiplier(program):
    # given a partner earning 2 points per euro, x1.5
    fuel = await partner(program, "fuel", rate=2, multiplier="1.5")
    member = await factories.member(program)
    # when the member spends 10.00 there
    outcome = await record_purchase(program, replace(factories.report(member.id, 10_00), partner_code="fuel"), NOW)
    # then 20 base points plus 10 for the partner's multiplier
    assert outcome.points_earned == 30
    assert [line["rule"] for line in outcome.breakdown] == ["base", "partner"]
    assert (await Purchase.get(id=outcome.purchase_id)).partner_id == fuel.id


async def test_a_campaign_can_target_a_partner(program):
    await partner(program, "fuel", rate=2)
    await active(program, double_points(conditions=Conditions(partner_codes=("fuel",))))
    member = await factories.member(program)
    at_partner = await record_purchase(program, replace(factories.report(member.id, 10_00), partner_code="fuel"), NOW)
    at_home = await record_purchase(program, factories.report(member.id, 10_00), NOW)
    assert (at_partner.points_earned, at_home.points_earned) == (40, 10)


@pytest.mark.parametrize("code", ["nobody", "closed"])
async def test_an_unknown_or_inactive_partner_is_refused_and_nothing_is_written(program, code):
    closed = await partner(program, "closed")
    await update_partner(program, closed.id, PartnerSpec(active=False), MARKETER, NOW)
    member = await factories.member(program)
    with pytest.raises(InvalidInput) as bad:
        await record_purchase(program, replace(factories.report(member.id), partner_code=code), NOW)
    assert [p.path for p in bad.value.problems] == ["partnerCode"]
    assert await Purchase.all().count() == 0


async def test_partner_validation_names_fields(program):
    with pytest.raises(InvalidInput) as bad:
        await create_partner(program, PartnerSpec("bad code!", " ", None, -1, Decimal("0.5")), MARKETER, NOW)
    assert {p.path for p in bad.value.problems} == {"code", "name", "pointsPerCurrencyUnit", "earnMultiplier"}
    await partner(program, "fuel")
    with pytest.raises(InvalidInput) as duplicate:
        await partner(program, "fuel")
    assert [p.path for p in duplicate.value.problems] == ["code"]
    assert await Partner.all().count() == 1


async def test_settlement_reports_issued_reversed_and_net_per_partner(program):
    fuel, books = await partner(program, "fuel", rate=2), await partner(program, "books", rate=1)
    member = await factories.member(program)
    bought = [await record_purchase(program, replace(factories.report(member.id, amount), partner_code="fuel"), NOW)
              for amount in (10_00, 5_00)]
    await record_purchase(program, factories.report(member.id, 50_00), NOW)  # not at a partner
    await reverse_purchase(program, bought[1].purchase_id, "returned", "ret-1", MARKETER, NOW)
    rows = {row.partner.code: row for row in await settlement(program.id, NOW - timedelta(days=1), NOW + timedelta(days=1))}
    assert (rows["fuel"].purchase_count, rows["fuel"].purchase_amount) == (2, 15_00)
    assert (rows["fuel"].points_issued, rows["fuel"].points_reversed, rows["fuel"].net_points) == (30, 10, 20)
    assert (rows["books"].purchase_count, rows["books"].net_points) == (0, 0)
    assert fuel.id != books.id
    with pytest.raises(InvalidInput):
        await settlement(program.id, NOW, NOW)
