"""Reading tiers (anyone signed in: the app shows them) and program settings (marketers)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.permissions import Authenticated, Marketers
from api.tiers.types import ProgramSettings, Tier


@strawberry.type
class TierQueries:
    @strawberry.field(permission_classes=[Authenticated], description="Tiers, lowest first.")
    async def tiers(self, info: Info) -> list[Tier]:
        tiers = await info.context.tiers()
        return [Tier.from_model(t, tiers) for t in tiers]

    @strawberry.field(permission_classes=[Marketers])
    async def program_settings(self, info: Info) -> ProgramSettings:
        return ProgramSettings.from_model(await info.context.program())
