"""Servers under test: uvicorn with one worker per core, and what they cost in memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import free_port


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int

    def workers(self) -> list[int]:
        """The worker processes, without multiprocessing's resource tracker."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        return [pid for pid in pids if b"resource_tracker" not in _cmdline(pid)]

    def peak_rss_mb(self) -> list[float]:
        """VmHWM of each worker: the most resident memory it ever held."""
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status")
            for line in status.read_text().splitlines() if status.exists() else []:
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def start(name: str, app: str, env: dict[str, str], workers: int, ready_path: str = "/graphql") -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=None,
    )
    server = Server(name, process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} at start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
        except urllib.error.HTTPError:
            pass  # answering, even if not with 200 to a bare GET
        except OSError:
            time.sleep(0.2)
            continue
        if len(server.workers()) >= workers:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within 60 s")
