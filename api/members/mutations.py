"""Enrolling members (integrations: sign-up at a till or on the web shop)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.members.types import Member
from api.permissions import Integrations, Staff
from api.problems import AlreadyEnrolled, InvalidInput, NotFound, problem
from domain.errors import DomainError
from domain.members import Enrollment, enroll_member, parse_member_id
from domain.tags import TagChange, tag_member


@strawberry.input
class EnrollMemberInput:
    external_id: str = strawberry.field(description="The member's id in the brand's systems.")
    display_name: str
    birthday: date | None = None
    locale: str = "en"
    time_zone: str = strawberry.field(default="UTC", description="IANA name, e.g. Europe/Paris.")
    referral_code: str | None = strawberry.field(
        default=None, description="The code of the member who referred this one; both earn after a first qualifying purchase."
    )


@strawberry.type
class MemberEnrolled:
    member: Member


@strawberry.input
class TagMemberInput:
    member_id: strawberry.ID
    add: list[str] = strawberry.field(default_factory=list, description="Lowercase letters, digits, - and _; at most 32 characters.")
    remove: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class MemberTagged:
    member_id: strawberry.ID
    tags: list[str]


TagMemberPayload = Annotated[MemberTagged | InvalidInput | NotFound, strawberry.union("TagMemberPayload")]


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
            referral_code=input.referral_code,
        )
        try:
            # A signup bonus is credited in the same transaction: boards hear of it after commit.
            member = await enroll_member(await ctx.program(), enrollment, ctx.now())
        except DomainError as error:
            return problem(error)
        return MemberEnrolled(member=Member.from_model(member))

    @strawberry.mutation(permission_classes=[Staff], description="Add and remove tags (segments select on them).")
    async def tag_member(self, info: Info, input: TagMemberInput) -> TagMemberPayload:
        ctx = info.context
        try:
            change = TagChange(parse_member_id(input.member_id), input.add, input.remove)
            tags = await tag_member(
                (await ctx.program()).id, change, ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return MemberTagged(member_id=strawberry.ID(change.member_id), tags=tags)
