"""Who follows whom (friends boards) and how a member appears on boards."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class MemberFollow(Model):
    id = fields.BigIntField(primary_key=True)
    follower = fields.ForeignKeyField("models.Member", related_name="following")
    followee = fields.ForeignKeyField("models.Member", related_name="followers")
    created_at = fields.DatetimeField()

    class Meta:
        table = "member_follow"
        unique_together = (("follower", "followee"),)


class LeaderboardProfile(Model):
    # An own key, not the member's: tortoise's migration autodetector re-detects a
    # one-to-one primary key as changed on every run.
    id = fields.BigIntField(primary_key=True)
    member = fields.OneToOneField("models.Member", related_name="leaderboard_profile")
    hidden = fields.BooleanField(default=False)
    alias = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "leaderboard_profile"


class BoardRefreshRequest(Model):
    """Boards a process without the server Redis changed (a `loyalty` command next to a
    server with the embedded, in-process Redis): the server applies them, see
    challenges/board_refresh.py. `member_id` null asks for a rebuild of every board."""

    id = fields.BigIntField(primary_key=True)
    program_id = fields.IntField()
    member_id = fields.CharField(max_length=36, null=True)
    requested_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "board_refresh_request"
