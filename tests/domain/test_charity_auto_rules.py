"""How many points an auto-donation gives: pure rules, no database."""

from __future__ import annotations

from domain.charity.auto_rules import AutoDonationSetting, points_to_give, setting_problems
from domain.models import DonationMode


def test_share_gives_the_rounded_down_percentage_of_the_earning():
    # given a 10 % share
    share = AutoDonationSetting(DonationMode.SHARE, share_percent=10)
    # then 125 earned gives 12, 9 earned gives nothing
    assert points_to_give(share, earned=125, balance_after=1_000) == 12
    assert points_to_give(share, earned=9, balance_after=1_000) == 0


def test_round_up_gives_the_spare_points_above_a_multiple():
    # given round up to 10
    round_up = AutoDonationSetting(DonationMode.ROUND_UP, round_up_to=10)
    # then a balance of 1,234 after earning gives 4 (leaving 1,230); 1,230 gives nothing
    assert points_to_give(round_up, earned=34, balance_after=1_234) == 4
    assert points_to_give(round_up, earned=30, balance_after=1_230) == 0


def test_none_and_nothing_earned_give_nothing():
    assert points_to_give(AutoDonationSetting(DonationMode.NONE), earned=100, balance_after=105) == 0
    assert points_to_give(AutoDonationSetting(DonationMode.SHARE, share_percent=50), earned=0, balance_after=5) == 0


def test_setting_problems_name_the_input_fields():
    # given settings that cannot work
    share = AutoDonationSetting(DonationMode.SHARE, share_percent=0)
    round_up = AutoDonationSetting(DonationMode.ROUND_UP, round_up_to=1)
    # then each names the field at fault
    assert setting_problems(share, charity_given=False) == [
        ("charityId", "is required unless mode is NONE"), ("sharePercent", "must be between 1 and 100 for SHARE")]
    assert [p for p, _ in setting_problems(round_up, charity_given=True)] == ["roundUpTo"]
    assert setting_problems(AutoDonationSetting(DonationMode.NONE), charity_given=False) == []
