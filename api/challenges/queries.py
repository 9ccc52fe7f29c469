"""Reading the challenge catalog (marketers). Members read theirs through `me { challenges }`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.challenges.types import Challenge, ChallengeStatus
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.permissions import Marketers
from challenges.challenge_catalog import list_challenges


@strawberry.type
class ChallengeQueries:
    @strawberry.field(permission_classes=[Marketers], description="Challenges, newest first; all statuses unless given.")
    async def challenges(
        self, info: Info, status: ChallengeStatus | None = None, first: int = 20, after: str | None = None
    ) -> Connection[Challenge]:
        check_page_size(first)
        after_id = decode_cursor("challenge", after)
        program = await info.context.program()
        rows = await list_challenges(program.id, status, first, after_id)
        return connection("challenge", rows, first, after_id, Challenge.from_model, lambda c: c.id)
