"""The badge catalog and badge rules at work (challenges.badges, challenges.badge_awards), on the database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.connection import get_connection

from challenges import badges, wiring
from challenges.badge_awards import member_badges
from challenges.badge_rules import BadgeLevel, BadgeRule, RuleKind
from challenges.badges import BadgeSpec
from challenges.events import BadgeEarned
from challenges.models import Badge, MemberBadge
from domain.errors import InvalidInput, NotFound
from domain.events import event_bus
from domain.models import AuditEntry, Program
from tests import factories
from tests.conftest import requires_postgres
from tests.factories import NOW

RECYCLING = BadgeRule(RuleKind.ACTIVITY_COUNT, "RECYCLE")


@pytest.fixture(autouse=True)
def handlers() -> None:
    wiring.register(event_bus)  # as the app does at start-up; idempotent


@pytest.fixture
def earned():
    seen: list[BadgeEarned] = []

    async def handler(event: BadgeEarned) -> None:
        seen.append(event)

    event_bus.subscribe(BadgeEarned, handler)
    yield seen
    event_bus.unsubscribe(BadgeEarned, handler)


async def held(member_id: object) -> list[tuple[str, int]]:
    rows = await MemberBadge.filter(member_id=member_id).select_related("badge").order_by("badge_id", "level")
    return [(row.badge.code, row.level) for row in rows]


# --- the catalog -----------------------------------------------------------------------------

async def test_a_marketer_creates_a_levelled_badge_with_a_rule_and_it_is_audited(program):
    spec = BadgeSpec("eco-hero", "Eco hero", "Recycle to level up", "https://cdn.example.com/eco.png",
                     [BadgeLevel("Bronze", 1), BadgeLevel("Silver", 10)], RECYCLING)
    badge = await badges.create_badge(program, spec, "marketer:ann", NOW)
    stored = await Badge.get(id=badge.id)
    assert (stored.code, stored.name, stored.image_url) == ("eco-hero", "Eco hero", "https://cdn.example.com/eco.png")
    assert stored.levels == [{"name": "Bronze", "threshold": 1}, {"name": "Silver", "threshold": 10}]
    assert stored.rule == {"kind": "activity_count", "activity_type": "RECYCLE"}
    audit = await AuditEntry.get(action="createBadge")
    assert (audit.actor, audit.target, audit.details["code"]) == ("marketer:ann", f"badge:{badge.id}", "eco-hero")


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        (BadgeSpec("eco", "Eco", levels=[BadgeLevel("Gold", 10), BadgeLevel("Silver", 5)]), "levels.1.threshold"),
        (BadgeSpec("eco", "Eco", rule=BadgeRule(RuleKind.ACTIVITY_COUNT, "TELEPORT")), "rule.activityType"),
        (BadgeSpec("eco", "Eco", rule=BadgeRule(RuleKind.ACTIVITY_COUNT)), "rule.activityType"),
        (BadgeSpec("eco", "Eco", image_url="http://cdn.example.com/eco.png"), "imageUrl"),
        (BadgeSpec("eco hero", "Eco"), "code"),
        (BadgeSpec("eco", "  "), "name"),
        (BadgeSpec(None, "Eco"), "code"),
        (BadgeSpec("eco", "Eco", levels=[BadgeLevel("Decade", 521)], rule=BadgeRule(RuleKind.WEEKLY_STREAK)),
         "levels.0.threshold"),
    ],
)
async def test_a_bad_badge_names_the_field_and_writes_nothing(program, spec, path):
    with pytest.raises(InvalidInput) as raised:
        await badges.create_badge(program, spec, "marketer:ann", NOW)
    assert [p.path for p in raised.value.problems] == [path]
    assert (await Badge.all().count(), await AuditEntry.all().count()) == (0, 0)


async def test_a_badge_code_is_used_once_per_program(program):
    await factories.badge(program, "eco")
    with pytest.raises(InvalidInput) as raised:
        await factories.badge(program, "eco")
    assert [p.path for p in raised.value.problems] == ["code"]


async def test_updating_changes_only_what_is_given_and_can_drop_the_rule(program):
    badge = await factories.badge(program, "eco", [("Bronze", 1)], RECYCLING, name="Eco")
    await badges.update_badge(program, badge.id, BadgeSpec(name="Eco star", levels=[BadgeLevel("Bronze", 2)]),
                              "marketer:ann", NOW)
    stored = await Badge.get(id=badge.id)
    assert (stored.code, stored.name, stored.levels, stored.rule["kind"]) == (
        "eco", "Eco star", [{"name": "Bronze", "threshold": 2}], "activity_count")
    await badges.update_badge(program, badge.id, BadgeSpec(remove_rule=True), "marketer:ann", NOW)
    assert (await Badge.get(id=badge.id)).rule is None
    assert await AuditEntry.filter(action="updateBadge").count() == 2


async def test_a_level_members_hold_can_be_renamed_but_not_removed(program):
    # given members hold Silver of a three-level badge
    badge = await factories.badge(program, "eco", [("Bronze", 1), ("Silver", 2), ("Gold", 3)], RECYCLING)
    someone = await factories.member(program)
    await badges.award_badge(program.id, str(someone.id), badge.id, 1, NOW)
    # when a marketer cuts it to one level, then renames the levels
    with pytest.raises(InvalidInput) as raised:
        await badges.update_badge(program, badge.id, BadgeSpec(levels=[BadgeLevel("Only", 1)]), "marketer:ann", NOW)
    renamed = [BadgeLevel("Copper", 1), BadgeLevel("Steel", 2)]
    await badges.update_badge(program, badge.id, BadgeSpec(levels=renamed), "marketer:ann", NOW)
    # then the cut is refused, the rename goes through
    assert [p.path for p in raised.value.problems] == ["levels"]
    assert [lv["name"] for lv in (await Badge.get(id=badge.id)).levels] == ["Copper", "Steel"]


async def test_a_rule_change_is_checked_against_the_levels_already_stored(program):
    # given a count badge at 1,000 recyclings
    badge = await factories.badge(program, "eco", [("Thousand", 1000)], RECYCLING)
    # when it is turned into a weekly streak (1,000 weeks in a row)
    with pytest.raises(InvalidInput) as raised:
        await badges.update_badge(program, badge.id, BadgeSpec(rule=BadgeRule(RuleKind.WEEKLY_STREAK)), "m:a", NOW)
    # then the stored level is named, and the rule stays
    assert [p.path for p in raised.value.problems] == ["levels.0.threshold"]
    assert (await Badge.get(id=badge.id)).rule["kind"] == "activity_count"


async def test_updating_an_unknown_badge_is_not_found(program):
    with pytest.raises(NotFound):
        await badges.update_badge(program, 999, BadgeSpec(name="x"), "marketer:ann", NOW)


# --- awarding ----------------------------------------------------------------------------------

async def test_each_level_is_awarded_once(program, earned):
    badge = await factories.badge(program, "champion")
    someone = await factories.member(program)
    first = await badges.award_badge(program.id, str(someone.id), badge.id, 0, NOW)
    again = await badges.award_badge(program.id, str(someone.id), badge.id, 0, NOW + timedelta(days=1))
    assert (first, again) == (True, False)
    assert earned == [BadgeEarned(program.id, str(someone.id), badge.id, 0, NOW)]
    assert await held(someone.id) == [("champion", 0)]


async def test_recycling_earns_each_level_as_its_threshold_is_reached_once(program, earned):
    # given Bronze at 1 recycling, Silver at 3
    badge = await factories.badge(program, "eco", [("Bronze", 1), ("Silver", 3)], RECYCLING)
    someone = await factories.member(program)
    # when the member recycles four times (and once visits)
    moments = [NOW + timedelta(hours=h) for h in range(4)]
    await factories.activity(program, someone.id, "RECYCLE", now=moments[0])
    assert await held(someone.id) == [("eco", 0)]
    await factories.activity(program, someone.id, "VISIT", now=moments[0])
    await factories.activity(program, someone.id, "RECYCLE", now=moments[1])
    assert await held(someone.id) == [("eco", 0)]
    for moment in moments[2:]:
        await factories.activity(program, someone.id, "RECYCLE", now=moment)
    # then Bronze came with the first, Silver with the third, each once, earned when recorded
    assert await held(someone.id) == [("eco", 0), ("eco", 1)]
    assert [(e.badge_id, e.level, e.earned_at) for e in earned] == [(badge.id, 0, moments[0]), (badge.id, 1, moments[2])]


async def test_a_replayed_activity_does_not_count_toward_a_badge(program):
    await factories.badge(program, "eco", [("Bronze", 2)], RECYCLING)
    someone = await factories.member(program)
    for _ in range(3):
        await factories.activity(program, someone.id, "RECYCLE", key="machine-7-scan-1")
    assert await held(someone.id) == []


async def test_ten_eco_actions_of_any_sustainable_type_earn_the_eco_badge(program):
    await factories.badge(program, "ten-eco", [("Eco warrior", 10)], BadgeRule(RuleKind.ECO_ACTION_COUNT))
    someone = await factories.member(program)
    for code in ["RECYCLE", "REUSABLE_CUP", "E_RECEIPT"] * 3 + ["VISIT"]:
        await factories.activity(program, someone.id, code)
    assert await held(someone.id) == []  # a visit is no eco action
    await factories.activity(program, someone.id, "PUBLIC_TRANSPORT", {"distanceKm": 3})
    assert await held(someone.id) == [("ten-eco", 0)]


async def test_the_first_purchase_earns_a_purchase_badge(program):
    await factories.badge(program, "first-buy", rule=BadgeRule(RuleKind.PURCHASE_COUNT))
    someone = await factories.member(program)
    await factories.purchase(program, someone.id)
    await factories.purchase(program, someone.id)
    assert await held(someone.id) == [("first-buy", 0)]


@pytest.mark.parametrize(("time_zone", "earned_it"), [("Europe/Berlin", True), ("UTC", False)])
async def test_five_weeks_in_a_row_count_weeks_in_the_programs_time_zone(program, time_zone, earned_it):
    # given a five-weeks-in-a-row badge in a program of that time zone
    await Program.filter(id=program.id).update(time_zone=time_zone)
    await factories.badge(program, "regular", [("Five weeks", 5)], BadgeRule(RuleKind.WEEKLY_STREAK))
    someone = await factories.member(program)
    # when the member visits on four Mondays, then late on the fourth week's Sunday (UTC),
    # which is already the fifth week's Monday in Berlin
    mondays = [datetime(2026, 6, 8, 12, tzinfo=UTC) + timedelta(weeks=n) for n in range(4)]
    late_sunday = datetime(2026, 7, 5, 23, 30, tzinfo=UTC)
    for moment in [*mondays, late_sunday]:
        await factories.activity(program, someone.id, "VISIT", occurred_at=moment, now=moment + timedelta(minutes=1))
    # then only where that is a fifth week is the streak complete
    assert await held(someone.id) == ([("regular", 0)] if earned_it else [])


async def test_a_streak_broken_by_a_missed_week_starts_over(program):
    await factories.badge(program, "regular", [("Three weeks", 3)], BadgeRule(RuleKind.WEEKLY_STREAK, "RECYCLE"))
    someone = await factories.member(program)
    for weeks in (0, 1, 3, 4):  # week 2 missed
        moment = NOW + timedelta(weeks=weeks)
        await factories.activity(program, someone.id, "RECYCLE", occurred_at=moment, now=moment)
    assert await held(someone.id) == []
    late = NOW + timedelta(weeks=2)  # a machine reports week 2 late: the gap closes
    await factories.activity(program, someone.id, "RECYCLE", occurred_at=late, now=NOW + timedelta(weeks=5))
    assert await held(someone.id) == [("regular", 0)]


@requires_postgres
async def test_concurrent_activities_award_a_level_once(program):
    await factories.badge(program, "eco", [("Bronze", 3)], RECYCLING)
    someone = await factories.member(program)
    await asyncio.gather(*(factories.activity(program, someone.id, "RECYCLE") for _ in range(8)))
    assert await held(someone.id) == [("eco", 0)]


# --- what the member sees ------------------------------------------------------------------------

async def test_a_member_sees_each_badge_at_its_highest_level_with_progress_to_the_next(program):
    # given a levelled recycling badge, a streak badge and a challenge-only badge
    eco = await factories.badge(program, "eco", [("Bronze", 1), ("Silver", 3), ("Gold", 6)], RECYCLING)
    streak = await factories.badge(program, "weekly", [("Two weeks", 2), ("Four weeks", 4)],
                                   BadgeRule(RuleKind.WEEKLY_STREAK))
    champion = await factories.badge(program, "champion", name="Champion")
    someone = await factories.member(program)
    for week in range(4):
        moment = NOW + timedelta(weeks=week)
        await factories.activity(program, someone.id, "RECYCLE", occurred_at=moment, now=moment)
    await badges.award_badge(program.id, str(someone.id), champion.id, 0, NOW + timedelta(weeks=5))
    # when the member looks in the fourth week, in the fifth (nothing yet), and after missing two
    shown = {b.badge.code: b for b in await member_badges(program, str(someone.id), NOW + timedelta(weeks=3))}
    next_week = {b.badge.code: b for b in await member_badges(program, str(someone.id), NOW + timedelta(weeks=4))}
    later = {b.badge.code: b for b in await member_badges(program, str(someone.id), NOW + timedelta(weeks=6))}
    # then each badge shows its highest level, when it was earned, and how far the next is
    assert (shown["eco"].level, shown["eco"].level_name, shown["eco"].earned_at) == (1, "Silver", NOW + timedelta(weeks=2))
    assert (shown["eco"].progress.current, shown["eco"].progress.next_threshold) == (4, 6)
    assert (shown["weekly"].level, shown["weekly"].progress.current, shown["weekly"].progress.next_threshold) == (1, 4, None)
    assert (shown["champion"].level, shown["champion"].level_name, shown["champion"].progress) == (0, None, None)
    assert shown["eco"].badge.id == eco.id and shown["weekly"].badge.id == streak.id
    # and a streak stays alive until a whole week is missed; then it shows zero, while counts stay
    assert next_week["weekly"].progress.current == 4
    assert (later["weekly"].progress.current, later["eco"].progress.current) == (0, 4)


@contextlib.contextmanager
def counting_statements() -> Iterator[list[str]]:
    connection = get_connection("default")
    seen: list[str] = []
    names = ["execute_query", "execute_query_dict", "execute_insert", "execute_many"]
    originals = {name: getattr(connection, name) for name in names}
    depth = [0]

    def counted(original):
        async def run(sql, *args, **kwargs):
            if depth[0] == 0:
                seen.append(sql)
            depth[0] += 1
            try:
                return await original(sql, *args, **kwargs)
            finally:
                depth[0] -= 1
        return run

    for name, original in originals.items():
        setattr(connection, name, counted(original))
    try:
        yield seen
    finally:
        for name in names:
            delattr(connection, name)


async def test_reading_badges_costs_the_same_statements_for_one_badge_or_thirty(program):
    async def statements_for(badge_count: int) -> int:
        someone = await factories.member(program)
        for _ in range(badge_count):
            await factories.badge(program, rule=BadgeRule(RuleKind.WEEKLY_STREAK))
            await factories.badge(program, rule=RECYCLING)
        await factories.activity(program, someone.id, "RECYCLE")
        assert len(await held(someone.id)) >= 2 * badge_count
        with counting_statements() as seen:
            await member_badges(program, str(someone.id), NOW)
        return len(seen)

    assert await statements_for(1) == await statements_for(15)
