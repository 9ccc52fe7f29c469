"""The charity catalog marketers keep: create and update charities, every change audited.

A rejected request raises before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit
from domain.charity.conversion import ConversionTerms
from domain.errors import InvalidInput, NotFound, Problems
from domain.models import Charity, Program
from domain.money import minor_units

MAX_NAME = 200
MAX_CAUSE = 200
MAX_DESCRIPTION = 2_000
MAX_POINTS_PER_CURRENCY_UNIT = 1_000_000
MAX_IMPACT_PER_STEP = 1_000_000
MAX_IMPACT_STEP_AMOUNT = 10**9
IMPACT_UNIT = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass(frozen=True)
class CharitySpec:
    """Fields of a charity; None means 'leave as it is' in an update."""

    name: str | None = None
    cause: str | None = None
    description: str | None = None
    active: bool | None = None
    points_per_currency_unit: int | None = None
    matching_percent: int | None = None
    impact_unit: str | None = None
    impact_per_step: int | None = None
    impact_step_amount: int | None = None


def _text(problems: Problems, path: str, value: str | None, limit: int, required: bool) -> None:
    if value is None:
        if required:
            problems.add(path, "is required")
    elif required and not value.strip():
        problems.add(path, "must not be blank")
    elif len(value) > limit:
        problems.add(path, f"must be at most {limit} characters")


def _between(problems: Problems, path: str, value: int | None, low: int, high: int, required: bool) -> None:
    if value is None:
        if required:
            problems.add(path, "is required")
    elif not low <= value <= high:
        problems.add(path, f"must be between {low} and {high}")


def spec_problems(spec: CharitySpec, creating: bool) -> Problems:
    """Problems of the fields given, without the database."""
    problems = Problems()
    _text(problems, "name", spec.name, MAX_NAME, required=creating)
    if not creating and spec.name is not None and not spec.name.strip():
        problems.add("name", "must not be blank")
    _text(problems, "cause", spec.cause, MAX_CAUSE, required=creating)
    _text(problems, "description", spec.description, MAX_DESCRIPTION, required=False)
    _between(problems, "pointsPerCurrencyUnit", spec.points_per_currency_unit, 1, MAX_POINTS_PER_CURRENCY_UNIT, creating)
    _between(problems, "matchingPercent", spec.matching_percent, 0, 100, required=False)
    if spec.impact_unit is None:
        if creating:
            problems.add("impactUnit", "is required")
    elif not IMPACT_UNIT.match(spec.impact_unit):
        problems.add("impactUnit", "must be snake_case letters, digits and _, e.g. trees_planted")
    _between(problems, "impactPerStep", spec.impact_per_step, 1, MAX_IMPACT_PER_STEP, required=False)
    _between(problems, "impactStepAmount", spec.impact_step_amount, 1, MAX_IMPACT_STEP_AMOUNT, creating)
    return problems


def terms_of(charity: Charity, currency: str) -> ConversionTerms:
    return ConversionTerms(
        points_per_currency_unit=charity.points_per_currency_unit,
        minor_digits=minor_units(currency),
        matching_percent=charity.matching_percent,
        impact_per_step=charity.impact_per_step,
        impact_step_amount=charity.impact_step_amount,
    )


def _changes(spec: CharitySpec) -> dict[str, Any]:
    return {name: value for name, value in vars(spec).items() if value is not None}


async def _name_taken(program_id: int, name: str, except_id: int | None = None) -> bool:
    query = Charity.filter(program_id=program_id, name=name)
    if except_id is not None:
        query = query.exclude(id=except_id)
    return await query.exists()


async def create_charity(program: Program, spec: CharitySpec, actor: str, now: datetime) -> Charity:
    problems = spec_problems(spec, creating=True)
    problems.raise_if_any()
    assert spec.name is not None
    name = spec.name.strip()
    try:
        async with in_transaction():
            if await _name_taken(program.id, name):
                raise InvalidInput.one("name", "another charity has this name")
            fields = {**_changes(spec), "name": name}
            charity = await Charity.create(program_id=program.id, created_at=now, updated_at=now, **fields)
            await audit.record(program.id, actor, "createCharity", f"charity:{charity.id}", fields, now)
            return charity
    except IntegrityError:  # a concurrent create took the name between check and insert
        raise InvalidInput.one("name", "another charity has this name") from None


async def update_charity(
    program: Program, charity_id: int, spec: CharitySpec, actor: str, now: datetime
) -> Charity:
    spec_problems(spec, creating=False).raise_if_any()
    changes = _changes(spec)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    async with in_transaction():
        charity = await Charity.filter(id=charity_id, program_id=program.id).select_for_update().first()
        if charity is None:
            raise NotFound("charity", str(charity_id))
        if "name" in changes and await _name_taken(program.id, changes["name"], charity.id):
            raise InvalidInput.one("name", "another charity has this name")
        if changes:
            charity.update_from_dict({**changes, "updated_at": now})
            await charity.save()
            await audit.record(program.id, actor, "updateCharity", f"charity:{charity.id}", changes, now)
        return charity


async def list_page(program_id: int, first: int, after_id: int | None, active_only: bool) -> list[Charity]:
    """By id; one extra row tells the caller whether another page exists."""
    query = Charity.filter(program_id=program_id)
    if active_only:
        query = query.filter(active=True)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query.order_by("id").limit(first + 1)


async def get_charity(program_id: int, charity_id: int) -> Charity:
    charity = await Charity.get_or_none(id=charity_id, program_id=program_id)
    if charity is None:
        raise NotFound("charity", str(charity_id))
    return charity
