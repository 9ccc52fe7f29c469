"""Refusals over graphql-transport-ws, in production: each error has its code (a bad
variable was "Unexpected error." before). A syntax error or an unknown operation name
closes the socket with 4400 and the reason, as the protocol says: strawberry's handler
parses the document before the schema sees it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import websockets

from api.auth import Role, mint_token
from tests import factories
from tests.live_server import live_server


@pytest.fixture
def production(settings):
    return settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})


@pytest.fixture
async def production_url(program, production, redis) -> AsyncIterator[str]:
    async with live_server(production, redis) as url:
        yield url


async def first_answer(url: str, token: str, payload: dict) -> dict:
    async with websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        return json.loads(await asyncio.wait_for(ws.recv(), 5))


@pytest.mark.parametrize(("variables", "code"), [
    ({"live": "yes"}, "BAD_USER_INPUT"),
    ({}, "BAD_USER_INPUT"),
])
async def test_a_subscription_with_a_bad_variable_is_refused_with_a_code(program, production, production_url,
                                                                          variables, code):
    # given a member of the app, signed in over a websocket in production
    token = mint_token(production, Role.MEMBER, str((await factories.member(program)).id))
    # when they subscribe with a variable that is not a Boolean, or without it
    query = "subscription S($live: Boolean!) { challengeProgress { value @include(if: $live) } }"
    answer = await first_answer(production_url, token, {"query": query, "variables": variables})
    # then the subscription is refused with a code the app can act on, naming the variable
    assert answer["type"] == "error", answer
    assert [e["extensions"]["code"] for e in answer["payload"]] == [code]
    assert "$live" in answer["payload"][0]["message"]
