"""The GraphQL Member: profile, points, tier and progress toward the next one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import strawberry
from strawberry.types import Info

from api.points.types import Points
from api.tiers.types import Tier, TierChangeRecord, TierProgress
from domain import models
from domain.points import points_summary
from domain.tiers import tier_history, tier_progress

EXPIRING_SOON = timedelta(days=30)


@strawberry.type
class Member:
    id: strawberry.ID
    external_id: str
    display_name: str
    birthday: date | None
    locale: str
    time_zone: str
    referral_code: str
    enrolled_at: datetime
    model: strawberry.Private[models.Member]

    @classmethod
    def from_model(cls, member: models.Member) -> Member:
        return cls(
            id=strawberry.ID(str(member.id)),
            external_id=member.external_id,
            display_name=member.display_name,
            birthday=member.birthday,
            locale=member.locale,
            time_zone=member.time_zone,
            referral_code=member.referral_code,
            enrolled_at=member.enrolled_at,
            model=member,
        )

    @strawberry.field
    async def points(self, info: Info) -> Points:
        summary = await points_summary(self.model, info.context.now(), EXPIRING_SOON)
        return Points.from_summary(summary)

    @strawberry.field
    async def tier(self, info: Info) -> Tier | None:
        tiers = await info.context.tiers()
        current = next((t for t in tiers if t.id == self.model.tier_id), None)
        return Tier.from_model(current, tiers) if current else None

    @strawberry.field(description="Tier changes, newest first.")
    async def tier_history(self) -> list[TierChangeRecord]:
        return [
            TierChangeRecord(
                from_tier=c.from_tier.name if c.from_tier else None,
                to_tier=c.to_tier.name if c.to_tier else None,
                reason=c.reason,
                qualifying_value=c.qualifying_value,
                changed_at=c.changed_at,
            )
            for c in await tier_history(self.model.id)
        ]

    @strawberry.field
    async def tier_progress(self, info: Info) -> TierProgress:
        ctx = info.context
        program = await ctx.program()
        tiers = await ctx.tiers()
        progress = await tier_progress(program, self.model, tiers, ctx.now())
        return TierProgress(
            basis=program.tier_basis,
            qualifying_value=progress.qualifying_value,
            next_tier=Tier.from_model(progress.next_tier, tiers) if progress.next_tier else None,
            points_needed=progress.needed,
        )
