"""The charity catalog: validation with field names, audit, updates."""

from __future__ import annotations

import pytest

from domain.charity.catalog import CharitySpec, create_charity, update_charity
from domain.errors import InvalidInput, NotFound
from domain.models import AuditEntry, Charity
from tests import charity_factories
from tests.factories import NOW


async def test_a_charity_is_created_and_audited(program):
    charity = await charity_factories.charity(program, name="One Tree Planted", matching_percent=50)
    assert (charity.name, charity.points_per_currency_unit, charity.matching_percent) == ("One Tree Planted", 100, 50)
    audit = await AuditEntry.get(action="createCharity")
    assert (audit.actor, audit.target) == ("marketer:test", f"charity:{charity.id}")


async def test_every_bad_field_is_named_and_nothing_is_written(program):
    spec = CharitySpec(name=" ", cause="trees", points_per_currency_unit=0, matching_percent=101,
                       impact_unit="Trees Planted", impact_step_amount=0)
    with pytest.raises(InvalidInput) as bad:
        await create_charity(program, spec, "marketer:test", NOW)
    assert sorted(p.path for p in bad.value.problems) == [
        "impactStepAmount", "impactUnit", "matchingPercent", "name", "pointsPerCurrencyUnit"]
    assert await Charity.all().count() == 0


async def test_names_are_unique_per_program(program):
    await charity_factories.charity(program, name="Food bank")
    with pytest.raises(InvalidInput) as bad:
        await charity_factories.charity(program, name="Food bank")
    assert [p.path for p in bad.value.problems] == ["name"]


async def test_an_update_changes_only_the_fields_given(program):
    charity = await charity_factories.charity(program, name="Food bank", impact_unit="meals_provided")
    updated = await update_charity(program, charity.id, CharitySpec(matching_percent=0), "marketer:test", NOW)
    assert (updated.name, updated.matching_percent, updated.impact_unit) == ("Food bank", 0, "meals_provided")
    assert await AuditEntry.filter(action="updateCharity").values_list("details", flat=True) == [{"matching_percent": 0}]
    with pytest.raises(NotFound):
        await update_charity(program, 999_999, CharitySpec(name="x"), "marketer:test", NOW)
