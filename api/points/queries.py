"""Reading the points ledger."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.auth import Role
from api.pagination import Connection, bad_argument, check_page_size, connection, decode_cursor
from api.permissions import Authenticated, forbidden
from api.points.types import LedgerEntry
from domain.errors import InvalidInput
from domain.members import parse_member_id
from domain.points import history_page


def _history_owner(info: Info, member_id: strawberry.ID | None) -> str:
    """Members read their own history only; staff name the member."""
    principal = info.context.principal
    if principal.role == Role.MEMBER:
        if member_id is not None and member_id != principal.member_id:
            raise forbidden("members may read only their own history")
        return principal.member_id
    if member_id is None:
        raise bad_argument("memberId", "is required for this role")
    try:
        return parse_member_id(member_id)
    except InvalidInput as error:
        raise bad_argument("memberId", error.problems[0].message) from None


@strawberry.type
class PointsQueries:
    @strawberry.field(
        permission_classes=[Authenticated],
        description="Ledger entries, newest first. Members see their own; staff pass memberId.",
    )
    async def points_history(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        member_id: strawberry.ID | None = None,
    ) -> Connection[LedgerEntry]:
        owner = _history_owner(info, member_id)
        check_page_size(first)
        after_id = decode_cursor("ledger", after)
        program = await info.context.program()
        rows = await history_page(program.id, owner, first, after_id)
        return connection("ledger", rows, first, after_id, LedgerEntry.from_model, lambda e: e.id)
