"""The Starlette application: GraphQL at /graphql, health checks, metrics, the guards
around every request (body size, request id, time limit), lifespan wiring."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import UTC, datetime
from collections.abc import AsyncIterator
from typing import Any

from cross_web import HTTPException
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.async_base_view import AsyncHTTPRequestAdapter
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise

from api.auth import AuthError, TokenVerifier, bearer_token
from api.bootstrap import bootstrap
from api.context import LoyaltyContext
from api.limits import json_depth
from api.limits.body_limit import BodySizeLimit
from api.limits.refusal import RequestRefused, refusal_response
from api.limits.timeout import within_timeout
from api.observability.logging import configure_logging
from api.observability.metrics import metrics_endpoint
from api.observability.operations import outcome_of, record_operation
from api.observability.request_id import RequestIdMiddleware, internal_error
from api.schema import build_schema
from api.settings import Settings
from challenges.board_refresh import POLL_SECONDS, BoardRefresher
from challenges.leaderboard_service import rebuild as rebuild_leaderboards
from domain.models import Program
from domain.unit_of_work import unit_of_work


class LoyaltyGraphQL(GraphQL):
    def __init__(self, settings: Settings, verifier: TokenVerifier, app: Starlette) -> None:
        # Queries over GET let the app fetch persisted queries as cacheable URLs;
        # strawberry never runs a mutation sent by GET.
        super().__init__(build_schema(settings), graphql_ide=None if settings.production else "graphiql",
                         allow_queries_via_get=True)
        self.settings = settings
        self.verifier = verifier
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a refused HTTP request is answered in JSON with a code
        (strawberry answers its own refusals in plain text)."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            response = refusal_response(error)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """Every JSON document a client sends: bodies, GET parameters, websocket messages."""
        return json_depth.decode(data, self.settings.max_json_depth)

    def parse_json(self, data: str | bytes) -> Any:
        """A POST body (bytes), or a GET request's variables or extensions (str)."""
        try:
            value = self.decode_json(data)
        except json_depth.JsonTooDeep as error:
            raise RequestRefused(400, error.msg, "JSON_TOO_DEEP", maxDepth=error.max_depth) from None
        except json.JSONDecodeError as error:
            where = f" at line {error.lineno} column {error.colno}" if error.doc else ""
            raise RequestRefused(400, f"the request is not valid JSON: {error.msg}{where}", "INVALID_JSON") from None
        # strawberry reads the request's fields with .get(): a body of `1` or `null` would be
        # a 500. `variables=null` in a URL is allowed: it means no variables.
        if value is None and isinstance(data, str):
            return None
        if not (isinstance(value, dict) or (isinstance(value, list) and all(isinstance(v, dict) for v in value))):
            raise RequestRefused(400, "a GraphQL request is a JSON object (or a list of them in a batch)",
                                 "BAD_REQUEST")
        return value

    async def get_context(self, request: Request | WebSocket, response: Any) -> LoyaltyContext:
        ctx = LoyaltyContext(request=request, settings=self.settings, redis=self.app.state.redis)
        try:
            token = bearer_token(request.headers.get("authorization"))
            if token is not None:
                ctx.principal = self.verifier.verify(token)
        except AuthError as error:
            ctx.auth_error = error
        return ctx

    async def execute_single(  # noqa: PLR0917 - strawberry's signature
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: LoyaltyContext,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One HTTP operation, within the time limit, counted and logged."""
        started = time.perf_counter()
        try:
            # One unit of work per operation: the use cases inside commit on their own, and
            # their after-commit work runs once at the end with the request's program.
            async with unit_of_work.scope(context.program):
                result = await within_timeout(self.settings.request_timeout_seconds, super().execute_single(
                    request=request, request_adapter=request_adapter, sub_response=sub_response,
                    context=context, root_value=root_value, request_data=request_data,
                ))
        except HTTPException:
            record_operation(request_data, "bad_request", context, time.perf_counter() - started)
            raise
        record_operation(request_data, outcome_of(result.errors), context, time.perf_counter() - started)
        return result

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
    settings: Settings | None = None, *, redis: Redis | None = None, manage_database: bool = True,
    poll_board_refreshes: bool | None = None,
) -> Starlette:
    """`manage_database=False` leaves the ORM to the caller (tests own their database).
    `poll_board_refreshes`: apply the boards that `loyalty` commands changed (embedded Redis
    only; by default when the app manages its database, i.e. `make run`)."""
    settings = settings or Settings()
    if manage_database:
        # A process that owns its database owns its logging too; tests own both.
        configure_logging(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        application = bootstrap(settings, redis=redis)  # the composition root: api/bootstrap.py
        app.state.application = application
        app.state.redis = application.redis
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(application.aclose)
            if manage_database:
                # Request tasks don't inherit the lifespan's context: RegisterTortoise
                # enables the ORM's global fallback so they find the connections.
                await stack.enter_async_context(
                    RegisterTortoise(app, config=application.database)
                )
            polling = manage_database if poll_board_refreshes is None else poll_board_refreshes
            if application.embedded_redis and polling:
                refresher = BoardRefresher(application.redis, settings.program_code)
                # Before the start-up rebuild, which covers the requests written until then.
                if await refresher.start():
                    stop = asyncio.Event()
                    task = asyncio.create_task(refresher.run(POLL_SECONDS, stop))

                    async def stop_polling() -> None:
                        stop.set()
                        await task

                    stack.push_async_callback(stop_polling)
            if manage_database and application.embedded_redis:
                await _fill_embedded_boards(settings, application.redis)
            yield

    # Outermost first: every response carries a request id, even a 413.
    app = Starlette(lifespan=lifespan, exception_handlers={Exception: internal_error}, middleware=[
        Middleware(RequestIdMiddleware),
        Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                   read_timeout_seconds=settings.body_read_timeout_seconds),
    ])
    graphql = LoyaltyGraphQL(settings, TokenVerifier(settings), app)
    app.router.routes.extend([
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        # Unauthenticated: bind it to a private network or let the proxy keep it inside.
        Route("/metrics", metrics_endpoint),
    ])
    return app
