"""Program settings marketers tune: earning rate, expiry, pending period, tier rules."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from tortoise.transactions import in_transaction

from domain import audit
from domain.errors import Problems
from domain.members import is_time_zone
from domain.models import Program, TierBasis
from domain.occurrence import MAX_BACKDATING_DAYS, MIN_BACKDATING_DAYS


@dataclass(frozen=True)
class SettingsChange:
    """None leaves a setting as it is."""

    name: str | None = None
    points_per_currency_unit: int | None = None
    points_expiry_months: int | None = None
    pending_days: int | None = None
    tier_basis: TierBasis | None = None
    tier_window_months: int | None = None
    tier_review_months: int | None = None
    time_zone: str | None = None
    redemption_cancel_minutes: int | None = None
    referral_referrer_points: int | None = None
    referral_referee_points: int | None = None
    referral_min_purchase: int | None = None
    referral_cap: int | None = None
    max_backdating_days: int | None = None


# field -> (GraphQL path, lowest, highest)
_RANGES = {
    "points_per_currency_unit": ("pointsPerCurrencyUnit", 0, 10_000),
    "points_expiry_months": ("pointsExpiryMonths", 1, 120),
    "pending_days": ("pendingDays", 0, 365),
    "tier_window_months": ("tierWindowMonths", 1, 60),
    "tier_review_months": ("tierReviewMonths", 1, 60),
    "redemption_cancel_minutes": ("redemptionCancelMinutes", 0, 7 * 24 * 60),
    "referral_referrer_points": ("referralReferrerPoints", 0, 1_000_000),
    "referral_referee_points": ("referralRefereePoints", 0, 1_000_000),
    "referral_min_purchase": ("referralMinPurchase", 0, 10**12),
    "referral_cap": ("referralCap", 0, 10_000),
    "max_backdating_days": ("maxBackdatingDays", MIN_BACKDATING_DAYS, MAX_BACKDATING_DAYS),
}


def validate_settings(change: SettingsChange) -> None:
    problems = Problems()
    for name, (path, low, high) in _RANGES.items():
        value = getattr(change, name)
        if value is not None and not low <= value <= high:
            problems.add(path, f"must be between {low} and {high}")
    if change.name is not None and not 0 < len(change.name.strip()) <= 200:
        problems.add("name", "must be 1 to 200 characters")
    if change.time_zone is not None and not is_time_zone(change.time_zone):
        problems.add("timeZone", f"unknown IANA time zone {change.time_zone!r}")
    problems.raise_if_any()


async def update_program_settings(
    program: Program, change: SettingsChange, actor: str, now: datetime
) -> Program:
    """Apply a change; it governs what is earned from now on, never past entries."""
    validate_settings(change)
    changed = {f.name: getattr(change, f.name) for f in fields(change) if getattr(change, f.name) is not None}
    async with in_transaction():
        await Program.filter(id=program.id).update(**changed)
        await audit.record(program.id, actor, "updateProgramSettings", f"program:{program.id}",
                           {k: str(v) for k, v in changed.items()}, now)
    return await Program.get(id=program.id)
