"""One client for API tests: real HTTP through the ASGI app, real signed JWTs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from redis.asyncio import Redis

from api.app import create_app
from api.auth import Role, mint_token
from api.settings import Settings


@dataclass
class GraphQLResult:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        assert not self.body.get("errors"), self.body.get("errors")
        return self.body["data"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


@dataclass(frozen=True)
class Caller:
    role: Role
    subject: str


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http = http
        self.settings = settings

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, settings: Settings, redis: Redis) -> AsyncIterator[GraphQLClient]:
        app = create_app(settings, redis=redis, manage_database=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield cls(http, settings)

    def token(self, caller: Caller | None) -> str | None:
        return mint_token(self.settings, caller.role, caller.subject) if caller else None

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        as_: Caller | None = None,
        token: str | None = None,
    ) -> GraphQLResult:
        token = token or self.token(as_)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        return GraphQLResult(response.status_code, response.json())


def member(member_id: Any) -> Caller:
    return Caller(Role.MEMBER, str(member_id))


INTEGRATION = Caller(Role.INTEGRATION, "pos-test")
MARKETER = Caller(Role.MARKETER, "marketer-test")
ADMIN = Caller(Role.ADMIN, "admin-test")
