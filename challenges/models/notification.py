"""Devices, notification preferences, and the outbox of push intents."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Device(Model):
    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="devices")
    platform = fields.CharField(max_length=16)  # ios, android, web
    token = fields.CharField(max_length=4096)
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256: tokens are long
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "device"


class NotificationPreference(Model):
    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="notification_preferences")
    category = fields.CharField(max_length=32)  # challenge_progress, badge, tier, expiry
    enabled = fields.BooleanField(default=True)
    quiet_start = fields.CharField(max_length=5, null=True)  # "22:00" member-local
    quiet_end = fields.CharField(max_length=5, null=True)  # "07:00"

    class Meta:
        table = "notification_preference"
        unique_together = (("member", "category"),)


class OutboxMessage(Model):
    """A push intent, committed with the change that caused it, delivered by the worker."""

    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    member = fields.ForeignKeyField("models.Member", related_name="outbox_messages")
    category = fields.CharField(max_length=32)
    title = fields.CharField(max_length=200)
    body = fields.CharField(max_length=1000)
    data = fields.JSONField(default=dict)
    # Makes repeats harmless: one intent per cause (e.g. "progress:12:2026-W23:50").
    dedupe_key = fields.CharField(max_length=200, unique=True)
    # pending, in_flight, delivered, no_device, dead (see challenges.outbox.OutboxStatus)
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()  # later than created for quiet hours / backoff
    # Set when the intent was born in the member's quiet hours: it waits until then.
    held_until = fields.DatetimeField(null=True)
    # A worker's claim: while in flight, until locked_until; a worker killed mid-delivery
    # leaves a lease that expires, and the message is claimed again. The token tells a
    # late worker that its claim was taken over, so it records nothing.
    locked_until = fields.DatetimeField(null=True)
    lease_token = fields.CharField(max_length=36, null=True)
    # Targets already served ("device:12", "webhook"), so a retry skips them.
    delivered_to = fields.JSONField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)
