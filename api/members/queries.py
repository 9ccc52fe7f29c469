"""Reading members: the signed-in member (`me`) and lookups for staff."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.members.types import Member
from api.pagination import bad_argument
from api.permissions import MemberOnly, Staff
from domain import models
from domain.errors import InvalidInput
from domain.members import find_member


@strawberry.type
class MemberQueries:
    @strawberry.field(permission_classes=[MemberOnly], description="The signed-in member.")
    async def me(self, info: Info) -> Member | None:
        ctx = info.context
        program = await ctx.program()
        member = await models.Member.get_or_none(
            id=ctx.principal.member_id, program_id=program.id, erased_at=None  # erased: no data
        )
        return Member.from_model(member) if member else None

    @strawberry.field(permission_classes=[Staff], description="A member by id or external id.")
    async def member(
        self, info: Info, id: strawberry.ID | None = None, external_id: str | None = None
    ) -> Member | None:
        try:
            found = await find_member(await info.context.program(), id, external_id)
        except InvalidInput as error:
            problem = error.problems[0]
            raise bad_argument(problem.path, problem.message) from None
        return Member.from_model(found) if found else None
