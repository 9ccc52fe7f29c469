"""`eraseMember`: an admin's answer to a right-to-erasure request."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.permissions import AdminOnly
from api.privacy.types import EraseMemberInput, EraseMemberPayload, MemberErased
from api.problems import problem
from challenges.privacy import forget_on_boards
from domain.errors import DomainError
from domain.members import parse_member_id
from domain.privacy.erasure import erase_member


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        permission_classes=[AdminOnly],
        description="A right-to-erasure request: removes the member's personal data, keeps the "
        "anonymous ledger so KPIs and the points liability stay true. Audited; idempotent.",
    )
    async def erase_member(self, info: Info, input: EraseMemberInput) -> EraseMemberPayload:
        ctx = info.context
        program = await ctx.program()
        try:
            erasure = await erase_member(
                program,
                parse_member_id(input.member_id),
                input.reason,
                input.idempotency_key,
                ctx.principal.actor,
                ctx.now(),
                scope=ctx.idempotency_scope,
            )
        except DomainError as error:
            return problem(error)
        # After commit: Redis is derived state; a failure is logged and the hidden profile
        # keeps the member off any rebuilt board.
        await forget_on_boards(ctx.redis, program, erasure.member_id, ctx.now())
        return MemberErased(
            member_id=strawberry.ID(erasure.member_id),
            erased_at=datetime.fromisoformat(erasure.erased_at),
            already_erased=erasure.already_erased,
        )
