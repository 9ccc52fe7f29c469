"""The API under fuzzing: `loyalty serve` in production settings in a process of its own,
one for the fuzz package (both modes share it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.auth import Role, mint_token
from api.seed import DEMO_MEMBER
from api.settings import Settings
from tests.conftest import ON_POSTGRES, _admin_execute, _drop_database, _server_url
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "fuzz-secret-not-for-production-0123456789"


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


@pytest.fixture(scope="package")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`loyalty serve` (migrate, seed the demo, uvicorn) in production settings: the URL of
    /graphql and a token per caller (an admin, the demo member)."""
    port, folder = free_port(), tmp_path_factory.mktemp("fuzz")
    for database_url in _database_url(folder):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "LOYALTY_ENV": "production", "DATABASE_URL": database_url,
               "REDIS_URL": "memory://", "JWT_SECRET": JWT_SECRET, "COST_BUDGET_REFILL_PER_SECOND": "1000000",
               "LOG_LEVEL": "WARNING"}
        log = folder / "serve.log"
        process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                                   cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
        try:
            _wait_until_serving(process, port, log)
            settings = Settings(jwt_secret=JWT_SECRET, loyalty_env="production")
            url, admin = f"http://127.0.0.1:{port}/graphql", mint_token(settings, Role.ADMIN, "fuzz-admin")
            member_id = _demo_member_id(url, admin)
            yield url, {"admin": admin, "member": mint_token(settings, Role.MEMBER, member_id)}
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"loyalty serve exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"loyalty serve did not come up:\n{log.read_text()}")


def _demo_member_id(url: str, admin_token: str) -> str:
    """The seeded demo member, asked of the API (production prints no ids or tokens)."""
    request = urllib.request.Request(url, method="POST", headers={
        "Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
        data=json.dumps({"query": '{ member(externalId: "%s") { id } }' % DEMO_MEMBER.external_id}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]["member"]["id"]
