"""Enrolling members (integrations: sign-up at a till or on the web shop)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.members.types import Member
from api.permissions import Integrations
from api.problems import AlreadyEnrolled, InvalidInput, problem
from domain.errors import DomainError
from domain.members import Enrollment, enroll_member


@strawberry.input
class EnrollMemberInput:
    external_id: str = strawberry.field(description="The member's id in the brand's systems.")
    display_name: str
    birthday: date | None = None
    locale: str = "en"
    time_zone: str = strawberry.field(default="UTC", description="IANA name, e.g. Europe/Paris.")


@strawberry.type
class MemberEnrolled:
    member: Member


EnrollMemberPayload = Annotated[
    MemberEnrolled | InvalidInput | AlreadyEnrolled, strawberry.union("EnrollMemberPayload")
]


@strawberry.type
class MemberMutations:
    @strawberry.mutation(permission_classes=[Integrations])
    async def enroll_member(self, info: Info, input: EnrollMemberInput) -> EnrollMemberPayload:
        ctx = info.context
        enrollment = Enrollment(
            external_id=input.external_id,
            display_name=input.display_name,
            birthday=input.birthday,
            locale=input.locale,
            time_zone=input.time_zone,
        )
        try:
            member = await enroll_member(await ctx.program(), enrollment, ctx.now())
        except DomainError as error:
            return problem(error)
        return MemberEnrolled(member=Member.from_model(member))
