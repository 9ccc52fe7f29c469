"""Privacy requests as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.problems import IdempotencyConflict, InvalidInput, NotFound


@strawberry.input
class EraseMemberInput:
    member_id: strawberry.ID
    reason: str = strawberry.field(description="Why (e.g. the request's ticket); kept in the audit trail.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional: erasing is idempotent anyway; a key also makes a replay "
        "return the first answer and a reuse for another member a conflict."
    )


@strawberry.type(
    description="The member's personal data is gone (name, external id, birthday, locale, time "
    "zone, devices, notification preferences, follows, queued pushes, activity attributes, "
    "leaderboard presence); the anonymous ledger, purchases and redemptions stay, so KPIs and "
    "the points liability do not change. Their token reaches no data any more."
)
class MemberErased:
    member_id: strawberry.ID
    erased_at: datetime
    already_erased: bool = strawberry.field(description="True when an earlier request had erased the member.")


EraseMemberPayload = Annotated[
    MemberErased | InvalidInput | NotFound | IdempotencyConflict,
    strawberry.union("EraseMemberPayload"),
]
