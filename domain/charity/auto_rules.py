"""Pure rules of auto-donation: how many points an earning gives away.

SHARE gives floor(earned * share_percent / 100) of every earning.
ROUND_UP gives the spare change of the balance after the earning: the remainder that
leaves it at a multiple of round_up_to (balance 1,234 with round_up_to 10 gives 4 and
leaves 1,230). The member "rounds up" the charity, not their own balance, as a till does
when it offers to round a bill up.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import DonationMode

MAX_ROUND_UP_TO = 10_000


@dataclass(frozen=True)
class AutoDonationSetting:
    mode: DonationMode
    share_percent: int = 0
    round_up_to: int = 0


def points_to_give(setting: AutoDonationSetting, earned: int, balance_after: int) -> int:
    """Points the setting gives away after earning `earned` (balance now `balance_after`)."""
    if earned <= 0:
        return 0
    match setting.mode:
        case DonationMode.SHARE:
            return earned * setting.share_percent // 100
        case DonationMode.ROUND_UP:
            if setting.round_up_to <= 1 or balance_after <= 0:
                return 0
            return balance_after % setting.round_up_to
    return 0


def setting_problems(setting: AutoDonationSetting, charity_given: bool) -> list[tuple[str, str]]:
    """Field problems of a setting, as (GraphQL input path, message)."""
    problems: list[tuple[str, str]] = []
    if setting.mode == DonationMode.NONE:
        return problems
    if not charity_given:
        problems.append(("charityId", "is required unless mode is NONE"))
    if setting.mode == DonationMode.SHARE and not 1 <= setting.share_percent <= 100:
        problems.append(("sharePercent", "must be between 1 and 100 for SHARE"))
    if setting.mode == DonationMode.ROUND_UP and not 2 <= setting.round_up_to <= MAX_ROUND_UP_TO:
        problems.append(("roundUpTo", f"must be between 2 and {MAX_ROUND_UP_TO} for ROUND_UP"))
    return problems
