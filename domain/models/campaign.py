"""Campaigns marketers configure: earning rules with a schedule, caps and a budget.

A campaign row holds the current specification; CampaignVersion keeps every version of
it, and CampaignAward every grant (for caps per member and once-only bonuses).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CampaignKind(StrEnum):
    MULTIPLIER = "multiplier"
    FIXED_BONUS = "fixed_bonus"
    SPEND_THRESHOLD = "spend_threshold"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Stacking(StrEnum):
    EXCLUSIVE = "exclusive"
    COMBINABLE = "combinable"


class Campaign(Model):
    """An earning rule of a program, as configured now (older versions in campaign_version)."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    kind = fields.CharEnumField(CampaignKind, max_length=32)
    status = fields.CharEnumField(CampaignStatus, max_length=16, default=CampaignStatus.DRAFT)
    # The pure rule (domain.campaigns.rules.CampaignRule) as JSON: conditions and effect.
    rule = fields.JSONField(default=dict)
    segment_id = fields.IntField(null=True)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    priority = fields.IntField(default=0)
    stacking = fields.CharEnumField(Stacking, max_length=16, default=Stacking.COMBINABLE)
    budget_points = fields.BigIntField(null=True)
    # Changed only by a guarded UPDATE (remaining >= points), so concurrent purchases
    # can never together exceed the budget.
    budget_remaining = fields.BigIntField(null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "campaign"
        indexes = (("program_id", "status"),)


class CampaignVersion(Model):
    """One saved version of a campaign: the full specification, who changed it and how."""

    id = fields.BigIntField(primary_key=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="versions")
    version = fields.IntField()
    change = fields.CharField(max_length=32)  # create, update, activate, pause, end
    spec = fields.JSONField(default=dict)
    changed_by = fields.CharField(max_length=200)
    changed_at = fields.DatetimeField()

    class Meta:
        table = "campaign_version"
        unique_together = (("campaign", "version"),)


class CampaignAward(Model):
    """Points a campaign granted a member (caps, once-only bonuses, settlement of budgets).

    `once_key` marks bonuses a member gets once (signup, first purchase, a birthday year)."""

    id = fields.BigIntField(primary_key=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="awards")
    member = fields.ForeignKeyField("models.Member", related_name=False)
    points = fields.BigIntField()
    occurred_at = fields.DatetimeField()
    once_key = fields.CharField(max_length=64, null=True)
    purchase = fields.ForeignKeyField("models.Purchase", related_name=False, null=True)
    ledger_entry = fields.ForeignKeyField("models.LedgerEntry", related_name=False, null=True)

    class Meta:
        table = "campaign_award"
        indexes = (("member_id", "campaign_id"),)
        unique_together = (("campaign", "member", "once_key"),)
