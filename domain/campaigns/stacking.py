"""Which fired campaigns apply together, and how far caps and budgets clip them. Pure.

Policy: if any fired campaign is EXCLUSIVE, the exclusive one with the highest priority
(ties: the lowest id, i.e. the older campaign) applies alone and every other fired
campaign is reported as excluded by it. Otherwise all fired campaigns apply and their
extras add up (so the result does not depend on their order). Each applied campaign's
points are then clipped to what its per-member cap and budget still allow.
"""

from __future__ import annotations

from dataclasses import replace

from domain.campaigns.rules import Verdict
from domain.models.campaign import Stacking


def resolve(verdicts: list[Verdict]) -> list[Verdict]:
    """The same verdicts, in the same order, with stacking and clipping applied."""
    fired = [v for v in verdicts if v.fired]
    exclusive = [v for v in fired if v.stacking == Stacking.EXCLUSIVE]
    winner = min(exclusive, key=lambda v: (-v.priority, v.campaign_id)) if exclusive else None
    resolved = []
    for verdict in verdicts:
        if not verdict.fired:
            resolved.append(verdict)
        elif winner is not None and verdict.campaign_id != winner.campaign_id:
            reason = f"excluded: exclusive campaign {winner.campaign_name!r} applies alone"
            resolved.append(replace(verdict, fired=False, points=0, reason=reason))
        else:
            resolved.append(clip(verdict, verdict.limit))
    return resolved


def clip(verdict: Verdict, limit: int | None) -> Verdict:
    if limit is None or verdict.points <= limit:
        return verdict
    if limit <= 0:
        return replace(verdict, fired=False, points=0, reason="budget exhausted")
    return replace(verdict, points=limit, reason=f"{verdict.reason} (clipped from {verdict.points} by cap or budget)")


def total(verdicts: list[Verdict]) -> int:
    return sum(v.points for v in verdicts if v.fired)
