"""A websocket message nested a thousand deep: the same JSON limit as HTTP bodies."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.log_capture import captured_logs, lines
from tests.live_server import live_server


async def test_a_deeply_nested_websocket_message_closes_the_socket_as_invalid_json(program, settings, redis):
    async with live_server(settings, redis) as base_url:
        with captured_logs() as logs:
            ws = await websockets.connect(base_url.replace("http", "ws") + "/graphql",
                                          subprotocols=["graphql-transport-ws"])
            # when a client's connection_init nests its payload 1,000 arrays deep
            await ws.send('{"type": "connection_init", "payload": ' + "[" * 1000 + "]" * 1000 + "}")
            # then the server closes the socket as for any message that is not JSON (4400)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
            # and logs no traceback: the decoder did not blow the stack
            await asyncio.sleep(0.1)
            assert [line for line in lines(logs) if line.get("exc_info")] == []
