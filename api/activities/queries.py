"""Reading the activity types of the program (anyone signed in: the app lists them)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.activities.types import ActivityType
from api.permissions import Authenticated
from challenges.activities import list_activity_types


@strawberry.type
class ActivityQueries:
    @strawberry.field(permission_classes=[Authenticated], description="Built-in types first, then custom ones.")
    async def activity_types(self, info: Info) -> list[ActivityType]:
        return [ActivityType.from_model(t) for t in await list_activity_types(await info.context.program())]
