"""The demo program `make run` serves: three tiers, one member with a few months of
purchases, and each feature's own demo data (seed_<feature>.py).

Idempotent: every row is found before it is created, and purchases reuse their keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from api.seed_campaigns import seed_campaigns
from api.seed_charity import seed_charity
from api.seed_gamification import seed_gamification
from api.seed_rewards import seed_rewards
from api.seed_segments import seed_segments
from api.settings import Settings
from domain.members import Enrollment, enroll_member
from domain.models import Member, Program, Tier
from domain.programs import get_or_create_program
from domain.purchases import Channel, PurchaseItem, PurchaseReport, record_purchase
from domain.tags import TagChange, tag_member

DEMO_TIERS = [
    ("Bronze", 0, Decimal("1"), ["Birthday drink"]),
    ("Silver", 500, Decimal("1.25"), ["Birthday drink", "Free oat milk"]),
    ("Gold", 2000, Decimal("1.5"), ["Birthday drink", "Free oat milk", "Early access to new blends"]),
]
DEMO_MEMBER = Enrollment(
    external_id="demo-member-1",
    display_name="Alex Demo",
    birthday=date(1990, 6, 15),
    locale="en-GB",
    time_zone="Europe/London",
)


DEMO_MEMBER_SINCE = timedelta(days=90)
# The member's history: the welcome purchase, then coffee runs (days ago, items); enough
# points to redeem a reward and donate some in the README's walkthrough.
DEMO_PURCHASES = [
    (90, [PurchaseItem("LATTE-L", 2, 4_50, "coffee"), PurchaseItem("CROISSANT", 1, 3_50, "bakery")]),
    (60, [PurchaseItem("BEANS-1KG", 2, 32_00, "coffee"), PurchaseItem("MUG", 1, 14_00, "merch")]),
    (30, [PurchaseItem("BEANS-1KG", 1, 32_00, "coffee"), PurchaseItem("FLAT-WHITE", 4, 3_80, "coffee")]),
    (7, [PurchaseItem("GRINDER", 1, 89_00, "merch"), PurchaseItem("LATTE-L", 1, 4_50, "coffee")]),
]


@dataclass(frozen=True)
class Demo:
    program: Program
    member: Member


async def seed_demo(settings: Settings) -> Demo:
    program = await get_or_create_program(settings.program_code, settings.program_name)
    for name, threshold, multiplier, benefits in DEMO_TIERS:
        await Tier.get_or_create(
            program=program, name=name,
            defaults={"threshold": threshold, "earn_multiplier": multiplier, "benefits": benefits},
        )
    now = datetime.now(UTC)
    member = await Member.get_or_none(program=program, external_id=DEMO_MEMBER.external_id)
    if member is None:
        member = await enroll_member(program, DEMO_MEMBER, now - DEMO_MEMBER_SINCE)
    for n, (days_ago, items) in enumerate(DEMO_PURCHASES):
        # From the enrolment, not from now: a second seed replays the same request.
        occurred_at = member.enrolled_at + DEMO_MEMBER_SINCE - timedelta(days=days_ago, minutes=-1)
        await record_purchase(
            program,
            PurchaseReport(
                member_id=str(member.id),
                amount=sum(item.quantity * item.unit_price for item in items),
                currency=program.currency,
                occurred_at=occurred_at,
                idempotency_key="demo-seed-welcome-purchase" if n == 0 else f"demo-seed-purchase-{n}",
                channel=Channel.POS,
                items=items,
            ),
            # Reported when it happened, as a till would have: history older than the
            # program's back-dating window is history, not a late report.
            occurred_at + timedelta(minutes=1),
        )
    await tag_member(program.id, TagChange(str(member.id), ["coffee"], []), "seed:demo", now)  # "Coffee lovers"
    await seed_gamification(program, now)
    await seed_segments(program, now)
    await seed_campaigns(program, now)
    await seed_charity(program, now)
    await seed_rewards(program, now)
    return Demo(program, await Member.get(id=member.id))
