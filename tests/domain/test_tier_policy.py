"""Tier policy (domain.tier_policy): upgrade at once, downgrade only at review. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from domain.tier_policy import decide_tier, next_tier, qualified_tier


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: int


SILVER = Tier("Silver", 500)
GOLD = Tier("Gold", 2000)
BRONZE = Tier("Bronze", 100)
# deliberately unsorted: marketers create tiers in any order
TIERS = [GOLD, BRONZE, SILVER]


def test_the_highest_tier_whose_threshold_is_reached_qualifies():
    assert qualified_tier(TIERS, 499) == BRONZE
    assert qualified_tier(TIERS, 500) == SILVER  # reaching the threshold is enough
    assert qualified_tier(TIERS, 10**9) == GOLD


def test_no_tier_below_the_lowest_threshold():
    assert qualified_tier(TIERS, 99) is None
    assert qualified_tier([], 10**9) is None


def test_upgrade_happens_at_once_even_long_before_the_review():
    decision = decide_tier(TIERS, BRONZE, 600, review_due=False)
    assert (decision.tier, decision.reason, decision.changed) == (SILVER, "upgrade", True)


def test_upgrade_may_skip_tiers():
    assert decide_tier(TIERS, BRONZE, 2500, review_due=False).tier == GOLD


def test_a_member_without_a_tier_is_upgraded_into_the_first_one_they_reach():
    decision = decide_tier(TIERS, None, 100, review_due=False)
    assert (decision.tier, decision.reason) == (BRONZE, "upgrade")


def test_downgrade_waits_for_the_review():
    # given a Gold member whose qualifying value fell to Silver level
    before_review = decide_tier(TIERS, GOLD, 600, review_due=False)
    # then they keep Gold until the review...
    assert (before_review.tier, before_review.reason, before_review.changed) == (GOLD, None, False)
    # ...and drop to Silver when it falls due
    at_review = decide_tier(TIERS, GOLD, 600, review_due=True)
    assert (at_review.tier, at_review.reason) == (SILVER, "downgrade")


def test_at_review_a_member_below_every_threshold_loses_their_tier():
    decision = decide_tier(TIERS, BRONZE, 0, review_due=True)
    assert (decision.tier, decision.reason) == (None, "downgrade")


def test_staying_in_the_same_tier_is_no_change():
    for review_due in (False, True):
        decision = decide_tier(TIERS, SILVER, 1999, review_due=review_due)
        assert (decision.tier, decision.changed) == (SILVER, False)


def test_next_tier_is_the_one_just_above():
    assert next_tier(TIERS, None) == BRONZE
    assert next_tier(TIERS, BRONZE) == SILVER
    assert next_tier(TIERS, SILVER) == GOLD
    assert next_tier(TIERS, GOLD) is None  # the top tier has nothing above
    assert next_tier([], None) is None


thresholds = st.lists(st.integers(0, 5000), min_size=1, max_size=5, unique=True)


@given(thresholds=thresholds, data=st.data())
def test_policy_never_downgrades_before_review_and_always_lands_on_a_qualified_tier(thresholds, data):
    tiers = [Tier(f"T{t}", t) for t in thresholds]
    current = data.draw(st.none() | st.sampled_from(tiers), label="current")
    value = data.draw(st.integers(0, 6000), label="qualifying value")
    review_due = data.draw(st.booleans(), label="review due")
    decision = decide_tier(tiers, current, value, review_due)
    rank = -1 if decision.tier is None else decision.tier.threshold
    current_rank = -1 if current is None else current.threshold
    if not review_due:
        assert rank >= current_rank
    if decision.changed:
        assert decision.tier == qualified_tier(tiers, value)
    else:
        assert decision.tier == current
