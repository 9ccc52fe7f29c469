"""Pure reward rules, no database: eligibility, a redemption's lifecycle, codes, and the
catalog's field checks."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Expired, InsufficientPoints, NotEligible, OutOfStock
from domain.models import Fulfilment, RedemptionStatus, RewardKind
from domain.rewards import codes, lifecycle
from domain.rewards.catalog import RewardSpec, spec_problems
from domain.rewards.eligibility import MemberStanding, RewardTerms, refusal, refusal_field

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TERMS = RewardTerms(reward_id=7, active=True, cost_points=150)
SILVER = 500
ANYONE = MemberStanding(tier_threshold=0, live_redemptions=0)


def test_an_unrestricted_reward_is_open_to_everyone():
    assert refusal(TERMS, ANYONE, NOW) is None


@pytest.mark.parametrize(
    ("terms", "standing", "expected_field"),
    [
        (replace(TERMS, active=False), ANYONE, "active"),
        (replace(TERMS, valid_from=NOW + timedelta(hours=1)), ANYONE, "validFrom"),
        (replace(TERMS, min_tier_name="Silver", min_tier_threshold=SILVER), ANYONE, "minTier"),
        (replace(TERMS, min_tier_name="Silver", min_tier_threshold=SILVER), replace(ANYONE, tier_threshold=None), "minTier"),
        (replace(TERMS, segment_id=3), replace(ANYONE, in_segment=False), "segment"),
        (replace(TERMS, per_member_limit=2), replace(ANYONE, live_redemptions=2), "perMemberLimit"),
    ],
)
def test_each_rule_refuses_with_the_field_that_decided(terms, standing, expected_field):
    refused = refusal(terms, standing, NOW)
    assert isinstance(refused, NotEligible)
    assert refused.field == expected_field


def test_a_closed_window_is_expired_not_ineligible():
    refused = refusal(replace(TERMS, valid_until=NOW), ANYONE, NOW)
    assert isinstance(refused, Expired)
    assert refusal_field(refused) == "validUntil"


def test_the_window_includes_its_start_and_excludes_its_end():
    window = replace(TERMS, valid_from=NOW, valid_until=NOW + timedelta(days=1))
    assert refusal(window, ANYONE, NOW) is None
    assert isinstance(refusal(window, ANYONE, NOW + timedelta(days=1)), Expired)


def test_a_higher_tier_and_a_remaining_allowance_pass():
    terms = replace(TERMS, min_tier_name="Silver", min_tier_threshold=SILVER, per_member_limit=2)
    assert refusal(terms, MemberStanding(tier_threshold=2000, live_redemptions=1), NOW) is None


def test_no_stock_left_is_out_of_stock_and_unlimited_stock_never_is():
    assert isinstance(refusal(replace(TERMS, stock=0), ANYONE, NOW), OutOfStock)
    assert refusal(replace(TERMS, stock=1), ANYONE, NOW) is None
    assert refusal(replace(TERMS, stock=None), ANYONE, NOW) is None


def test_a_preview_tells_how_many_points_are_missing():
    refused = refusal(TERMS, replace(ANYONE, spendable=100), NOW)
    assert isinstance(refused, InsufficientPoints)
    assert (refused.requested, refused.available, refusal_field(refused)) == (150, 100, "costPoints")


def test_the_first_refusal_in_the_members_order_wins():
    # given a reward the member fails on tier, limit and stock at once
    terms = replace(TERMS, min_tier_name="Gold", min_tier_threshold=2000, per_member_limit=1, stock=0)
    refused = refusal(terms, MemberStanding(tier_threshold=0, live_redemptions=1), NOW)
    # then they hear about the tier
    assert isinstance(refused, NotEligible) and refused.field == "minTier"


# --- lifecycle -------------------------------------------------------------------------------

def test_an_instant_redemption_can_be_cancelled_only_within_the_window():
    deadline = lifecycle.cancel_deadline(NOW, 30)
    assert lifecycle.cancel_refusal(RedemptionStatus.REDEEMED, deadline, NOW + timedelta(minutes=29)) is None
    late = lifecycle.cancel_refusal(RedemptionStatus.REDEEMED, deadline, NOW + timedelta(minutes=30))
    assert late is not None and late.field == "redemptionCancelMinutes"
    assert lifecycle.cancellable_until(RedemptionStatus.REDEEMED, deadline) == NOW + timedelta(minutes=30)


def test_a_zero_minute_window_means_no_cancelling():
    assert lifecycle.cancel_refusal(RedemptionStatus.REDEEMED, lifecycle.cancel_deadline(NOW, 0), NOW) is not None


def test_a_stored_deadline_wins_over_the_current_window():
    # given a redemption made with a 10-minute window, the program now allows a day
    given = lifecycle.cancel_deadline(NOW, 10)
    # then its deadline stays the one it was given; only one stored before deadlines were
    # kept falls back to the current window
    assert lifecycle.given_deadline(given, NOW, 24 * 60) == NOW + timedelta(minutes=10)
    assert lifecycle.given_deadline(None, NOW, 24 * 60) == NOW + timedelta(days=1)


@pytest.mark.parametrize("status", [RedemptionStatus.CONFIRMED, RedemptionStatus.RELEASED, RedemptionStatus.CANCELLED])
def test_closed_redemptions_cannot_be_cancelled(status):
    refused = lifecycle.cancel_refusal(status, NOW + timedelta(minutes=30), NOW)
    assert refused is not None and refused.field == "status"
    assert lifecycle.cancellable_until(status, NOW + timedelta(minutes=30)) is None


def test_a_hold_can_be_cancelled_until_it_times_out():
    expires = NOW + timedelta(hours=2)
    assert lifecycle.cancel_refusal(RedemptionStatus.HELD, NOW + timedelta(minutes=30), NOW + timedelta(hours=1)) is None
    assert lifecycle.cancellable_until(RedemptionStatus.HELD, NOW + timedelta(minutes=30), expires) == expires


def test_the_till_cannot_confirm_a_timed_out_hold_but_may_release_it():
    expires = NOW
    confirm = lifecycle.till_refusal(RedemptionStatus.HELD, expires, NOW, confirming=True)
    assert confirm is not None and confirm.field == "holdExpiresAt"
    assert lifecycle.till_refusal(RedemptionStatus.HELD, expires, NOW, confirming=False) is None
    assert lifecycle.till_refusal(RedemptionStatus.HELD, expires, NOW - timedelta(seconds=1), confirming=True) is None


def test_the_till_acts_on_held_redemptions_only():
    refused = lifecycle.till_refusal(RedemptionStatus.REDEEMED, None, NOW, confirming=False)
    assert refused is not None and refused.field == "status"


# --- codes -----------------------------------------------------------------------------------

def test_codes_are_two_groups_of_four_unambiguous_characters():
    for _ in range(200):
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", codes.new_code())


def test_a_typed_code_is_normalised_to_the_printed_one():
    assert codes.normalise(" abcd efgh ") == "ABCD-EFGH"
    assert codes.normalise("abcdefgh") == "ABCD-EFGH"
    assert codes.normalise("ABCD-EFGH") == "ABCD-EFGH"


# --- catalog field checks ------------------------------------------------------------------

BASE = RewardSpec(name="Free coffee", kind=RewardKind.FREE_PRODUCT, cost_points=150)


def paths(spec: RewardSpec) -> list[str]:
    return [p.path for p in spec_problems(spec)]


def test_a_plain_reward_is_valid():
    assert paths(BASE) == []


def test_every_bad_field_is_named_at_once():
    spec = replace(BASE, name=" ", cost_points=-5, stock=-1, per_member_limit=0,
                   valid_from=NOW, valid_until=NOW - timedelta(days=1))
    assert paths(spec) == ["name", "costPoints", "stock", "perMemberLimit", "validUntil"]


def test_zero_cost_is_refused_and_zero_stock_is_allowed():
    assert paths(replace(BASE, cost_points=0)) == ["costPoints"]
    assert paths(replace(BASE, stock=0)) == []


def test_times_without_an_offset_are_refused():
    assert paths(replace(BASE, valid_from=datetime(2026, 6, 1))) == ["validFrom"]


def test_a_hold_needs_a_hold_time_and_an_instant_reward_has_none():
    assert paths(replace(BASE, fulfilment=Fulfilment.HOLD)) == ["holdMinutes"]
    assert paths(replace(BASE, fulfilment=Fulfilment.HOLD, hold_minutes=0)) == ["holdMinutes"]
    assert paths(replace(BASE, fulfilment=Fulfilment.HOLD, hold_minutes=30)) == []
    assert paths(replace(BASE, hold_minutes=30)) == ["holdMinutes"]


def test_a_donation_names_its_charity_and_only_a_donation_does():
    assert paths(replace(BASE, kind=RewardKind.CHARITY_DONATION)) == ["charityId"]
    assert paths(replace(BASE, kind=RewardKind.CHARITY_DONATION, charity_id=4)) == []
    assert paths(replace(BASE, charity_id=4)) == ["charityId"]


def test_a_sustainability_action_states_a_well_formed_impact():
    action = replace(BASE, kind=RewardKind.SUSTAINABILITY_ACTION)
    assert paths(action) == ["impact"]
    assert paths(replace(action, impact={"trees_planted": 1})) == []
    assert paths(replace(action, impact={"Trees Planted": 1, "co2_kg": 0, "water_l": 1.5})) == [
        "impact.Trees Planted", "impact.co2_kg", "impact.water_l"]


def test_text_that_cannot_be_a_code_is_not_looked_up():
    # found by the schema fuzzer: a 14-character code crashed the lookup
    assert codes.possible_code(" abcd efgh") == "ABCD-EFGH"
    assert codes.possible_code("00000000000000") is None  # too long, and 0 is never printed
    assert codes.possible_code("ABCD-EFG") is None
    assert codes.possible_code("ABCD-EFG0") is None
