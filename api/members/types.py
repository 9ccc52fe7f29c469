"""The GraphQL Member: profile, points, tier and progress toward the next one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import strawberry
from strawberry.types import Info

from api.activities.types import SustainabilityImpact
from api.badges.types import EarnedBadge
from api.charities.queries import member_donation_preference, member_donations
from api.charities.types import Donation, DonationPreference
from api.challenges.types import MemberChallenge, MemberChallengeStatus
from api.leaderboards.queries import leaderboard_rank
from api.leaderboards.types import LeaderboardBoard
from api.notifications.queries import preferences_of_member
from api.notifications.types import NotificationPreference
from api.points.types import Points
from api.members.referral_types import ReferralSummary
from api.pagination import Connection
from api.rewards.queries import redemptions_of_member
from api.rewards.types import Redemption
from api.tiers.types import Tier, TierChangeRecord, TierProgress
from challenges.activities import impact_totals
from challenges.badge_awards import member_badges
from challenges.member_challenges import member_challenges
from domain import models
from domain.charity.impact import member_totals
from domain.points import points_summary
from domain.referrals import referral_summary
from domain.tiers import tier_history, tier_progress

EXPIRING_SOON = timedelta(days=30)


@strawberry.type
class Member:
    id: strawberry.ID
    external_id: str
    display_name: str
    birthday: date | None
    locale: str
    time_zone: str
    referral_code: str
    enrolled_at: datetime
    model: strawberry.Private[models.Member]

    @classmethod
    def from_model(cls, member: models.Member) -> Member:
        return cls(
            id=strawberry.ID(str(member.id)),
            external_id=member.external_id,
            display_name=member.display_name,
            birthday=member.birthday,
            locale=member.locale,
            time_zone=member.time_zone,
            referral_code=member.referral_code,
            enrolled_at=member.enrolled_at,
            model=member,
        )

    @strawberry.field(description="Labels set by integrations and marketers, sorted.")
    def tags(self) -> list[str]:
        return sorted(self.model.tags or [])

    @strawberry.field(description="The member's referral code and the friends it brought.")
    async def referral(self) -> ReferralSummary:
        return ReferralSummary.from_summary(await referral_summary(self.model))

    @strawberry.field
    async def points(self, info: Info) -> Points:
        summary = await points_summary(self.model, info.context.now(), EXPIRING_SOON)
        return Points.from_summary(summary)

    @strawberry.field
    async def tier(self, info: Info) -> Tier | None:
        tiers = await info.context.tiers()
        current = next((t for t in tiers if t.id == self.model.tier_id), None)
        return Tier.from_model(current, tiers) if current else None

    @strawberry.field(description="Tier changes, newest first.")
    async def tier_history(self) -> list[TierChangeRecord]:
        return [
            TierChangeRecord(
                from_tier=c.from_tier.name if c.from_tier else None,
                to_tier=c.to_tier.name if c.to_tier else None,
                reason=c.reason,
                qualifying_value=c.qualifying_value,
                changed_at=c.changed_at,
            )
            for c in await tier_history(self.model.id)
        ]

    @strawberry.field
    async def tier_progress(self, info: Info) -> TierProgress:
        ctx = info.context
        program = await ctx.program()
        tiers = await ctx.tiers()
        progress = await tier_progress(program, self.model, tiers, ctx.now())
        return TierProgress(
            basis=program.tier_basis,
            qualifying_value=progress.qualifying_value,
            next_tier=Tier.from_model(progress.next_tier, tiers) if progress.next_tier else None,
            points_needed=progress.needed,
        )

    @strawberry.field(description="Every notification category, defaults included.")
    async def notification_preferences(self) -> list[NotificationPreference]:
        return await preferences_of_member(str(self.model.id))

    @strawberry.field(description="What the member's activities, donations and sustainability rewards achieved.")
    async def impact(self, info: Info) -> SustainabilityImpact:
        member_id, currency = str(self.model.id), (await info.context.program()).currency
        return SustainabilityImpact.from_totals(await impact_totals(member_id), await member_totals(member_id), currency)

    @strawberry.field(description="Donations, newest first; skipped auto-donations say why.")
    async def donations(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Donation]:
        return await member_donations(info, str(self.model.id), first, after)

    @strawberry.field(description="The auto-donation setting (mode NONE when never set).")
    async def donation_preference(self) -> DonationPreference:
        return await member_donation_preference(str(self.model.id))

    @strawberry.field(description="Badges held, at the highest level earned, newest first.")
    async def badges(self, info: Info) -> list[EarnedBadge]:
        ctx = info.context
        earned = await member_badges(await ctx.program(), str(self.model.id), ctx.now())
        return [EarnedBadge.from_value(e) for e in earned]

    @strawberry.field(description="ACTIVE: taking part now; AVAILABLE: open to join; COMPLETED: every completed period.")
    async def challenges(
        self, info: Info, status: MemberChallengeStatus = MemberChallengeStatus.ACTIVE
    ) -> list[MemberChallenge]:
        ctx = info.context
        views = await member_challenges(await ctx.program(), self.model, status, ctx.now())
        return [MemberChallenge.from_view(v) for v in views]

    @strawberry.field(description="Rank on a board (also when hidden from others); null before scoring on it.")
    async def leaderboard_rank(
        self, info: Info, board: LeaderboardBoard, challenge_id: strawberry.ID | None = None
    ) -> int | None:
        return await leaderboard_rank(info, str(self.model.id), board, challenge_id)

    @strawberry.field(description="Rewards redeemed, newest first, with their codes and states.")
    async def redemptions(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Redemption]:
        return await redemptions_of_member(info, str(self.model.id), first, after)
