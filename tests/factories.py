"""Building blocks for tests: members, tiers and purchases through the real services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from api.settings import Settings
from challenges.activities import ActivityOutcome, ActivityReport, record_activity
from challenges.badge_rules import BadgeLevel, BadgeRule
from challenges.badges import BadgeSpec, create_badge
from challenges.board_handles import handle_for
from challenges.challenge_catalog import ChallengeSpec, ChallengeStatus, create_challenge, set_status
from challenges.challenge_periods import Recurrence, Window
from challenges.goals import Goal, GoalType
from challenges.models import Badge, Challenge
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


async def activity(
    program: Program,
    member_id: object,
    type_code: str = "VISIT",
    attributes: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    now: datetime = NOW,
    key: str | None = None,
) -> ActivityOutcome:
    """An activity reported by an integration, through the real service."""
    report = ActivityReport(
        member_id=str(member_id),
        type_code=type_code,
        occurred_at=occurred_at or now - timedelta(minutes=1),
        idempotency_key=key or next_key("activity"),
        attributes=attributes or {},
    )
    return await record_activity(program, report, now)


async def badge(
    program: Program,
    code: str | None = None,
    levels: list[tuple[str, int]] | None = None,
    rule: BadgeRule | None = None,
    name: str | None = None,
) -> Badge:
    """A catalog badge, e.g. badge(program, levels=[("Bronze", 1), ("Silver", 5)], rule=...)."""
    code = code or next_key("badge")
    spec = BadgeSpec(
        code=code,
        name=name or f"Badge {code}",
        levels=[BadgeLevel(n, t) for n, t in levels or []],
        rule=rule,
    )
    return await create_badge(program, spec, "marketer:test", NOW)


async def challenge(
    program: Program,
    goal: Goal | None = None,
    every: Recurrence | None = None,
    publish: bool = True,
    now: datetime = NOW,
    **fields: Any,
) -> Challenge:
    """A challenge through the real catalog, published unless told otherwise. Default: spend
    50.00 between a day before `now` and 30 days after (or in periods of `every`)."""
    ends_at = None if every else now + timedelta(days=30)
    spec = ChallengeSpec(
        name=fields.pop("name", None) or next_key("Challenge"),
        goal=goal or Goal(GoalType.PURCHASE_AMOUNT, 50_00),
        window=fields.pop("window", None) or Window(now - timedelta(days=1), ends_at, every),
        **fields,
    )
    created = await create_challenge(program, spec, "marketer:test", now)
    if publish:
        created = await set_status(program, created.id, ChallengeStatus.PUBLISHED, "marketer:test", now)
    return created


def board_handle(settings: Settings, program: Program, member: Member, shown_as: str | None = None) -> str:
    """The handle a leaderboard shows for `member` (under their display name unless told)."""
    return handle_for(settings.board_handle_key, program.id, str(member.id), shown_as or member.display_name)
