"""`make bench`: the API in production settings on PostgreSQL and Redis under a bounded
load, next to two floors measured in the same run. Prints and writes bench/RESULTS.md.

Environment: BENCH_POSTGRES (server URL without a database, default the local server),
BENCH_REDIS (default database 3 of the local Redis, flushed), BENCH_MEMBERS (1,000,000),
BENCH_LOAD_MEMBERS (100,000), BENCH_SECONDS (per scenario, 20), BENCH_CONCURRENCY (64).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis
from tortoise import Tortoise

from api.app import create_app
from api.database import migrate_database, tortoise_config
from api.redis_client import make_redis
from api.schema import schema
from api.settings import Settings
from bench import scenarios
from bench.dataset import fresh_database, member_id, seed
from bench.loadgen import run_load
from bench.processes import Server, start
from bench.report import Row, Target, machine_facts, render
from challenges.leaderboard_service import rebuild
from tests.sql_statements import counting_statements

RESULTS = Path(__file__).with_name("RESULTS.md")
JWT_SECRET = "bench-secret-not-for-production-0123456789"
TARGETS = {
    "recordPurchase": Target(per_second=1000, p99_ms=50),
    "recordPurchases (batches of 100)": Target(per_second=5000),
    "home screen (me)": Target(per_second=1500, p99_ms=30),
    "leaderboard top 10 + me + 5 around (1M board)": Target(p99_ms=10),
}


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def api_environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {"LOYALTY_ENV": "production", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "PROGRAM_CODE": "bench", "JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "WARNING",
            # One till sends the whole load: its cost budget must not be what is measured.
            "COST_BUDGET_CAPACITY": "100000000", "COST_BUDGET_REFILL_PER_SECOND": "100000000"}


def _split(raw: bytes) -> tuple[dict[str, str], bytes]:
    head, body = raw.split(b"\r\n\r\n", 1)
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    return {k: v for k, v in headers.items() if k in ("Authorization", "Content-Type")}, body


async def statements_per_request(settings: Settings, redis: Redis, samples: dict[str, bytes]) -> dict[str, int]:
    """One request of each scenario through the app in this process, its SQL counted."""
    app = create_app(settings, redis=redis, manage_database=False)
    counts = {}
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            for name, raw in samples.items():
                headers, body = _split(raw)
                with counting_statements() as seen:
                    response = await http.post("/graphql", content=body, headers=headers)
                assert b'"errors"' not in response.content, (name, response.content[:300])
                counts[name] = len(seen)
    return counts


async def measure(server: Server, scenario: scenarios.Scenario, concurrency: int, seconds: float,
                  warmup: list[bytes]) -> Row:
    if warmup:
        await run_load(server.port, warmup, concurrency, seconds / 4, scenario.ok)
    print(f"  {scenario.name}: up to {len(scenario.requests):,} requests or {seconds:g} s ...", flush=True)
    result = await run_load(server.port, scenario.requests, concurrency, seconds, scenario.ok)
    print(f"    {result.per_second:,.0f} req/s, p99 {result.percentile(0.99) * 1000:.1f} ms, "
          f"failures {dict(result.failures)}, generator CPU {result.generator_cpu_share * 100:.0f} %", flush=True)
    return Row(scenario.name, result, scenario.items_per_request, None, TARGETS.get(scenario.name, Target()))


async def main() -> None:
    members, load_members = _setting("BENCH_MEMBERS", 1_000_000), _setting("BENCH_LOAD_MEMBERS", 100_000)
    seconds, concurrency = float(_setting("BENCH_SECONDS", 20)), _setting("BENCH_CONCURRENCY", 64)
    workers = os.cpu_count() or 1
    facts = machine_facts()
    server_url = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/3")
    run, now = uuid.uuid4().hex[:8], datetime.now(UTC)

    print(f"seeding {members:,} members into PostgreSQL ...", flush=True)
    database_url = await fresh_database(server_url, "loyalty_bench")
    await migrate_database(database_url)
    await Tortoise.init(config=tortoise_config(database_url))
    dataset = await seed(database_url, members, now)
    redis = make_redis(redis_url)  # the app's own client, with its timeouts
    await redis.flushdb()
    print("rebuilding the leaderboards from the database ...", flush=True)
    started = time.perf_counter()
    summary = await rebuild(redis, dataset.program, now)
    rebuild_seconds = time.perf_counter() - started
    settings = Settings(**{k.lower(): v for k, v in api_environment(database_url, redis_url).items()})
    count = 20 * 1000 * int(seconds)  # more than any scenario sends in `seconds`: time bounds the run
    plan = [
        scenarios.record_purchase(settings, count, load_members, run, now),
        scenarios.record_purchases(settings, max(1, count // 100), load_members, run, now),
        scenarios.home_screen(settings, count, load_members),
        scenarios.leaderboard(settings, count, load_members),
    ]
    samples = {s.name: s.requests[-1] for s in plan}
    samples[plan[0].name] = scenarios.record_purchase(settings, 1, load_members, run + "-count", now).requests[0]
    samples[plan[1].name] = scenarios.record_purchases(settings, 1, load_members, run + "-count", now).requests[0]
    has_batches = "recordPurchases" in schema._schema.mutation_type.fields  # issue #5 adds it
    statements = await statements_per_request(settings, redis, samples if has_batches else
                                              {k: v for k, v in samples.items() if k != plan[1].name})
    await redis.aclose()
    await Tortoise.close_connections()

    floor_env = {"FLOOR_DATABASE_URL": database_url.replace("postgres://", "postgresql://", 1),
                 "FLOOR_PROGRAM_ID": str(dataset.program.id), "FLOOR_MEMBER_ID": member_id(1)}
    floors, rows, peaks = [], [], {}
    for name, app, scenario in (("floor 1", "bench.floors:bare_app", scenarios.floor_bare(count)),
                                ("floor 2", "bench.floors:graphql_app", scenarios.floor_graphql(count))):
        print(f"{name}: {scenario.name}", flush=True)
        server = start(name, app, floor_env, workers)
        try:
            floors.append(await measure(server, scenario, concurrency, seconds, scenario.requests[:2000]))
        finally:
            peaks[name] = server.peak_rss_mb()
            server.stop()
    print("API (production settings):", flush=True)
    server = start("api", "api.main:app", api_environment(database_url, redis_url), workers)
    try:
        warm = scenarios.record_purchase(settings, 2000, load_members, run + "-warm", now).requests
        for scenario in plan:
            if scenario is plan[1] and not has_batches:
                continue
            row = await measure(server, scenario, concurrency, seconds, warm if scenario is plan[0] else [])
            rows.append(Row(row.name, row.result, row.items_per_request, statements.get(row.name), row.target))
    finally:
        peaks["api"] = server.peak_rss_mb()
        server.stop()

    parameters = {"members": f"{members:,} (load spread over the first {load_members:,})",
                  "concurrency": f"{concurrency} connections", "API workers": f"{workers} (uvicorn, one per core)",
                  "time per scenario": f"{seconds:g} s (after a warm-up)", "settings": "LOYALTY_ENV=production"}
    extras = {
        "seeding": f"{dataset.seed_seconds:.1f} s for {members:,} members, entries and lots",
        "leaderboard rebuild": f"{rebuild_seconds:.1f} s for {summary.entries:,} entries on {summary.boards} "
                               f"board(s) (target <= 60 s for 1M: {'met' if rebuild_seconds <= 60 else '**missed**'})",
        "peak RSS per process (MB)": "; ".join(f"{k}: {', '.join(f'{mb:.0f}' for mb in v)}" for k, v in peaks.items())
                                     + " (target <= 250 MB per API process)",
    }
    text = render(facts, parameters, floors, rows, extras)
    RESULTS.write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    asyncio.run(main())
