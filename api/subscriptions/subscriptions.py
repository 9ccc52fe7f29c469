"""Live updates for the signed-in member over graphql-transport-ws.

Each subscription listens on the member's own Redis channel (see api/pubsub.py): it
subscribes first and only then reads the snapshot, so no update is lost in between.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from api.live_events import CHALLENGE_PROGRESS, NOTIFICATION
from api.permissions import MemberOnly
from api.pubsub import MemberFeed
from api.subscriptions.types import ChallengeProgressUpdate, LiveNotification
from challenges.models import ChallengeProgress


async def _progress_snapshot(member_id: str) -> list[ChallengeProgressUpdate]:
    """The latest period's progress in every published challenge the member is in."""
    rows = await ChallengeProgress.filter(member_id=member_id, challenge__status="published").order_by(
        "challenge_id", "-updated_at"
    )
    latest: dict[int, ChallengeProgress] = {}
    for row in rows:
        latest.setdefault(row.challenge_id, row)
    return [
        ChallengeProgressUpdate(
            challenge_id=strawberry.ID(str(row.challenge_id)),
            period_key=row.period_key,
            value=row.value,
            percent=row.percent,
            milestones=[],
            completed_at=row.completed_at,
        )
        for row in latest.values()
    ]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[MemberOnly],
        description="The member's challenge progress: a snapshot, then every change.",
    )
    async def challenge_progress(self, info: Info) -> AsyncGenerator[ChallengeProgressUpdate, None]:
        ctx = info.context
        member_id = ctx.principal.member_id
        program = await ctx.program()
        async with MemberFeed(ctx.redis, program.id, member_id) as feed:
            for update in await _progress_snapshot(member_id):
                yield update
            async for payload in feed.messages(CHALLENGE_PROGRESS):
                yield ChallengeProgressUpdate.from_payload(payload)

    @strawberry.subscription(permission_classes=[MemberOnly], description="The member's notifications, live.")
    async def notifications(self, info: Info) -> AsyncGenerator[LiveNotification, None]:
        ctx = info.context
        program = await ctx.program()
        async with MemberFeed(ctx.redis, program.id, ctx.principal.member_id) as feed:
            async for payload in feed.messages(NOTIFICATION):
                yield LiveNotification.from_payload(payload)
