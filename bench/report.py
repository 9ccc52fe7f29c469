"""Machine facts and the results table, printed and written to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.loadgen import LoadResult


@dataclass(frozen=True)
class Target:
    per_second: float | None = None  # items (purchases or requests) per second, at least
    p99_ms: float | None = None  # at most

    def describe(self) -> str:
        parts = []
        if self.per_second:
            parts.append(f">= {self.per_second:,.0f}/s")
        if self.p99_ms:
            parts.append(f"p99 <= {self.p99_ms:g} ms")
        return ", ".join(parts) or "-"

    def met(self, items_per_second: float, p99_ms: float) -> bool:
        return ((self.per_second is None or items_per_second >= self.per_second)
                and (self.p99_ms is None or p99_ms <= self.p99_ms))


@dataclass(frozen=True)
class Row:
    name: str
    result: LoadResult
    items_per_request: int
    statements: int | None
    target: Target

    @property
    def items_per_second(self) -> float:
        return self.result.per_second * self.items_per_request


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_facts() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": _run(["psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "-c", "SHOW server_version"]),
        "redis": _run(["redis-server", "--version"]).split(" v=")[-1].split(" ")[0],
        "commit": _run(["git", "rev-parse", "--short", "HEAD"]),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def render(facts: dict[str, str], parameters: dict[str, str], floors: list[Row], rows: list[Row],
           extras: dict[str, str]) -> str:
    baseline = floors[-1].items_per_second if floors else 0.0
    lines = ["# Benchmark results", "", "Written by `make bench` (bench/run.py); the explanation of each miss "
             "is in bench/README.md. Figures from one shared, noisy 2-core machine: compare the ratios, "
             "which are measured in the same run, more than the absolute numbers.", "", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += ["", "## Parameters", ""] + [f"- {key}: {value}" for key, value in parameters.items()]
    lines += ["", "## Results", "",
              "| scenario | requests/s | items/s | p50 ms | p95 ms | p99 ms | SQL/request | ratio to floor 2 "
              "| failures | generator CPU | target | met |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in floors + rows:
        r = row.result
        ratio = f"{row.items_per_second / baseline:.2f}" if baseline else "-"
        met = "-" if row in floors else ("yes" if row.target.met(row.items_per_second, r.percentile(0.99) * 1000) else "**no**")
        lines.append(
            f"| {row.name} | {r.per_second:,.0f} | {row.items_per_second:,.0f} | {_ms(r.percentile(0.5))} | "
            f"{_ms(r.percentile(0.95))} | {_ms(r.percentile(0.99))} | "
            f"{row.statements if row.statements is not None else '-'} | {ratio} | {sum(r.failures.values())} | "
            f"{r.generator_cpu_share * 100:.0f} % | {row.target.describe()} | {met} |")
    lines += ["", "## Other figures", ""] + [f"- {key}: {value}" for key, value in extras.items()]
    return "\n".join(lines) + "\n"
