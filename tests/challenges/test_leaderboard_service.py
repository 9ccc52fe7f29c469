"""Leaderboards on Redis, kept from the database: what counts, ties, hiding, failures, and
the invariant that wiping Redis and rebuilding gives the same boards."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis
from tortoise.context import TortoiseContext

from api.database import tortoise_config

from challenges import leaderboard_service as service
from challenges import wiring
from challenges.challenge_periods import Recurrence
from challenges.events import ChallengeProgressed
from challenges.leaderboard_members import set_board_profile
from challenges.leaderboard_reads import board_view, standing
from challenges.leaderboards import Board, BoardKind, month_key, week_key
from challenges.models import BoardRefreshRequest, ChallengeProgress
from domain.events import event_bus
from domain.models import Member, Program
from domain.points import adjust_points
from domain.programs import get_or_create_program
from tests import factories
from tests.conftest import ON_REAL_REDIS, REDIS_TEST_DB, REDIS_URL

PARIS = "Europe/Paris"


def last_monday() -> datetime:
    """09:00 UTC on Monday of last week: in the past, and its boards are still kept (Redis
    expires keys by its own clock, so period boards must be recent)."""
    today = datetime.now(UTC).date()
    return datetime.combine(today - timedelta(days=today.weekday() + 7), time(9), tzinfo=UTC)


MONDAY = last_monday()


@pytest.fixture
async def paris(program: Program) -> Program:
    program.time_zone = PARIS
    await program.save()
    return program


async def earn(program: Program, redis: Redis, member: Member, amount: int, at: datetime) -> list[object]:
    """A purchase of `amount` cents (1 point per euro) at `at`, then its after-commit work."""
    with event_bus.recording() as published:
        await factories.purchase(program, member.id, amount=amount, now=at)
    await service.apply_events(redis, program, published, at)
    return published


async def listed(redis: Redis, board: Board) -> list[tuple[str, int]]:
    view = await board_view(redis, board, None, 100, 0)
    return [(p.display_name, p.score) for p in view.top]


def weekly(program: Program, at: datetime) -> Board:
    return Board(program.id, BoardKind.WEEKLY, week_key(at, service.zone_of(program)))


async def snapshot(redis: Redis) -> dict[str, object]:
    """Every board (ranking and entries) with its content and expiry time."""
    found: dict[str, object] = {}
    async for key in redis.scan_iter(match="lb:*"):
        if not key.endswith((":ranking", ":entries")):
            continue  # bookkeeping of writes: guards and generations
        kind = await redis.type(key)
        content = await (redis.zrange(key, 0, -1, withscores=True) if kind == "zset" else redis.hgetall(key))
        found[key] = (kind, content, await redis.expiretime(key))
    return dict(sorted(found.items()))


async def test_points_earned_rank_members_on_all_time_weekly_and_monthly_boards(paris, redis):
    ana, ben, cy = [await factories.member(paris, name) for name in ("ana", "ben", "cy")]
    await earn(paris, redis, ana, 30_00, MONDAY - timedelta(days=7))  # the week before
    await earn(paris, redis, ben, 20_00, MONDAY)
    await earn(paris, redis, cy, 5_00, MONDAY + timedelta(hours=1))
    await earn(paris, redis, cy, 10_00, MONDAY + timedelta(hours=2))
    assert await listed(redis, Board(paris.id, BoardKind.ALL_TIME)) == [
        ("Member ana", 30), ("Member ben", 20), ("Member cy", 15)]
    assert await listed(redis, weekly(paris, MONDAY)) == [("Member ben", 20), ("Member cy", 15)]
    this_month = Board(paris.id, BoardKind.MONTHLY, month_key(MONDAY, service.zone_of(paris)))
    assert (await listed(redis, this_month))[-2:] == [("Member ben", 20), ("Member cy", 15)]  # ana: if same month


async def test_a_tie_goes_to_whoever_reached_the_score_first(paris, redis):
    # given ben reaches 20 points before ana does
    ana, ben = await factories.member(paris, "ana"), await factories.member(paris, "ben")
    await earn(paris, redis, ana, 10_00, MONDAY)
    await earn(paris, redis, ben, 20_00, MONDAY + timedelta(minutes=1))
    await earn(paris, redis, ana, 10_00, MONDAY + timedelta(minutes=2))
    # then ben ranks above ana with the same score, and ana is second, not first equal
    assert await listed(redis, weekly(paris, MONDAY)) == [("Member ben", 20), ("Member ana", 20)]
    assert (await standing(redis, weekly(paris, MONDAY), str(ana.id))).rank == 2


async def test_admin_adjustments_do_not_count_as_points_earned(paris, redis):
    someone = await factories.member(paris, "ana")
    await earn(paris, redis, someone, 10_00, MONDAY)
    with event_bus.recording() as published:
        await adjust_points(paris, str(someone.id), 500, "goodwill", "adjust-1", "admin:test", MONDAY)
    await service.apply_events(redis, paris, published, MONDAY)
    assert await listed(redis, Board(paris.id, BoardKind.ALL_TIME)) == [("Member ana", 10)]


async def test_weeks_follow_the_program_time_zone(paris, redis):
    # Sunday 23:30 UTC is already Monday in Paris, summer or winter
    someone = await factories.member(paris, "ana")
    late_sunday = datetime.combine(MONDAY.date() - timedelta(days=1), time(23, 30), tzinfo=UTC)
    await earn(paris, redis, someone, 10_00, late_sunday)
    assert await listed(redis, weekly(paris, MONDAY)) == [("Member ana", 10)]
    assert week_key(late_sunday, UTC) != week_key(MONDAY, UTC)


async def test_updates_applied_twice_or_out_of_order_leave_the_same_board(paris, redis, db):
    # given two purchases of one member, both committed, whose after-commit work races
    someone = await factories.member(paris, "ana")
    with event_bus.recording() as first:
        await factories.purchase(paris, someone.id, amount=10_00, now=MONDAY)
    with event_bus.recording() as second:
        await factories.purchase(paris, someone.id, amount=5_00, now=MONDAY + timedelta(seconds=1))
    # when the second's update lands first, then the first's, then the second's again
    for events in (second, first, second):
        await service.apply_events(redis, paris, events, MONDAY)
    # then the board holds the total, once
    assert await listed(redis, weekly(paris, MONDAY)) == [("Member ana", 15)]


async def test_a_hidden_member_is_not_listed_but_sees_where_they_stand(paris, redis):
    ana, ben, cy = [await factories.member(paris, name) for name in ("ana", "ben", "cy")]
    for who, amount in ((ana, 30_00), (ben, 20_00), (cy, 10_00)):
        await earn(paris, redis, who, amount, MONDAY)
    # when ana hides herself
    await set_board_profile(paris, str(ana.id), hidden=True)
    await service.refresh_member(redis, paris, str(ana.id), MONDAY)
    board = weekly(paris, MONDAY)
    # then others see ben first, and ana still learns she would be first
    assert await listed(redis, board) == [("Member ben", 20), ("Member cy", 10)]
    assert (await standing(redis, board, str(ben.id))).rank == 1
    mine = await board_view(redis, board, str(ana.id), 10, 1)
    assert (mine.me.rank, mine.me.score, mine.me.hidden) == (1, 30, True)
    assert [(p.rank, p.display_name, p.is_me) for p in mine.around] == [
        (1, "Member ana", True), (1, "Member ben", False)]
    # and showing herself again lists her again
    await set_board_profile(paris, str(ana.id), hidden=False)
    await service.refresh_member(redis, paris, str(ana.id), MONDAY)
    assert await listed(redis, board) == [("Member ana", 30), ("Member ben", 20), ("Member cy", 10)]


async def test_a_member_who_hid_is_never_shown_even_if_redis_missed_it(paris, redis):
    # given ana hid while Redis was unreachable: her entry is still listed there
    ana, ben = await factories.member(paris, "ana"), await factories.member(paris, "ben")
    await earn(paris, redis, ana, 30_00, MONDAY)
    await earn(paris, redis, ben, 20_00, MONDAY)
    await set_board_profile(paris, str(ana.id), hidden=True)
    # when ben reads the board
    view = await board_view(redis, weekly(paris, MONDAY), str(ben.id), 10, 5)
    # then ana is not on it, ben is first, and Redis no longer lists her
    assert [(p.rank, p.display_name) for p in view.top] == [(1, "Member ben")]
    assert view.me.rank == 1
    assert await listed(redis, weekly(paris, MONDAY)) == [("Member ben", 20)]


async def test_with_redis_unreachable_the_update_is_logged_and_nothing_raises(paris, caplog):
    someone = await factories.member(paris, "ana")
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        with caplog.at_level(logging.WARNING, logger=service.__name__):
            await earn(paris, unreachable, someone, 10_00, MONDAY)
    finally:
        await unreachable.aclose()
    assert "rebuild-leaderboards" in caplog.text
    assert await Member.get(id=someone.id).values_list("lifetime_earned", flat=True) == 10


async def test_period_boards_expire_35_days_after_their_period_and_all_time_never(paris, redis):
    someone = await factories.member(paris, "ana")
    await earn(paris, redis, someone, 10_00, MONDAY)
    # the week ends next Monday at midnight in Paris
    week_end = datetime.combine(MONDAY.date() + timedelta(days=7), time(0), tzinfo=ZoneInfo(PARIS))
    assert await redis.expiretime(weekly(paris, MONDAY).ranking_key) == int((week_end + timedelta(days=35)).timestamp())
    assert await redis.expiretime(Board(paris.id, BoardKind.ALL_TIME).entries_key) == -1


async def test_a_challenge_board_ranks_progress_and_drops_a_member_falling_to_zero(paris, redis):
    # given a weekly challenge and two members' progress in this week's period
    challenge = await factories.challenge(paris, every=Recurrence.WEEKLY, now=MONDAY)
    ana, ben = await factories.member(paris, "ana"), await factories.member(paris, "ben")
    period = week_key(MONDAY, service.zone_of(paris))
    board = Board(paris.id, BoardKind.CHALLENGE, period, challenge.id)

    async def progress(who: Member, value: int, at: datetime) -> None:
        await ChallengeProgress.update_or_create(
            challenge_id=challenge.id, member_id=who.id, period_key=period, defaults={"value": value, "updated_at": at})
        event = ChallengeProgressed(paris.id, str(who.id), challenge.id, period, value, 0, at)
        await service.apply_events(redis, paris, [event], at)

    await progress(ana, 3, MONDAY + timedelta(hours=2))
    await progress(ben, 3, MONDAY + timedelta(hours=1))
    assert await listed(redis, board) == [("Member ben", 3), ("Member ana", 3)]
    # when ben's streak breaks (a late activity can even move the time backwards)
    await progress(ben, 0, MONDAY)
    assert await listed(redis, board) == [("Member ana", 3)]


async def test_wiping_redis_and_rebuilding_gives_identical_boards(paris, redis):
    # given five weeks of purchases near today: ties, a hidden member, an adjustment, a weekly
    # challenge whose completions credit reward points
    wiring.register(event_bus)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=40)
    await factories.challenge(paris, every=Recurrence.WEEKLY, now=start, reward_points=25)
    people = [await factories.member(paris, f"m{i}") for i in range(6)]
    for day in range(0, 40, 3):
        for i, who in enumerate(people):
            at = start + timedelta(days=day, hours=i % 3)  # members 0 and 3 buy at the same instant
            await earn(paris, redis, who, (10 + 5 * (i % 3)) * 100, at)
    with event_bus.recording() as published:
        await adjust_points(paris, str(people[1].id), 900, "goodwill", "adjust-9", "admin:test", now)
    await service.apply_events(redis, paris, published, now)
    await set_board_profile(paris, str(people[2].id), alias="Latte Lover")
    await set_board_profile(paris, str(people[4].id), hidden=True)
    await service.refresh_member(redis, paris, str(people[4].id), now)
    live = await snapshot(redis)
    assert any(":challenge:" in key for key in live) and any(":weekly:" in key for key in live)
    # when Redis is wiped and the boards rebuilt from the database
    await redis.flushdb()
    summary = await service.rebuild(redis, paris, now)
    # then every key, entry, order and expiry is back as it was
    assert await snapshot(redis) == live
    assert summary.boards >= 1 + 5 + 2


async def test_a_rebuild_drops_keys_of_boards_that_should_not_exist(paris, redis):
    someone = await factories.member(paris, "ana")
    now = datetime.now(UTC)
    await earn(paris, redis, someone, 10_00, now)
    stray = Board(paris.id, BoardKind.WEEKLY, "2020-W01")
    await redis.zadd(stray.ranking_key, {"leftover": 0})
    summary = await service.rebuild(redis, paris, now)
    assert summary.removed_keys == 1
    assert not await redis.exists(stray.ranking_key)
    assert await listed(redis, weekly(paris, now)) == [("Member ana", 10)]


async def test_a_purchase_committed_while_the_rebuild_reads_the_database_is_kept(paris, redis, monkeypatch):
    # given the rebuild read every board before a purchase committed, whose own update then
    # landed on the boards the rebuild is about to replace
    someone = await factories.member(paris, "ana")
    now = datetime.now(UTC)
    await earn(paris, redis, someone, 10_00, now)
    whole_board_reads = service.scores_on

    async def read_before_the_purchase(board, zone, member_id=None):
        return [] if member_id is None else await whole_board_reads(board, zone, member_id)

    monkeypatch.setattr(service, "scores_on", read_before_the_purchase)
    # when the rebuild swaps its (older) boards in
    await service.rebuild(redis, paris, now)
    # then the purchase is still on the boards
    assert await listed(redis, weekly(paris, now)) == [("Member ana", 10)]
    assert await listed(redis, Board(paris.id, BoardKind.MONTHLY, month_key(now, service.zone_of(paris)))) == [
        ("Member ana", 10)]


async def test_the_rebuild_command_rebuilds_the_configured_programs_boards(tmp_path):
    # given a database where one member bought something just now
    url = f"sqlite://{tmp_path}/cli.sqlite3"
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        await ctx.generate_schemas()
        program = await get_or_create_program("cli-test", "CLI Rewards")
        await factories.purchase(program, (await factories.member(program, "ana")).id, now=datetime.now(UTC))
    # when an operator runs the command (against the test's Redis, or next to a server
    # that keeps its boards in its embedded Redis)
    redis_url = f"{REDIS_URL.rsplit('/', 1)[0]}/{REDIS_TEST_DB}" if ON_REAL_REDIS else "memory://"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "PROGRAM_CODE": "cli-test"}
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "rebuild-leaderboards", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await command.communicate()
    assert command.returncode == 0, err.decode()
    if ON_REAL_REDIS:
        # then the member is back on the all-time, weekly and monthly boards
        assert "with 3 entries; removed 0 stale key(s)" in out.decode()
        client = Redis.from_url(redis_url)
        await client.flushdb()
        await client.aclose()
        return
    # then the server holding the boards is asked to rebuild them all (its own Redis is
    # out of this process's reach; tests/api/test_entry_points.py shows it doing so)
    assert "asked the running server to rebuild" in out.decode()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        assert await BoardRefreshRequest.filter(program_id=program.id, member_id=None).count() == 1


async def test_a_burst_of_purchases_by_different_members_all_reach_the_board(paris, redis, caplog):
    # given sixty members whose purchases commit at the same moment
    now = datetime.now(UTC)
    people = [await factories.member(paris, f"m{i}") for i in range(60)]
    published = []
    for who in people:
        with event_bus.recording() as events:
            await factories.purchase(paris, who.id, amount=10_00, now=now)
        published.append(events)
    # when their after-commit updates run concurrently
    with caplog.at_level(logging.WARNING, logger=service.__name__):
        await asyncio.gather(*(service.apply_events(redis, paris, events, now) for events in published))
    # then every one of them is on every board, none given up
    for board in (Board(paris.id, BoardKind.ALL_TIME), weekly(paris, now)):
        assert await redis.zcard(board.ranking_key) == 60
    assert "gave up" not in caplog.text


async def test_concurrent_updates_of_one_member_settle_on_their_latest_total(paris, redis):
    someone = await factories.member(paris, "ana")
    now = datetime.now(UTC)
    published = []
    for cents in (10_00, 20_00, 30_00):
        with event_bus.recording() as events:
            await factories.purchase(paris, someone.id, amount=cents, now=now)
        published.append(events)
    await asyncio.gather(*(service.apply_events(redis, paris, events, now) for events in published * 4))
    assert await listed(redis, Board(paris.id, BoardKind.ALL_TIME)) == [("Member ana", 60)]
    assert await redis.hlen(Board(paris.id, BoardKind.ALL_TIME).entries_key) == 1
