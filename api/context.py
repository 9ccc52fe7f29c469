"""What every resolver gets: the caller, the program, per-request caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.websockets import WebSocket

from api.auth import AuthError, Principal
from api.settings import Settings
from domain.idempotency import caller_scope
from domain.models import Program, Tier
from domain.tiers import list_tiers


@dataclass
class LoyaltyContext:
    request: Request | WebSocket
    settings: Settings
    redis: Redis
    principal: Principal | None = None
    auth_error: AuthError | None = None
    # Set by strawberry from a websocket's connection_init payload.
    connection_params: dict[str, object] | None = None
    _program: Program | None = field(default=None, repr=False)
    _tiers: list[Tier] | None = field(default=None, repr=False)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @property
    def idempotency_scope(self) -> str:
        """The caller's own space of idempotency keys (authenticated resolvers only)."""
        assert self.principal is not None
        return caller_scope(self.principal.role.value, self.principal.subject)

    async def program(self) -> Program:
        if self._program is None:
            self._program = await Program.get(code=self.settings.program_code)
        return self._program

    async def tiers(self) -> list[Tier]:
        """All tiers of the program, loaded once per request (members share them)."""
        if self._tiers is None:
            self._tiers = await list_tiers((await self.program()).id)
        return self._tiers

    def forget_tiers(self) -> None:
        """After a tier change in this request, reload the list on next use."""
        self._tiers = None
