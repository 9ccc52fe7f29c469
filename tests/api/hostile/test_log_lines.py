"""What operators read: one JSON object a line, whoever writes it and whatever fails, and
an access line whose level says whether anyone has to act."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from api.app import create_app
from api.observability.logging import configure_logging
from api.settings import Settings
from tests.log_capture import access_lines, captured_logs
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


async def fail(request) -> None:
    raise RuntimeError("a bug")


@pytest.fixture
async def http(program, settings, redis) -> AsyncIterator[httpx.AsyncClient]:
    """The app with one route that fails, answering as a server would (no exception raised
    into the test)."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048}), redis=redis, manage_database=False)
    app.router.routes.append(Route("/fail", fail))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_the_access_line_level_follows_the_outcome(http: httpx.AsyncClient):
    json_body = {"Content-Type": "application/json"}
    with captured_logs() as logs:
        # when one client is served, one sends malformed JSON, one too large a body, one too deep a
    # query, and one hits a bug
        await http.post("/graphql", json={"query": "query Fine { __typename }"})
        await http.post("/graphql", content=b"{oops", headers=json_body)
        await http.post("/graphql", content=b'{"query": "' + b"x" * 4096 + b'"}', headers=json_body)
        await http.post("/graphql", json={"query": "{ " + "me { " * 20 + "id" + " }" * 21})
        failed = await http.get("/fail", headers={"X-Request-ID": "req-bug"})
    # then a served request and a client's mistake are INFO, a limit (HTTP or GraphQL) WARNING, the bug ERROR
    seen = [(line["status"], line.get("outcome"), line["level"]) for line in access_lines(logs)]
    assert seen == [
        (200, "ok", "INFO"),
        (400, "invalid_json", "INFO"),
        (413, "payload_too_large", "WARNING"),
        (200, "query_too_deep", "WARNING"),
        (500, None, "ERROR"),
    ]
    # and the client of the bug gets a JSON error naming the request id to quote, in body and header
    assert failed.status_code == 500
    assert failed.headers["x-request-id"] == "req-bug"
    assert failed.json() == {"errors": [{"message": "Internal server error",
                                         "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-bug"}}]}


def test_uvicorn_and_a_traceback_write_one_json_object_a_line(tmp_path: Path):
    # given the app served by uvicorn the way production runs it (its own log config, no flags)
    env = {**os.environ, "LOYALTY_ENV": "production", "JWT_SECRET": secrets.token_hex(32),
           "DATABASE_URL": f"sqlite://{tmp_path}/loyalty.sqlite3", "REDIS_URL": "memory://"}
    subprocess.run([BIN / "loyalty", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([BIN / "uvicorn", "tests.api.hostile.failing_app:app", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):  # at most ~20 s
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        # when a request hits a bug whose message quotes a credential
        response = httpx.get(f"http://127.0.0.1:{port}/fail", headers={"X-Request-ID": "req-trace"}, timeout=5)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    assert response.status_code == 500
    # then every line the server wrote, on either stream, is one JSON object
    written = [line for line in (out + err).splitlines() if line.strip()]
    records = [json.loads(line) for line in written]  # fails on the first line that is not JSON
    # and uvicorn's own lines are among them
    assert any(r["logger"] == "uvicorn.error" and r["message"].startswith("Started server process") for r in records)
    # and the traceback is a field of the one ERROR line that tells of the failure, with the request id
    [failure] = [r for r in records if r.get("exc_info")]
    assert (failure["level"], failure["logger"], failure["request_id"]) == ("ERROR", "uvicorn.error", "req-trace")
    assert failure["exc_info"].startswith("Traceback") and "RuntimeError" in failure["exc_info"]
    # and the credential is blanked there too
    assert "abc.def.ghi" not in out + err
    # and the access line of that request is an ERROR (no second access line from uvicorn)
    [access] = [r for r in records if r["logger"] == "loyalty.access" and r["request_id"] == "req-trace"]
    assert (access["status"], access["level"]) == (500, "ERROR")
    assert not [r for r in records if r["logger"] == "uvicorn.access"]


def test_uvicorns_log_config_file_and_the_app_write_each_line_once(capsys):
    # given a process set up as `uvicorn --workers N --log-config api/observability/uvicorn_log_config.json`
    # sets up its supervisor and then each worker, which imports the app (configure_logging)
    root = logging.getLogger()
    saved = [(logger, list(logger.handlers), logger.propagate, logger.level)
             for logger in (root, *(logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "uvicorn.access")))]
    try:
        logging.config.dictConfig(json.loads((ROOT / "api/observability/uvicorn_log_config.json").read_text()))
        configure_logging(Settings(loyalty_env="test"))
        # when uvicorn's supervisor and the app each log a line
        logging.getLogger("uvicorn.error").info("Started parent process [1]")
        logging.getLogger("loyalty.test").warning("from the app")
    finally:
        for logger, handlers, propagate, level in saved:
            logger.handlers[:] = handlers
            logger.propagate, logger.level = propagate, level
    # then each is written once, as JSON
    written = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["logger"], r["message"]) for r in written] == [
        ("uvicorn.error", "Started parent process [1]"), ("loyalty.test", "from the app")]


def test_a_process_that_dies_of_an_exception_says_so_in_one_json_line():
    # given a server process with the app's logging (as `loyalty serve` and the app set it up)
    script = ("from api.observability.logging import configure_logging\n"
              "from api.settings import Settings\n"
              "configure_logging(Settings(loyalty_env='test'))\n"
              "raise RuntimeError('the migration broke')\n")
    # when it dies of an exception nobody caught (a failed start-up)
    died = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    # then it still fails, and what it wrote is one JSON line holding the traceback, nothing on stderr
    assert died.returncode != 0
    assert died.stderr == ""
    [record] = [json.loads(line) for line in died.stdout.splitlines()]
    assert (record["level"], record["logger"]) == ("CRITICAL", "loyalty")
    assert "RuntimeError: the migration broke" in record["exc_info"]
