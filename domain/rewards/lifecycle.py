"""What may happen to a redemption next: pure rules over its status and times.

REDEEMED (instant, final) may be cancelled by the member until the deadline it was given
when it was made (the program's cancel window then). HELD (points reserved for a partner's till) may be confirmed by the till before
it times out, released by the till, cancelled by the member, or released by the timeout
job. CONFIRMED, RELEASED and CANCELLED are final.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.errors import NotEligible
from domain.models import RedemptionStatus


def cancel_deadline(created_at: datetime, cancel_minutes: int) -> datetime:
    """The deadline an instant redemption gets when it is made, and keeps."""
    return created_at + timedelta(minutes=cancel_minutes)


def given_deadline(cancel_until: datetime | None, created_at: datetime, cancel_minutes: int) -> datetime:
    """A redemption's own deadline; one made before deadlines were stored (null) falls back
    to the program's current window."""
    return cancel_until if cancel_until is not None else cancel_deadline(created_at, cancel_minutes)


def cancellable_until(
    status: RedemptionStatus, deadline: datetime, hold_expires_at: datetime | None = None
) -> datetime | None:
    """Until when the member may cancel; None when they can't (any more, or at all).
    A hold may be cancelled until it times out (then it is released anyway)."""
    if status == RedemptionStatus.HELD:
        return hold_expires_at
    if status == RedemptionStatus.REDEEMED:
        return deadline
    return None


def cancel_refusal(status: RedemptionStatus, deadline: datetime, now: datetime) -> NotEligible | None:
    if status == RedemptionStatus.HELD:
        return None  # nothing happened at the till yet: the member may back out
    until = cancellable_until(status, deadline)
    if until is None:
        return NotEligible("status", f"a {status.value} redemption can't be cancelled")
    if now >= until:
        return NotEligible("redemptionCancelMinutes", f"could be cancelled until {until.isoformat()}")
    return None


def till_refusal(
    status: RedemptionStatus, hold_expires_at: datetime | None, now: datetime, confirming: bool
) -> NotEligible | None:
    """May the till confirm (or release) this redemption? A timed-out hold may still be
    released (it gives the points back early) but no longer confirmed."""
    if status != RedemptionStatus.HELD:
        return NotEligible("status", f"the redemption is {status.value}, not held")
    if confirming and hold_expires_at is not None and now >= hold_expires_at:
        return NotEligible("holdExpiresAt", f"the hold expired at {hold_expires_at.isoformat()}")
    return None
