"""Reading the rewards catalog (every caller; members see what is on offer to them) and
looking up a redemption by its code (a partner's till)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.auth import Role
from api.ids import lookup_id
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.permissions import Authenticated, Integrations, forbidden
from api.rewards.types import Eligibility, Redemption, Reward
from domain import models
from domain.rewards.catalog import list_rewards
from domain.rewards.redemptions import find_by_code, member_redemptions
from domain.rewards.standing import previews


async def _caller(info: Info) -> models.Member | None:
    """The signed-in member, or None for staff."""
    ctx = info.context
    if ctx.principal.role != Role.MEMBER:
        return None
    return await models.Member.get_or_none(id=ctx.principal.member_id, program_id=(await ctx.program()).id)


async def reward_nodes(info: Info, rewards: list[models.Reward]) -> list[Reward]:
    """Rewards with the signed-in member's eligibility, computed for the page at once."""
    ctx = info.context
    member = await _caller(info)
    if member is None:
        return [Reward.from_model(r) for r in rewards]
    refusals = await previews(await ctx.program(), member, rewards, ctx.now())
    return [Reward.from_model(r, Eligibility.from_refusal(refusals[r.id])) for r in rewards]


@strawberry.type
class RewardQueries:
    @strawberry.field(
        permission_classes=[Authenticated],
        description="Newest first. Members see the active rewards open now, with their eligibility; "
        "marketers and admins may include inactive ones.",
    )
    async def rewards(
        self, info: Info, first: int = 20, after: str | None = None, include_inactive: bool = False
    ) -> Connection[Reward]:
        ctx = info.context
        check_page_size(first)
        after_id = decode_cursor("reward", after)
        is_member = ctx.principal.role == Role.MEMBER
        if include_inactive and ctx.principal.role not in (Role.MARKETER, Role.ADMIN):
            raise forbidden("only marketers and admins may include inactive rewards")
        program = await ctx.program()
        rows = await list_rewards(program.id, first, after_id, include_inactive, ctx.now() if is_member else None)
        nodes = await reward_nodes(info, rows[:first])
        by_id = {int(n.id): n for n in nodes}
        return connection("reward", rows, first, after_id, lambda r: by_id[r.id], lambda r: r.id)

    @strawberry.field(permission_classes=[Authenticated], description="Null if unknown (or inactive, for members).")
    async def reward(self, info: Info, id: strawberry.ID) -> Reward | None:
        ctx = info.context
        if (reward_id := lookup_id(id)) is None:
            return None
        found = await models.Reward.get_or_none(id=reward_id, program_id=(await ctx.program()).id)
        if found is None or (not found.active and ctx.principal.role == Role.MEMBER):
            return None
        return (await reward_nodes(info, [found]))[0]

    @strawberry.field(permission_classes=[Integrations], description="A redemption by the code the member shows.")
    async def redemption(self, info: Info, code: str) -> Redemption | None:
        found = await find_by_code((await info.context.program()).id, code)
        if found is None:
            return None
        await found.fetch_related("reward")
        return Redemption.from_model(found)


async def redemptions_of_member(
    info: Info, member_id: str, first: int, after: str | None
) -> Connection[Redemption]:
    """`me { redemptions }`: newest first."""
    check_page_size(first)
    after_id = decode_cursor("redemption", after)
    program = await info.context.program()
    rows = await member_redemptions(program.id, member_id, first, after_id)
    return connection("redemption", rows, first, after_id, Redemption.from_model, lambda r: r.id)
