"""The `loyalty` command: serve, migrate, seed, mint dev tokens, expire points."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from tortoise import Tortoise

from api.auth import Role, mint_token
from api.database import migrate_database, tortoise_config
from api.seed import seed_demo
from api.settings import Settings


async def _with_database(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        await work()
    finally:
        await Tortoise.close_connections()


def _print_tokens(settings: Settings, member_id: str) -> None:
    print("\nDev tokens, valid 8 hours. Paste one line into GraphiQL's Headers pane:")
    for role, subject in (
        (Role.MEMBER, member_id),
        (Role.INTEGRATION, "demo-pos"),
        (Role.MARKETER, "demo-marketer"),
        (Role.ADMIN, "demo-admin"),
    ):
        header = json.dumps({"Authorization": f"Bearer {mint_token(settings, role, subject)}"})
        print(f"\n  {role.value} ({subject}):\n  {header}")
    print(f"\nDemo member id: {member_id}\n")


async def prepare(settings: Settings) -> str:
    """Migrate, seed the demo program, and return the demo member's id."""
    await migrate_database(settings.database_url)
    await Tortoise.close_connections()
    demo_member_id = ""

    async def seed() -> None:
        nonlocal demo_member_id
        demo_member_id = str((await seed_demo(settings)).member.id)

    await _with_database(settings, seed)
    return demo_member_id


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    member_id = asyncio.run(prepare(settings))
    _print_tokens(settings, member_id)
    print(f"GraphiQL: http://{args.host}:{args.port}/graphql\n")
    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=args.workers,
                log_level="info", proxy_headers=False)


def migrate(args: argparse.Namespace, settings: Settings) -> None:
    asyncio.run(migrate_database(settings.database_url))
    print("database is up to date")


def seed(args: argparse.Namespace, settings: Settings) -> None:
    member_id = asyncio.run(prepare(settings))
    _print_tokens(settings, member_id)


def token(args: argparse.Namespace, settings: Settings) -> None:
    role = Role(args.role)
    if role == Role.MEMBER and not args.member:
        sys.exit("--member ID is required for --role member")
    subject = args.member if role == Role.MEMBER else (args.subject or f"dev-{role.value}")
    print(mint_token(settings, role, subject, ttl_seconds=args.ttl))


def expire_points(args: argparse.Namespace, settings: Settings) -> None:
    from domain.points import expire_points as expire

    async def work() -> None:
        points = await expire(datetime.now(UTC))
        print(f"expired {points} points")

    asyncio.run(_with_database(settings, work))


def review_tiers(args: argparse.Namespace, settings: Settings) -> None:
    from domain.programs import get_or_create_program
    from domain.tiers import review_due_tiers

    async def work() -> None:
        program = await get_or_create_program(settings.program_code, settings.program_name)
        print(f"{await review_due_tiers(program, datetime.now(UTC))} tier change(s)")

    asyncio.run(_with_database(settings, work))


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
    mint.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    mint.set_defaults(handler=token)
    commands.add_parser("expire-points", help="expire lots past their date").set_defaults(handler=expire_points)
    commands.add_parser("review-tiers", help="apply due tier reviews (downgrades)").set_defaults(handler=review_tiers)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.handler(args, Settings())


if __name__ == "__main__":
    main()
