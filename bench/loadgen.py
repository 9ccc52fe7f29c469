"""A lean HTTP/1.1 load generator: keep-alive connections sending requests built before
the clock starts.

A Python HTTP client (httpx, aiohttp) spends about as much CPU per request as the API it
measures; on a 2-core machine it would become the bottleneck. This one writes prepared
bytes and reads each response by its Content-Length, so it needs a fraction of a core;
`LoadResult.generator_cpu` reports how much, so a reader can check.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import resource
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


def post(path: str, payload: dict, headers: dict[str, str], host: str = "127.0.0.1") -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class LoadResult:
    sent: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    failures: Counter[str] = field(default_factory=Counter)  # http status or "graphql-error"
    wall_seconds: float = 0.0
    generator_cpu_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")

    @property
    def generator_cpu_share(self) -> float:
        """The generator's CPU time over wall time: 1.0 is one core fully busy."""
        return self.generator_cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length) if length else b""


async def _connection(port: int, requests: Iterator[bytes], result: LoadResult, deadline: float,
                      ok: bytes | None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            writer.write(request)
            status, body = await _read_response(reader)
            result.sent += 1
            if status != 200:
                result.failures[str(status)] += 1
            elif b'"errors"' in body or (ok is not None and ok not in body):
                result.failures["graphql-error"] += 1
                if len(result.failures) == 1 and result.failures["graphql-error"] == 1:
                    print(f"    first failing response: {body[:300]!r}")
            else:
                result.latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def run_load(port: int, requests: Sequence[bytes], concurrency: int, max_seconds: float,
                   ok: bytes | None = None) -> LoadResult:
    """Send each request once (bounded in count) over `concurrency` connections, stopping
    early at `max_seconds` (bounded in time). `ok`: bytes a successful body must contain."""
    shared = iter(requests)  # one iterator: connections take turns, no request is sent twice
    result = LoadResult()
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    deadline = started + max_seconds
    await asyncio.gather(*(_connection(port, shared, result, deadline, ok) for _ in range(concurrency)))
    result.wall_seconds = time.perf_counter() - started
    result.generator_cpu_seconds = _cpu_seconds() - cpu_before
    return result


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def batched(items: Sequence[bytes], repeat: int) -> list[bytes]:
    """The same requests again, for read-only scenarios that may repeat."""
    return list(itertools.islice(itertools.cycle(items), len(items) * repeat))
