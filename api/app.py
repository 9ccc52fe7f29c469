"""The Starlette application: GraphQL at /graphql, health checks, lifespan wiring."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise

from api.auth import AuthError, TokenVerifier, bearer_token
from api.context import LoyaltyContext
from api.database import tortoise_config
from api.redis_client import EMBEDDED_URLS, make_redis
from api.schema import build_schema
from api.settings import Settings
from challenges import wiring as challenges_wiring
from domain import wiring as domain_wiring
from challenges.leaderboard_service import rebuild as rebuild_leaderboards
from domain.events import event_bus
from domain.models import Program


class LoyaltyGraphQL(GraphQL):
    def __init__(self, settings: Settings, verifier: TokenVerifier, app: Starlette) -> None:
        super().__init__(build_schema(settings), graphql_ide=None if settings.production else "graphiql",
                         allow_queries_via_get=False)
        self.settings = settings
        self.verifier = verifier
        self.app = app

    async def get_context(self, request: Request | WebSocket, response: Any) -> LoyaltyContext:
        ctx = LoyaltyContext(request=request, settings=self.settings, redis=self.app.state.redis)
        try:
            token = bearer_token(request.headers.get("authorization"))
            if token is not None:
                ctx.principal = self.verifier.verify(token)
        except AuthError as error:
            ctx.auth_error = error
        return ctx

    async def on_ws_connect(self, context: LoyaltyContext) -> UnsetType | dict[str, object] | None:
        """Mobile clients send no headers on websockets: the token comes in
        connection_init as {"Authorization": "Bearer ..."}; a bad one closes with 4403."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        try:
            token = bearer_token(header if isinstance(header, str) else None)
            if token is not None:
                context.principal = self.verifier.verify(token)
                context.auth_error = None
        except AuthError as error:
            raise ConnectionRejectionError({"message": str(error)}) from None
        return UNSET


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when both the database and Redis answer."""
    checks: dict[str, str] = {}
    try:
        await get_connection("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await request.app.state.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)


async def _fill_embedded_boards(settings: Settings, redis: Redis) -> None:
    """The in-process Redis starts empty with every process: derive the boards again."""
    program = await Program.get_or_none(code=settings.program_code)
    if program is not None:
        await rebuild_leaderboards(redis, program, datetime.now(UTC))


def create_app(
    settings: Settings | None = None, *, redis: Redis | None = None, manage_database: bool = True
) -> Starlette:
    """`manage_database=False` leaves the ORM to the caller (tests own their database)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.redis = redis or make_redis(settings.redis_url)
        domain_wiring.register(event_bus)
        challenges_wiring.register(event_bus)
        async with contextlib.AsyncExitStack() as stack:
            if manage_database:
                # Request tasks don't inherit the lifespan's context: RegisterTortoise
                # enables the ORM's global fallback so they find the connections.
                await stack.enter_async_context(
                    RegisterTortoise(app, config=tortoise_config(settings.database_url))
                )
                if settings.redis_url in EMBEDDED_URLS:
                    await _fill_embedded_boards(settings, app.state.redis)
            try:
                yield
            finally:
                if redis is None:
                    await app.state.redis.aclose()

    app = Starlette(lifespan=lifespan)
    graphql = LoyaltyGraphQL(settings, TokenVerifier(settings), app)
    app.router.routes.extend([
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ])
    return app
