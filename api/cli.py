"""The `loyalty` command: serve, migrate, seed, mint dev tokens, expire points."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise

from api.auth import AuthError, Role, max_lifetime, mint_token
from api.bootstrap import Application, Process, bootstrap
from api.database import migrate_database
from api.seed import seed_demo
from api.settings import Settings


async def _with_database(settings: Settings, work: Callable[[Application], Awaitable[None]],
                         process: Process = Process.COMMAND) -> None:
    """Every command runs on the composition root's wiring (api/bootstrap.py): the same
    event handlers and after-commit work as the API."""
    async with bootstrap(settings, process=process).connected() as application:
        await work(application)


def _run(settings: Settings, work: Callable[[Application], Awaitable[None]],
         process: Process = Process.COMMAND) -> None:
    asyncio.run(_with_database(settings, work, process))


DEV_TOKEN_TTL = 8 * 3600


def _print_tokens(settings: Settings, member_id: str) -> None:
    print("\nDev tokens, valid 8 hours. Paste one line into GraphiQL's Headers pane:")
    for role, subject in (
        (Role.MEMBER, member_id),
        (Role.INTEGRATION, "demo-pos"),
        (Role.MARKETER, "demo-marketer"),
        (Role.ADMIN, "demo-admin"),
    ):
        ttl = min(DEV_TOKEN_TTL, max_lifetime(settings, role))  # within JWT_MAX_*_LIFETIME_SECONDS
        header = json.dumps({"Authorization": f"Bearer {mint_token(settings, role, subject, ttl)}"})
        print(f"\n  {role.value} ({subject}):\n  {header}")
    print(f"\nDemo member id: {member_id}\n")
    print("Dates for the README's walkthroughs (UTC; purchases and activities may be dated up to the")
    print("program's maxBackdatingDays, default 30, in the past):")
    for label, value in walkthrough_dates(datetime.now(UTC)).items():
        print(f"  {label + ':':<22} {value}")
    print()


def walkthrough_dates(now: datetime) -> dict[str, str]:
    """Ready-to-paste times the README names ("just now", "last Saturday", ...): fixed
    dates in a walkthrough stop working once they fall out of the back-dating window."""
    def iso(at: datetime) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    at_15 = now.replace(hour=15, minute=0)

    def last(weekday: int) -> datetime:  # the latest weekday 15:00 not after now
        at = at_15 - timedelta(days=(now.weekday() - weekday) % 7)
        return at if at <= now else at - timedelta(days=7)

    midnight = now.replace(hour=0, minute=0)
    return {
        "just now": iso(now),
        "last Saturday": iso(last(5)),
        "last Monday": iso(last(0)),
        "45 days ago": iso(midnight - timedelta(days=45)),  # a campaign's start, a KPI period's
        "in 45 days": iso(midnight + timedelta(days=46) - timedelta(seconds=1)),
        "this time tomorrow": iso(now + timedelta(days=1)),
    }


async def prepare(settings: Settings) -> str:
    """Migrate, seed the demo program, and return the demo member's id."""
    await migrate_database(settings.database_url)
    await Tortoise.close_connections()
    demo_member_id = ""

    async def seed(application: Application) -> None:
        nonlocal demo_member_id
        demo_member_id = str((await seed_demo(settings)).member.id)

    await _with_database(settings, seed)
    return demo_member_id


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from api.observability.logging import configure_logging

    # The app's logging for this process from the start: migrations, and uvicorn's own
    # lines (the supervisor of --workers never imports the app). log_config=None keeps
    # uvicorn from installing its plain-text handlers; the app writes the access line.
    configure_logging(settings)
    member_id = asyncio.run(prepare(settings))
    if not settings.production:  # tokens that work are secrets: never in a production log
        _print_tokens(settings, member_id)
        print(f"GraphiQL: http://{args.host}:{args.port}/graphql\n", flush=True)
    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=args.workers,
                log_config=None, log_level=settings.log_level.lower(), access_log=False,
                proxy_headers=False)


def migrate(args: argparse.Namespace, settings: Settings) -> None:
    async def work() -> None:
        await migrate_database(settings.database_url)
        await Tortoise.close_connections()  # an open SQLite connection's thread keeps the process alive

    asyncio.run(work())
    print("database is up to date")


def seed(args: argparse.Namespace, settings: Settings) -> None:
    member_id = asyncio.run(prepare(settings))
    _print_tokens(settings, member_id)


def token(args: argparse.Namespace, settings: Settings) -> None:
    role = Role(args.role)
    if role == Role.MEMBER and not args.member:
        sys.exit("--member ID is required for --role member")
    subject = args.member if role == Role.MEMBER else (args.subject or f"dev-{role.value}")
    try:
        ttl = args.ttl if args.ttl is not None else min(DEV_TOKEN_TTL, max_lifetime(settings, role))
        print(mint_token(settings, role, subject, ttl_seconds=ttl))
    except AuthError as error:
        sys.exit(str(error))


def expire_points(args: argparse.Namespace, settings: Settings) -> None:
    from domain.points import expire_points as expire

    async def work(application: Application) -> None:
        points = await expire(datetime.now(UTC))
        print(f"expired {points} points")

    _run(settings, work)


def release_holds(args: argparse.Namespace, settings: Settings) -> None:
    from domain.rewards.holds import release_expired_holds

    async def work(application: Application) -> None:
        print(f"released {await release_expired_holds(datetime.now(UTC))} timed-out hold(s)")

    _run(settings, work)


def review_tiers(args: argparse.Namespace, settings: Settings) -> None:
    from domain.tiers import review_due_tiers

    async def work(application: Application) -> None:
        print(f"{await review_due_tiers(await application.program(), datetime.now(UTC))} tier change(s)")

    _run(settings, work)


def worker(args: argparse.Namespace, settings: Settings) -> None:
    import logging

    from api.notifications.worker import run_worker

    if args.batch_size is not None and not 1 <= args.batch_size <= 1000:
        sys.exit("--batch-size must be between 1 and 1000")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request drowns the batches
    if settings.worker_metrics_port:  # push_deliveries_total lives in this process
        import prometheus_client
        prometheus_client.start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)

    async def work(application: Application) -> None:
        report = await run_worker(application, args.once, args.batch_size, args.poll_seconds)
        if report is not None:
            print(f"outbox: {report}")

    _run(settings, work, Process.WORKER)


def remind_expiring(args: argparse.Namespace, settings: Settings) -> None:
    from challenges.notification_triggers import remind_expiring_points

    async def work(application: Application) -> None:
        print(f"queued {await remind_expiring_points(datetime.now(UTC))} expiry reminder(s)")

    _run(settings, work)


def webhook_receiver(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from challenges.delivery.receiver import receiver_app

    if not settings.push_webhook_secret:
        sys.exit("set PUSH_WEBHOOK_SECRET (the same value the worker uses) to verify deliveries")
    print(f"verifying pushes at http://{args.host}:{args.port}/ - Ctrl-C to stop", flush=True)
    app = receiver_app(settings.push_webhook_secret, out=lambda line: print(line, flush=True))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def rebuild_leaderboards(args: argparse.Namespace, settings: Settings) -> None:
    """Redis holds derived state only: recompute every board of the program from the database."""
    from challenges.board_refresh import request_rebuild
    from challenges.leaderboard_service import rebuild

    async def work(application: Application) -> None:
        program, now = await application.program(), datetime.now(UTC)
        if not application.reaches_server_redis:
            # The boards live inside the server process (embedded Redis): it rebuilds them.
            await request_rebuild(program, now)
            print("embedded Redis: asked the running server to rebuild its boards "
                  "(within a few seconds; a server that starts later rebuilds them anyway)")
            return
        summary = await rebuild(application.redis, program, now)
        print(f"rebuilt {summary.boards} board(s) with {summary.entries} entries; "
              f"removed {summary.removed_keys} stale key(s)")

    _run(settings, work)


def import_purchases(args: argparse.Namespace, settings: Settings) -> None:
    from api.purchase_import import BadRow, import_purchases, write_rejected

    async def work(application: Application) -> None:
        # Boards, live updates and metrics follow each chunk's commit (the unit of work).
        try:
            summary = await import_purchases(await application.program(), args.file, datetime.now(UTC))
        except BadRow as bad:
            sys.exit(f"{args.file}: {bad}")
        print(f"recorded {summary.recorded} purchase(s), rejected {len(summary.rejected)}")
        for reason, count in summary.reasons().most_common():
            print(f"  {count} x {reason}")
        if (rejected := write_rejected(args.file, summary)) is not None:
            print(f"rejected rows, with the reason, in {rejected}")

    if not args.file.is_file():
        sys.exit(f"{args.file}: no such file")
    _run(settings, work)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="loyalty", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="migrate, seed the demo program, serve GraphQL")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    run.set_defaults(handler=serve)
    commands.add_parser("migrate", help="apply schema migrations").set_defaults(handler=migrate)
    commands.add_parser("seed", help="migrate and seed the demo program").set_defaults(handler=seed)
    mint = commands.add_parser("token", help="mint a development JWT")
    mint.add_argument("--role", required=True, choices=[r.value for r in Role])
    mint.add_argument("--member", help="member id (the token's sub) for --role member")
    mint.add_argument("--subject", help="client or user id for other roles")
    mint.add_argument("--ttl", type=int, default=None,
                      help="seconds (default 8 hours, within JWT_MAX_*TOKEN_LIFETIME_SECONDS)")
    mint.set_defaults(handler=token)
    commands.add_parser("expire-points", help="expire lots past their date").set_defaults(handler=expire_points)
    commands.add_parser("review-tiers", help="apply due tier reviews (downgrades)").set_defaults(handler=review_tiers)
    commands.add_parser("release-holds", help="give back the points of reward holds the till never answered"
                        ).set_defaults(handler=release_holds)
    commands.add_parser("rebuild-leaderboards", help="recompute every leaderboard in Redis from the database"
                        ).set_defaults(handler=rebuild_leaderboards)
    work = commands.add_parser("worker", help="deliver push notifications from the outbox and run the "
                               "periodic jobs: expire points hourly, expiry reminders daily, hold releases")
    work.add_argument("--once", action="store_true", help="every periodic job once, one batch, then exit")
    work.add_argument("--batch-size", type=int, help="messages claimed at a time (PUSH_BATCH_SIZE)")
    work.add_argument("--poll-seconds", type=float, default=2.0, help="pause when the outbox is empty")
    work.set_defaults(handler=worker)
    commands.add_parser("remind-expiring", help="queue pushes for points expiring within 7 days"
                        ).set_defaults(handler=remind_expiring)
    load = commands.add_parser("import", help="record the purchases of a CSV file (see api/purchase_import.py)")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=import_purchases)
    receive = commands.add_parser("webhook-receiver", help="print verified push webhooks (development)")
    receive.add_argument("--host", default="127.0.0.1")
    receive.add_argument("--port", type=int, default=9000)
    receive.set_defaults(handler=webhook_receiver)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.handler(args, Settings())


if __name__ == "__main__":
    main()
