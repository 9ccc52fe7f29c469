"""Subscribes the core's own handlers to the event bus, once, at start-up.

Contexts inside domain/ (referrals, charity, campaign bonuses) react to each other's
events here rather than importing each other's services; handlers run inside the
transaction of the event's cause.
"""

from __future__ import annotations

from domain.charity import auto_donation, reward_impact
from domain.events import EventBus, PointsEarned, RedemptionCancelled, RewardRedeemed
from domain.campaigns import bonuses as campaign_bonuses
from domain.events import MemberEnrolled, ReferralCompleted, SurveyAnswered
from domain import referrals
from domain.events import PurchaseRecorded


def register(bus: EventBus) -> None:
    """Idempotent: subscribing a handler twice keeps one subscription."""
    # Campaigns' fixed bonuses: signup, referral (to the referrer), survey answered.
    bus.subscribe(MemberEnrolled, campaign_bonuses.on_member_enrolled)
    bus.subscribe(ReferralCompleted, campaign_bonuses.on_referral_completed)
    bus.subscribe(SurveyAnswered, campaign_bonuses.on_survey_answered)
    bus.subscribe(PointsEarned, auto_donation.on_points_earned)
    bus.subscribe(RewardRedeemed, reward_impact.on_reward_redeemed)
    bus.subscribe(RedemptionCancelled, reward_impact.on_redemption_cancelled)
    # A referee's first qualifying purchase completes their referral: both are credited.
    bus.subscribe(PurchaseRecorded, referrals.on_purchase_recorded)
