"""A webhook receiver for watching pushes arrive on a laptop (`loyalty webhook-receiver`).

It checks each delivery's signature and timestamp, prints the verified ones, drops
repeats by idempotency key (as a real receiver should), and answers 401 to forgeries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from challenges.delivery.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

Printer = Callable[[str], None]


def describe(delivery: dict[str, Any]) -> str:
    return (f"[{delivery.get('category')}] {delivery.get('title')} - {delivery.get('body')}"
            f"  (member {delivery.get('member_id')}, {delivery.get('idempotency_key')},"
            f" attempt {delivery.get('attempt')})")


def receiver_app(secret: str, out: Printer = print, clock: Callable[[], float] = time.time) -> Starlette:
    seen: set[str] = set()

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        headers = request.headers
        if not verify(secret, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), body, clock()):
            out("REFUSED: bad or stale signature")
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = headers.get(IDEMPOTENCY_HEADER, "")
        if key in seen:
            out(f"repeat of {key}: acknowledged, not shown again")
            return JSONResponse({"status": "duplicate"})
        seen.add(key)
        out(describe(json.loads(body)))
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])
