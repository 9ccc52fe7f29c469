"""Building blocks for tests: members, tiers and purchases through the real services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.members import Enrollment, enroll_member
from domain.models import Member, Program, Tier
from domain.purchases import PurchaseItem, PurchaseOutcome, PurchaseReport, record_purchase

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_keys = itertools.count(1)


def next_key(prefix: str = "key") -> str:
    return f"{prefix}-{next(_keys)}"


async def member(program: Program, external_id: str | None = None, now: datetime = NOW) -> Member:
    external_id = external_id or next_key("ext")
    return await enroll_member(program, Enrollment(external_id=external_id, display_name=f"Member {external_id}"), now)


async def standard_tiers(program: Program) -> list[Tier]:
    """Bronze from 0, Silver from 500 (x1.25), Gold from 2000 (x1.5)."""
    return [
        await Tier.create(program=program, name="Bronze", threshold=0, earn_multiplier=Decimal("1"), benefits=["Birthday treat"]),
        await Tier.create(program=program, name="Silver", threshold=500, earn_multiplier=Decimal("1.25"), benefits=["Free delivery"]),
        await Tier.create(program=program, name="Gold", threshold=2000, earn_multiplier=Decimal("1.5"), benefits=["Lounge"]),
    ]


def report(
    member_id: object,
    amount: int = 10_00,
    key: str | None = None,
    occurred_at: datetime | None = None,
    currency: str = "EUR",
    items: list[PurchaseItem] | None = None,
) -> PurchaseReport:
    return PurchaseReport(
        member_id=str(member_id),
        amount=amount,
        currency=currency,
        occurred_at=occurred_at or NOW - timedelta(minutes=1),
        idempotency_key=key or next_key("purchase"),
        items=items or [],
    )


async def purchase(
    program: Program, member_id: object, amount: int = 10_00, now: datetime = NOW, key: str | None = None
) -> PurchaseOutcome:
    return await record_purchase(program, report(member_id, amount, key, now - timedelta(minutes=1)), now)
