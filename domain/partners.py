"""Partner brands of a coalition program: their earn rules and the settlement report.

At a partner, a purchase earns the partner's points per currency unit (instead of the
program's), plus the partner's multiplier's extra share; tier bonuses and campaigns
(which may target partners by code) apply on top as everywhere. Settlement: the points
each partner's purchases issued, minus what returns took back, are what the partner owes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain import audit
from domain.errors import InvalidInput, NotFound, Problems
from domain.models import LedgerEntry, LedgerKind, Partner, Program, Purchase

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MAX_RATE = 1_000
MAX_MULTIPLIER = Decimal(10)


@dataclass(frozen=True)
class PartnerSpec:
    """None means 'leave as it is' in an update."""

    code: str | None = None
    name: str | None = None
    active: bool | None = None
    points_per_currency_unit: int | None = None
    earn_multiplier: Decimal | None = None


def spec_problems(spec: PartnerSpec, creating: bool) -> Problems:
    problems = Problems()
    if creating:
        for path, value in (("code", spec.code), ("name", spec.name)):
            if value is None:
                problems.add(path, "is required")
    if spec.code is not None and not CODE.match(spec.code):
        problems.add("code", "1 to 64 letters, digits, '-' or '_'")
    if spec.name is not None and not 0 < len(spec.name.strip()) <= 200:
        problems.add("name", "must be 1 to 200 characters")
    if spec.points_per_currency_unit is not None and not 0 <= spec.points_per_currency_unit <= MAX_RATE:
        problems.add("pointsPerCurrencyUnit", f"must be between 0 and {MAX_RATE}")
    if spec.earn_multiplier is not None:
        if not 1 <= spec.earn_multiplier <= MAX_MULTIPLIER:
            problems.add("earnMultiplier", f"must be between 1 and {MAX_MULTIPLIER}")
        elif spec.earn_multiplier != spec.earn_multiplier.quantize(Decimal("0.01")):
            problems.add("earnMultiplier", "at most two decimals")
    return problems


async def create_partner(program: Program, spec: PartnerSpec, actor: str, now: datetime) -> Partner:
    problems = spec_problems(spec, creating=True)
    if spec.code is not None and not problems.items and await Partner.exists(program_id=program.id, code=spec.code):
        problems.add("code", f"partner {spec.code!r} exists already")
    problems.raise_if_any()
    assert spec.code is not None and spec.name is not None
    async with in_transaction():
        partner = await Partner.create(
            program_id=program.id, code=spec.code, name=spec.name.strip(),
            active=True if spec.active is None else spec.active,
            points_per_currency_unit=(
                program.points_per_currency_unit if spec.points_per_currency_unit is None else spec.points_per_currency_unit
            ),
            earn_multiplier=spec.earn_multiplier or Decimal(1), created_at=now, updated_at=now,
        )
        await audit.record(program.id, actor, "createPartner", f"partner:{partner.id}", _details(partner), now)
        return partner


async def update_partner(program: Program, partner_id: int, spec: PartnerSpec, actor: str, now: datetime) -> Partner:
    """The code is the key integrations send: it never changes."""
    problems = spec_problems(spec, creating=False)
    if spec.code is not None:
        problems.add("code", "can't change: integrations send it")
    problems.raise_if_any()
    async with in_transaction():
        partner = await Partner.filter(id=partner_id, program_id=program.id).select_for_update().first()
        if partner is None:
            raise NotFound("partner", str(partner_id))
        changes = {k: v for k, v in vars(spec).items() if v is not None}
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        await Partner.filter(id=partner.id).update(**changes, updated_at=now)
        partner = await Partner.get(id=partner.id)
        await audit.record(program.id, actor, "updatePartner", f"partner:{partner.id}", _details(partner), now)
        return partner


def _details(partner: Partner) -> dict[str, object]:
    return {"code": partner.code, "name": partner.name, "active": partner.active,
            "points_per_currency_unit": partner.points_per_currency_unit,
            "earn_multiplier": str(partner.earn_multiplier)}


async def partner_for_purchase(program_id: int, code: str | None) -> Partner | None:
    """The active partner a purchase names; InvalidInput on `partnerCode` otherwise."""
    if code is None:
        return None
    partner = await Partner.get_or_none(program_id=program_id, code=code)
    if partner is None:
        raise InvalidInput.one("partnerCode", f"no partner {code!r} in this program")
    if not partner.active:
        raise InvalidInput.one("partnerCode", f"partner {code!r} is not active")
    return partner


async def list_partners(program_id: int) -> list[Partner]:
    return await Partner.filter(program_id=program_id).order_by("code")


@dataclass(frozen=True)
class PartnerSettlement:
    partner: Partner
    purchase_count: int
    purchase_amount: int  # minor units
    points_issued: int
    points_reversed: int

    @property
    def net_points(self) -> int:
        return self.points_issued - self.points_reversed


async def settlement(program_id: int, start: datetime, end: datetime) -> list[PartnerSettlement]:
    """Per partner, over [start, end): purchases that occurred then and the points they
    issued, and points that returns took back then (whenever the purchase was)."""
    if end <= start:
        raise InvalidInput.one("to", "must be after from")
    partners = await list_partners(program_id)
    bought = await Purchase.filter(
        program_id=program_id, partner_id__isnull=False, occurred_at__gte=start, occurred_at__lt=end
    ).values_list("partner_id", "amount", "points_earned")
    returned = await LedgerEntry.filter(
        program_id=program_id, kind=LedgerKind.REVERSE, created_at__gte=start, created_at__lt=end,
        purchase__partner_id__isnull=False,
    ).values_list("purchase__partner_id", "points")
    count: dict[int, int] = defaultdict(int)
    amount: dict[int, int] = defaultdict(int)
    issued: dict[int, int] = defaultdict(int)
    reversed_: dict[int, int] = defaultdict(int)
    for partner_id, paid, points in bought:
        count[partner_id] += 1
        amount[partner_id] += paid
        issued[partner_id] += points
    for partner_id, points in returned:
        reversed_[partner_id] += -points
    return [PartnerSettlement(p, count[p.id], amount[p.id], issued[p.id], reversed_[p.id]) for p in partners]
