"""Badge rules at work: measuring a member against the rules, awarding on events, and
what the member sees of their badges.

Measuring costs a fixed number of queries per rule kind, never one per badge, so a member
with fifty badges costs what one with a single badge does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.functions import Count

from challenges import badges
from challenges.badge_rules import (
    MAX_STREAK_WEEKS,
    BadgeLevel,
    BadgeRule,
    Progress,
    RuleKind,
    current_streak,
    effective_levels,
    levels_reached,
    progress_toward_next,
    run_through,
    week_of,
)
from challenges.events import ActivityRecorded
from challenges.models import Activity, Badge, MemberBadge
from domain.events import PointsDonated, PurchaseRecorded
from domain.models import Donation, DonationStatus, Program, Purchase


def levels_of(badge: Badge) -> list[BadgeLevel]:
    return effective_levels([BadgeLevel(**level) for level in badge.levels], badge.name)


@dataclass(frozen=True)
class StreakAnchor:
    """Which week a streak is measured at: the week of a new activity (awarding), or now
    (showing the member the streak still alive)."""

    moment: datetime
    time_zone: str
    alive_now: bool


async def measure(
    member_id: str, rules: Iterable[BadgeRule], anchor: StreakAnchor | None, horizon_weeks: int
) -> dict[BadgeRule, int]:
    """Each rule's value for the member. `horizon_weeks`: streaks longer than this need
    not be counted exactly (the highest threshold is enough)."""
    wanted = set(rules)
    kinds = {rule.kind for rule in wanted}
    values: dict[BadgeRule, int] = {}
    if kinds & {RuleKind.ACTIVITY_COUNT, RuleKind.ECO_ACTION_COUNT}:
        rows = (
            await Activity.filter(member_id=member_id)
            .group_by("type_code", "impact_unit")
            .annotate(n=Count("id"))
            .values("type_code", "impact_unit", "n")
        )
        for rule in wanted:
            if rule.kind in (RuleKind.ACTIVITY_COUNT, RuleKind.ECO_ACTION_COUNT):
                values[rule] = sum(r["n"] for r in rows if rule.counts_activity(r["type_code"], r["impact_unit"]))
    if RuleKind.PURCHASE_COUNT in kinds:
        purchases = await Purchase.filter(member_id=member_id, reversed_at__isnull=True).count()
        values[BadgeRule(RuleKind.PURCHASE_COUNT)] = purchases
    if RuleKind.DONATION_COUNT in kinds:
        donations = await Donation.filter(member_id=member_id, status=DonationStatus.DONATED).count()
        values[BadgeRule(RuleKind.DONATION_COUNT)] = donations
    streaks = [rule for rule in wanted if rule.kind is RuleKind.WEEKLY_STREAK]
    if streaks and anchor is not None:
        values.update(await _streaks(member_id, streaks, anchor, horizon_weeks))
    return values


async def _streaks(
    member_id: str, rules: list[BadgeRule], anchor: StreakAnchor, horizon_weeks: int
) -> dict[BadgeRule, int]:
    week = week_of(anchor.moment, anchor.time_zone)
    horizon_weeks = min(horizon_weeks, MAX_STREAK_WEEKS)  # badges stored before the cap
    # Two weeks' margin beyond the horizon cover the anchor's week and time zone offsets.
    since = anchor.moment - timedelta(weeks=horizon_weeks + 2)
    rows = await Activity.filter(member_id=member_id, occurred_at__gte=since).values_list("type_code", "occurred_at")
    weeks_by_type: dict[str, set[date]] = defaultdict(set)
    for type_code, occurred_at in rows:
        weeks_by_type[type_code].add(week_of(occurred_at, anchor.time_zone))
    values = {}
    for rule in rules:
        weeks = set().union(*(w for code, w in weeks_by_type.items() if rule.activity_type in (None, code)))
        values[rule] = current_streak(weeks, week) if anchor.alive_now else run_through(weeks, week)
    return values


def _streak_horizon(candidates: Iterable[Badge]) -> int:
    """Weeks a streak must be counted back: the highest streak threshold, no further."""
    thresholds = [
        levels_of(b)[-1].threshold for b in candidates
        if b.rule and BadgeRule.from_json(b.rule).kind is RuleKind.WEEKLY_STREAK
    ]
    return max(thresholds, default=0)


async def _evaluate(program_id: int, member_id: str, candidates: list[Badge], anchor: StreakAnchor | None,
                    recorded_at: Callable[[], Awaitable[datetime]]) -> None:
    if not candidates:
        return
    rules = {badge.id: BadgeRule.from_json(badge.rule) for badge in candidates}
    values = await measure(member_id, (r for r in rules.values() if r), anchor, _streak_horizon(candidates))
    held = set(
        await MemberBadge.filter(member_id=member_id, badge_id__in=[b.id for b in candidates]).values_list(
            "badge_id", "level"
        )
    )
    due = [
        (badge.id, level)
        for badge in candidates
        for level in levels_reached(levels_of(badge), values.get(rules[badge.id], 0))
        if (badge.id, level) not in held
    ]
    if due:
        # Earned when the activity or purchase was recorded (the service's clock), which
        # the event doesn't carry: read it only in the rare case that something is due.
        earned_at = await recorded_at()
        for badge_id, level in due:
            await badges.grant(program_id, member_id, badge_id, level, earned_at)


async def _rule_badges(program_id: int) -> list[tuple[Badge, BadgeRule]]:
    found = await Badge.filter(program_id=program_id, rule__isnull=False)
    return [(badge, rule) for badge in found if (rule := BadgeRule.from_json(badge.rule)) is not None]


async def on_activity_recorded(event: ActivityRecorded) -> None:
    """In the activity's transaction: award every level the activity makes reachable."""
    matching = [
        (badge, rule) for badge, rule in await _rule_badges(event.program_id)
        if rule.counts_activity(event.type_code, event.impact_unit)
    ]
    anchor = None
    if any(rule.kind is RuleKind.WEEKLY_STREAK for _, rule in matching):
        program = await Program.get(id=event.program_id)
        anchor = StreakAnchor(event.occurred_at, program.time_zone, alive_now=False)

    async def recorded_at() -> datetime:
        return (await Activity.get(id=event.activity_id)).recorded_at

    await _evaluate(event.program_id, event.member_id, [badge for badge, _ in matching], anchor, recorded_at)


async def on_purchase_recorded(event: PurchaseRecorded) -> None:
    """In the purchase's transaction: purchase-counting badges."""
    matching = [badge for badge, rule in await _rule_badges(event.program_id) if rule.about_purchases]

    async def recorded_at() -> datetime:
        return (await Purchase.get(id=event.purchase_id)).recorded_at

    await _evaluate(event.program_id, event.member_id, matching, None, recorded_at)


async def on_points_donated(event: PointsDonated) -> None:
    """In the donation's transaction: donation-counting badges (e.g. a first donation)."""
    matching = [badge for badge, rule in await _rule_badges(event.program_id) if rule.about_donations]

    async def recorded_at() -> datetime:
        return event.occurred_at

    await _evaluate(event.program_id, event.member_id, matching, None, recorded_at)


@dataclass(frozen=True)
class EarnedBadge:
    badge: Badge
    level: int  # highest level held, 0-based
    level_name: str | None  # None for a badge without named levels
    earned_at: datetime  # when that level was earned
    progress: Progress | None  # None when no rule measures the badge (challenge awards)


async def member_badges(program: Program, member_id: str, now: datetime) -> list[EarnedBadge]:
    """The member's badges at their highest level, newest first: one query for the
    badges, plus one per rule kind among them for progress."""
    awards = await MemberBadge.filter(member_id=member_id).select_related("badge")
    top: dict[int, MemberBadge] = {}
    for award in awards:
        if award.badge_id not in top or award.level > top[award.badge_id].level:
            top[award.badge_id] = award
    rules = {award.badge_id: BadgeRule.from_json(award.badge.rule) for award in top.values()}
    anchor = StreakAnchor(now, program.time_zone, alive_now=True)
    horizon = _streak_horizon([a.badge for a in top.values()])
    values = await measure(member_id, (r for r in rules.values() if r), anchor, horizon)
    earned = []
    for award in sorted(top.values(), key=lambda a: (a.awarded_at, a.badge_id), reverse=True):
        levels = levels_of(award.badge)
        rule = rules[award.badge_id]
        named = bool(award.badge.levels) and award.level < len(levels)
        earned.append(EarnedBadge(
            badge=award.badge,
            level=award.level,
            level_name=levels[award.level].name if named else None,
            earned_at=award.awarded_at,
            progress=progress_toward_next(levels, award.level, values.get(rule, 0)) if rule else None,
        ))
    return earned
