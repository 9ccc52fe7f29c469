"""Reading the badge catalog (anyone signed in: the app shows badges still to earn)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.badges.types import Badge
from api.permissions import Authenticated
from challenges.badges import list_badges


@strawberry.type
class BadgeQueries:
    @strawberry.field(permission_classes=[Authenticated], description="The program's badges, by name.")
    async def badges(self, info: Info) -> list[Badge]:
        return [Badge.from_model(b) for b in await list_badges(await info.context.program())]
