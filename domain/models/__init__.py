"""Tortoise models of the loyalty core, one context a module.

Tortoise discovers models through this package's attributes, so every model is imported here.
"""

from domain.models.audit import AuditEntry
from domain.models.charity import Charity, Donation, DonationMode, DonationPreference, DonationSource, DonationStatus, ImpactRecord
from domain.models.campaign import Campaign, CampaignAward, CampaignKind, CampaignStatus, CampaignVersion, Stacking
from domain.models.idempotency import IdempotencyRecord
from domain.models.ledger import EarnLot, LedgerEntry, LedgerKind
from domain.models.member import Member
from domain.models.partner import Partner
from domain.models.program import Program, TierBasis
from domain.models.purchase import Purchase
from domain.models.segment import Segment
from domain.models.referral import Referral, ReferralStatus
from domain.models.survey import Survey, SurveyResponse, SurveyStatus
from domain.models.reward import Fulfilment, Redemption, RedemptionStatus, Reward, RewardKind
from domain.models.tier import Tier, TierChange

__all__ = [
    "AuditEntry",
    "Campaign",
    "Charity",
    "Donation",
    "DonationMode",
    "DonationPreference",
    "DonationSource",
    "DonationStatus",
    "ImpactRecord",
    "CampaignAward",
    "CampaignKind",
    "CampaignStatus",
    "CampaignVersion",
    "Stacking",
    "Partner",
    "EarnLot",
    "IdempotencyRecord",
    "LedgerEntry",
    "LedgerKind",
    "Member",
    "Program",
    "Purchase",
    "Redemption",
    "RedemptionStatus",
    "Reward",
    "RewardKind",
    "Segment",
    "Referral",
    "ReferralStatus",
    "Survey",
    "SurveyResponse",
    "SurveyStatus",
    "Fulfilment",
    "Tier",
    "TierBasis",
    "TierChange",
]
