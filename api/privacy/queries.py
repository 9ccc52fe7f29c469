"""`exportMyData`: a member's own data, as JSON."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.permissions import MemberOnly
from domain.privacy.export import export_member


@strawberry.type
class PrivacyQueries:
    @strawberry.field(
        permission_classes=[MemberOnly],
        description="Everything the program holds about the signed-in member: profile, and every "
        "row of every table that refers to them (ledger, lots, purchases, tier changes, "
        "activities, badges, challenges, devices with tokens redacted, preferences, whom they follow, "
        "referrals, pushes, redemptions, donations, ...), plus audit entries about them. No other "
        "member is named: their ids read [another member], their records [another member's record]; "
        "`counts.followers` says how many follow them. Null for an erased member.",
    )
    async def export_my_data(self, info: Info) -> JSON | None:
        ctx = info.context
        return await export_member(await ctx.program(), ctx.principal.member_id, ctx.now())
