"""One composition root for every entry point (api/bootstrap.py): the API, the `loyalty`
commands and the worker run on the same event handlers, and what a command changes reaches
the boards of a server that keeps them in its embedded Redis."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fakeredis import FakeAsyncRedis, FakeServer

from api.app import create_app
from api.settings import Settings
from challenges import wiring as challenges_wiring
from challenges.goals import Goal, GoalType
from challenges.models import ChallengeProgress
from domain import wiring as domain_wiring
from domain.events import EventBus, event_bus
from domain.unit_of_work import unit_of_work
from tests import factories
from tests.api.subscribers_probe import names
from tests.graphql_client import INTEGRATION, GraphQLClient, member

ROOT = Path(__file__).resolve().parents[2]
BOARD = """query($board: LeaderboardBoard!) { leaderboard(board: $board, first: 10) {
  entries { displayName score } } }"""
RECORD = "mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { __typename } }"


def every_handler() -> dict[str, list[str]]:
    reference = EventBus()
    domain_wiring.register(reference)
    challenges_wiring.register(reference)
    return names(reference.subscribers())


def subscribers_of(command: list[str], database_url: str) -> dict[str, list[str]]:
    """The bus when a command's use case runs, in a process of its own (one backend each)."""
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": "memory://", "LOYALTY_ENV": "test"}
    done = subprocess.run([sys.executable, "-m", "tests.api.subscribers_probe", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith("SUBSCRIBERS ")]
    return json.loads(line.removeprefix("SUBSCRIBERS "))


async def test_the_app_every_command_and_the_worker_run_on_the_same_subscribers(tmp_path):
    # given an empty bus, and a migrated database for the commands
    event_bus.clear()
    unit_of_work.clear()
    url = f"sqlite://{tmp_path}/cli.sqlite3"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "api.cli", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=120)
    # when the API starts, and a command and the worker run their use cases
    app = create_app(Settings(loyalty_env="test", redis_url="memory://"),
                     redis=FakeAsyncRedis(server=FakeServer()), manage_database=False)
    async with app.router.lifespan_context(app):
        seen = {"API": names(event_bus.subscribers())}
    seen["loyalty expire-points"] = subscribers_of(["expire-points"], url)
    seen["loyalty worker"] = subscribers_of(["worker", "--once"], url)
    # then each ran with every handler of every context subscribed, the same ones
    for name, subscribers in seen.items():
        assert subscribers == every_handler(), name
    assert "challenges.progress.on_purchase" in seen["loyalty expire-points"]["PurchaseRecorded"]  # challenges too


# --- a `loyalty` command next to a server with the embedded Redis -------------------------

async def loyalty(database_url: str, *arguments: str) -> str:
    """The command in a process of its own, as a developer runs it beside `make run`."""
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": "memory://", "PROGRAM_CODE": "test",
           "LOYALTY_ENV": "test"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", *arguments, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


def purchases_file(path: Path, rows: list[tuple[object, int, str]]) -> Path:
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["member_id", "amount", "currency", "occurred_at", "idempotency_key"])
        writer.writerows([member_id, amount, "EUR", at, key] for member_id, amount, key in rows)
    return path


@contextlib.asynccontextmanager
async def embedded_server(settings: Settings) -> AsyncIterator[tuple[GraphQLClient, FakeAsyncRedis]]:
    """An API whose boards live in its own in-process Redis (no REDIS_URL), polling for
    what commands changed, as `make run` does."""
    redis = FakeAsyncRedis(server=FakeServer(), decode_responses=True)
    app = create_app(settings.model_copy(update={"redis_url": "memory://"}), redis=redis,
                     manage_database=False, poll_board_refreshes=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield GraphQLClient(http, settings), redis
    await redis.aclose()


async def all_time_board(gql: GraphQLClient, viewer: object) -> dict[str, int]:
    result = await gql.execute(BOARD, {"board": "ALL_TIME"}, as_=member(viewer))
    """Scores by the name the board shows (it names no member id)."""
    return {e["displayName"]: e["score"] for e in result.data["leaderboard"]["entries"]}


async def eventually(probe, expected, seconds: float = 10.0):
    deadline = asyncio.get_running_loop().time() + seconds
    while (seen := await probe()) != expected and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)
    return seen


async def test_loyalty_import_completes_a_challenge(program, database_url, tmp_path):
    # given a member and a challenge to spend 50.00 (running now)
    ana = await factories.member(program)
    challenge = await factories.challenge(program, goal=Goal(GoalType.PURCHASE_AMOUNT, 50_00),
                                          now=datetime.now(UTC))
    file = purchases_file(tmp_path / "day.csv", [(ana.id, 30_00, "till-1"), (ana.id, 25_00, "till-2")])
    # when the end-of-day file is imported by the command
    out = await loyalty(database_url, "import", str(file))
    # then both purchases were recorded and the challenge completed, as through the API
    assert "recorded 2 purchase(s)" in out
    progress = await ChallengeProgress.get(challenge_id=challenge.id, member_id=ana.id)
    assert (progress.value, progress.percent) == (55_00, 100)
    assert progress.completed_at is not None


async def test_an_import_moves_the_boards_of_a_server_with_the_embedded_redis(program, settings, database_url,
                                                                              tmp_path):
    # given a server keeping its boards in its own in-process Redis, and two members
    async with embedded_server(settings) as (gql, _):
        ana, bob = await factories.member(program), await factories.member(program)
        assert await all_time_board(gql, ana.id) == {}
        file = purchases_file(tmp_path / "day.csv", [(ana.id, 40_00, "till-1"), (bob.id, 15_00, "till-2")])
        # when `loyalty import` records purchases in another process
        await loyalty(database_url, "import", str(file))
        # then the server's board shows them within seconds
        expected = {ana.display_name: 40, bob.display_name: 15}
        assert await eventually(lambda: all_time_board(gql, ana.id), expected) == expected


async def test_rebuild_leaderboards_rebuilds_the_boards_of_a_server_with_the_embedded_redis(program, settings,
                                                                                           database_url):
    # given a server with the embedded Redis whose boards were lost after a purchase
    async with embedded_server(settings) as (gql, redis):
        ana = await factories.member(program)
        purchase = {"memberId": str(ana.id), "amount": 20_00, "currency": "EUR",
                    "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(), "idempotencyKey": "r-1"}
        assert (await gql.execute(RECORD, {"input": purchase}, as_=INTEGRATION)).data
        assert await all_time_board(gql, ana.id) == {ana.display_name: 20}
        await redis.flushdb()
        assert await all_time_board(gql, ana.id) == {}
        # when `loyalty rebuild-leaderboards` runs in another process
        out = await loyalty(database_url, "rebuild-leaderboards")
        # then the server rebuilt its own boards from the database
        assert "running server" in out
        expected = {ana.display_name: 20}
        assert await eventually(lambda: all_time_board(gql, ana.id), expected) == expected


@pytest.mark.parametrize("members", [3, 101])
async def test_a_command_asks_for_members_or_for_a_whole_rebuild(program, members):
    from challenges.board_refresh import MAX_MEMBERS, request_refresh
    from challenges.models import BoardRefreshRequest
    from domain.events import PointsEarned

    # given the events of purchases by a few members, or by more than MAX_MEMBERS
    now = datetime.now(UTC)
    events = [PointsEarned(program.id, f"00000000-0000-0000-0000-{n:012d}", n, 10, now, "earn") for n in range(members)]
    # when a process without the server's Redis records them after commit
    await request_refresh(program, events, now)
    # then the server is asked for each member, or for one rebuild when there are many
    asked = await BoardRefreshRequest.all().values_list("member_id", flat=True)
    assert asked == ([None] if members > MAX_MEMBERS else [e.member_id for e in events])
