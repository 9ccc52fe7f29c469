"""Clients that hang up half-way or send their body a byte at a time, against a real
uvicorn server (tests/live_server.py): what they get, and what the log says."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

from prometheus_client import REGISTRY

from tests.log_capture import access_lines, captured_logs, lines
from tests.live_server import live_server

HEAD = (b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 64\r\nX-Request-ID: %s\r\n\r\n")


async def connect(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(base_url)
    return await asyncio.open_connection(parts.hostname, parts.port)


async def access_line_of(logs, request_id: str) -> dict:
    """The server writes its access line once the request is over: wait for it (at most 5 s)."""
    for _ in range(100):
        found = [line for line in access_lines(logs) if line["request_id"] == request_id]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no access line for {request_id}: {lines(logs)}")


async def test_a_client_that_hangs_up_mid_body_is_logged_as_gone_not_as_a_failure(program, settings, redis):
    async with live_server(settings, redis) as base_url:
        with captured_logs() as logs:
            gone_before = REGISTRY.get_sample_value("http_requests_refused_total", {"code": "client_disconnected"}) or 0
            # given a client that announces 64 bytes, sends 10, and hangs up
            reader, writer = await connect(base_url)
            writer.write(HEAD % b"gone-mid-body" + b'{"query": ')
            await writer.drain()
            await asyncio.sleep(0.2)
            writer.close()
            await writer.wait_closed()
            # then the access line says the client left (499), at INFO, not a 500
            line = await access_line_of(logs, "gone-mid-body")
            assert (line["status"], line.get("outcome"), line["level"]) == (499, "client_disconnected", "INFO")
            # and nothing was logged as an error, by the app or by uvicorn
            assert [entry for entry in lines(logs) if entry["level"] in ("ERROR", "CRITICAL")] == []
            # and the metrics count a client that left
            assert REGISTRY.get_sample_value("http_requests_refused_total",
                                             {"code": "client_disconnected"}) == gone_before + 1


async def test_a_body_sent_a_byte_at_a_time_is_cut_off_with_408(program, settings, redis):
    slow = settings.model_copy(update={"body_read_timeout_seconds": 0.5})
    async with live_server(slow, redis) as base_url:
        with captured_logs() as logs:
            # given a client that sends its 64-byte body one byte every 50 ms (3.2 s in all)
            reader, writer = await connect(base_url)
            writer.write(HEAD % b"trickle")
            started = time.monotonic()

            async def trickle() -> None:
                for _ in range(64):
                    writer.write(b" ")
                    await writer.drain()
                    await asyncio.sleep(0.05)

            sender = asyncio.create_task(trickle())
            try:
                # when the server has waited its half second for the whole body
                answer = await asyncio.wait_for(reader.read(), timeout=5)  # to the connection's close
            finally:
                sender.cancel()
                writer.close()
            # then it answered 408 with a JSON error, and closed the connection, long before the body was done
            assert time.monotonic() - started < 2.5
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 ")
            assert json.loads(body) == {"errors": [{
                "message": "the request body did not arrive within 0.5s",
                "extensions": {"code": "REQUEST_TIMEOUT", "timeoutSeconds": 0.5},
            }]}
            # and the operator sees a limit at work (WARNING), with its code
            line = await access_line_of(logs, "trickle")
            assert (line["status"], line.get("outcome"), line["level"]) == (408, "request_timeout", "WARNING")
