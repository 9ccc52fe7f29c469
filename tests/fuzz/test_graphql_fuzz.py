"""Schemathesis generates queries and mutations from schema.graphql, with arbitrary
arguments, against the API running in production settings in a process of its own:
no request may end in a 5xx or an unexplained (masked) error, as an admin or as a member.

Bounded: FUZZ_EXAMPLES examples per root field (default 10; CI runs the default).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from graphql import language
from hypothesis import strategies as st

from api.auth import Role, mint_token
from api.settings import Settings
from tests.conftest import DATABASE_URL, ON_POSTGRES, _admin_execute, _drop_database, _server_url
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "fuzz-secret-not-for-production-0123456789"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
MASKED = "Unexpected error."  # what production shows for an exception nobody explained



def _value_node(value: object) -> language.ValueNode:
    """A JSON value as a GraphQL literal, for the JSON scalar (rules, attributes, answers)."""
    match value:
        case None:
            return language.NullValueNode()
        case bool():
            return language.BooleanValueNode(value=value)
        case int():
            return language.IntValueNode(value=str(value))
        case str():
            return language.StringValueNode(value=value)
        case list():
            return language.ListValueNode(values=tuple(_value_node(v) for v in value))
        case dict():
            return language.ObjectValueNode(fields=tuple(
                language.ObjectFieldNode(name=language.NameNode(value=k), value=_value_node(v))
                for k, v in value.items()))
    raise TypeError(value)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), inner, max_size=3),
    max_leaves=8,
)
schemathesis.graphql.scalar("JSON", _json.map(_value_node))
schema = schemathesis.graphql.from_path(ROOT / "schema.graphql")


def _database_url(tmp: Path) -> Iterator[str]:
    if not ON_POSTGRES:
        yield f"sqlite://{tmp}/fuzz.sqlite3"
        return
    import asyncio

    name = f"loyalty_fuzz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{_server_url()}/{name}"
    finally:
        asyncio.run(_drop_database(name))


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`loyalty serve` (migrate, seed the demo, uvicorn) in production settings."""
    port, folder = free_port(), tmp_path_factory.mktemp("fuzz")
    for database_url in _database_url(folder):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "LOYALTY_ENV": "production", "DATABASE_URL": database_url, "REDIS_URL": "memory://",
               "JWT_SECRET": JWT_SECRET, "COST_BUDGET_REFILL_PER_SECOND": "1000000", "LOG_LEVEL": "WARNING"}
        log = folder / "serve.log"
        process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                                   cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
        try:
            member_id = _wait_until_serving(process, port, log)
            settings = Settings(jwt_secret=JWT_SECRET, loyalty_env="production")
            tokens = {"admin": mint_token(settings, Role.ADMIN, "fuzz-admin"),
                      "member": mint_token(settings, Role.MEMBER, member_id)}
            yield f"http://127.0.0.1:{port}/graphql", tokens
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> str:
    """The demo member's id, read from what `serve` prints, once /healthz answers."""
    member_id, deadline = None, time.monotonic() + 120
    while time.monotonic() < deadline:
        output = log.read_text()
        if process.poll() is not None:
            raise RuntimeError(f"loyalty serve exited:\n{output}")
        member_id = member_id or next(iter(re.findall(r"member id:?\s*([0-9a-f-]{36})", output)), None)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            if member_id:
                return member_id
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"loyalty serve did not come up:\n{output}")


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_no_request_ends_in_a_server_error_or_an_unexplained_error(case, api_server):
    base_url, tokens = api_server
    for caller, token in tokens.items():
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (caller, case.body, response.text[:500])
        errors = response.json().get("errors") or []
        unexplained = [e for e in errors if e.get("message") == MASKED]
        assert not unexplained, (caller, case.body, errors)
