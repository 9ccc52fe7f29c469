"""The badge catalog and the badges members earned."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Badge(Model):
    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    image_url = fields.CharField(max_length=500, null=True)
    # [{"name": "bronze", "threshold": 1}, ...] in increasing threshold; [] = one level
    levels = fields.JSONField(default=list)
    # Optional badge rule, e.g. {"kind": "activity_count", "activity_type": "RECYCLE"}
    # (see challenges/badge_rules.py); null when
    # only challenge completions award it.
    rule = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "badge"
        unique_together = (("program", "code"),)


class MemberBadge(Model):
    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="badges")
    badge = fields.ForeignKeyField("models.Badge", related_name="awards")
    level = fields.IntField(default=0)  # index into Badge.levels; each level once
    awarded_at = fields.DatetimeField()

    class Meta:
        table = "member_badge"
        unique_together = (("member", "badge", "level"),)
