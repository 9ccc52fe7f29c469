"""Challenges marketers configure, who takes part, and each member's progress."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


def default_milestones() -> list[int]:
    """Percentages that trigger a progress push unless the marketer chose others."""
    return [50, 90, 100]


class Challenge(Model):
    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    status = fields.CharField(max_length=16, default="draft")  # draft, published, archived
    # {"type": "activity_count", "target": 5, "activity_type": "RECYCLE", "filter": {...}}
    # or {"type": "steps", "steps": [goal, goal, ...]}; see challenges/goals.py
    goal = fields.JSONField()
    # {"kind": "fixed", "starts_at": iso, "ends_at": iso} or
    # {"kind": "recurring", "every": "weekly", "starts_at": iso, "ends_at": iso | null}
    window = fields.JSONField()
    # {"kind": "everyone"} | {"kind": "tiers", "tier_ids": [..]} | {"kind": "segment", ...}
    audience = fields.JSONField(default=dict)
    opt_in = fields.BooleanField(default=False)
    reward_points = fields.BigIntField(default=0)
    reward_badge = fields.ForeignKeyField(
        "models.Badge", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    max_completions = fields.IntField(default=1)
    community_target = fields.BigIntField(null=True)  # set: one collective goal
    milestones = fields.JSONField(default=default_milestones)  # percent
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "challenge"


class ChallengeParticipation(Model):
    id = fields.BigIntField(primary_key=True)
    challenge = fields.ForeignKeyField("models.Challenge", related_name="participations")
    member = fields.ForeignKeyField("models.Member", related_name="participations")
    joined_at = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)

    class Meta:
        table = "challenge_participation"
        unique_together = (("challenge", "member"),)


class ChallengeProgress(Model):
    id = fields.BigIntField(primary_key=True)
    challenge = fields.ForeignKeyField("models.Challenge", related_name="progress")
    member = fields.ForeignKeyField("models.Member", related_name="challenge_progress")
    period_key = fields.CharField(max_length=32)  # "all", "2026-W23", "2026-06", "2026-06-01"
    value = fields.BigIntField(default=0)
    state = fields.JSONField(default=dict)  # days seen, categories seen, current step, ...
    percent = fields.IntField(default=0)
    milestones_reached = fields.JSONField(default=list)
    completed_at = fields.DatetimeField(null=True)
    # Community challenges: when the settlement job paid this contributor's reward.
    rewarded_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "challenge_progress"
        unique_together = (("challenge", "member", "period_key"),)


class CommunityProgress(Model):
    """The collective total of a community challenge in one period. The rows of each member
    (ChallengeProgress) hold their contributions, this row adds them up, updated with a
    guarded increment so that exactly one contribution sees the goal being crossed."""

    id = fields.BigIntField(primary_key=True)
    challenge = fields.ForeignKeyField("models.Challenge", related_name="community_progress")
    period_key = fields.CharField(max_length=32)
    value = fields.BigIntField(default=0)
    completed_at = fields.DatetimeField(null=True)
    # Set when every contributor so far was settled; a later contribution clears it.
    settled_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "community_progress"
        unique_together = (("challenge", "period_key"),)
