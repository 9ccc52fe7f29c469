"""`loyalty import purchases.csv`: an end-of-day file from a till or a shop, recorded in
batches of `domain.purchase_batches.MAX_BATCH`, with a progress bar and a summary.

Columns (header row required): member_id, amount (minor units), currency, occurred_at
(ISO 8601 with offset), idempotency_key; optional: channel, partner_code. Rows that
cannot be recorded are written, with the reason, to `<file>.rejected.csv`; importing the
same file again records only what is missing (every row is idempotent on its key).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from api.input_guard import text_problem
from domain.errors import DomainError
from domain.models import Program
from domain.purchase_batches import MAX_BATCH, record_purchases
from domain.purchases import Channel, PurchaseReport
from domain.unit_of_work import unit_of_work

REQUIRED = ("member_id", "amount", "currency", "occurred_at", "idempotency_key")


class BadRow(ValueError):
    pass


@dataclass
class ImportSummary:
    recorded: int = 0
    rejected: list[tuple[int, dict[str, str], str]] = field(default_factory=list)  # line, row, reason

    def reasons(self) -> Counter[str]:
        return Counter(reason.split(":")[0] for _, _, reason in self.rejected)


def parse_row(row: dict[str, str]) -> PurchaseReport:
    """One CSV row as a purchase report; BadRow names the column that is wrong."""
    def text(column: str) -> str:
        value = (row.get(column) or "").strip()
        # The same rule as every GraphQL string input (api/input_guard.py): a NUL would
        # otherwise fail inside PostgreSQL and take the whole chunk's transaction with it.
        if (problem := text_problem(value)) is not None:
            raise BadRow(f"{column}: {problem}")
        return value

    try:
        amount = int(text("amount"))
    except ValueError:
        raise BadRow(f"amount: {text('amount')!r} is not a whole number of minor units") from None
    try:
        occurred_at = datetime.fromisoformat(text("occurred_at"))
    except ValueError:
        raise BadRow(f"occurred_at: {text('occurred_at')!r} is not an ISO 8601 time") from None
    try:
        channel = Channel(text("channel") or Channel.POS.value)
    except ValueError:
        raise BadRow(f"channel: {text('channel')!r} is not one of {', '.join(c.value for c in Channel)}") from None
    return PurchaseReport(member_id=text("member_id"), amount=amount, currency=text("currency").upper(),
                          occurred_at=occurred_at, idempotency_key=text("idempotency_key"), channel=channel,
                          partner_code=text("partner_code") or None)


def _chunks(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for numbered in rows:
        chunk.append(numbered)
        if len(chunk) == MAX_BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def import_purchases(program: Program, path: Path, now: datetime, progress: bool = True) -> ImportSummary:
    """Each chunk is one unit of work: its purchases commit one by one, and the work that
    waits for their commit (boards, live updates, metrics) runs once per chunk."""
    summary = ImportSummary()
    with path.open(newline="", encoding="utf-8-sig") as source:
        reader = csv.DictReader(source)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise BadRow(f"the header lacks column(s): {', '.join(missing)}")
        total = sum(1 for _ in path.open(encoding="utf-8-sig")) - 1
        with tqdm(total=total, unit="purchase", disable=not progress) as bar:
            for chunk in _chunks(enumerate(reader, start=2)):  # line 1 is the header
                async with unit_of_work.scope(program):
                    await _import_chunk(program, chunk, now, summary)
                bar.update(len(chunk))
    return summary


async def _import_chunk(program: Program, chunk: list[tuple[int, dict[str, str]]], now: datetime,
                        summary: ImportSummary) -> None:
    parsed: list[tuple[int, dict[str, str], PurchaseReport]] = []
    for line, row in chunk:
        try:
            parsed.append((line, row, parse_row(row)))
        except BadRow as bad:
            summary.rejected.append((line, row, str(bad)))
    if not parsed:
        return
    batch = await record_purchases(program, [report for _, _, report in parsed], now)
    for (line, row, _), result in zip(parsed, batch.lines, strict=True):
        if result.error is None:
            summary.recorded += 1
        else:
            summary.rejected.append((line, row, _reason(result.error)))


def _reason(error: DomainError) -> str:
    problems = getattr(error, "problems", None)
    if problems:
        return "; ".join(f"{p.path}: {p.message}" for p in problems)
    return f"{type(error).__name__}: {error.message}"


def write_rejected(path: Path, summary: ImportSummary) -> Path | None:
    if not summary.rejected:
        return None
    target = path.with_name(path.name + ".rejected.csv")
    columns = sorted({key for _, row, _ in summary.rejected for key in row if key})
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["line", *columns, "reason"])
        for line, row, reason in sorted(summary.rejected):
            writer.writerow([line, *(row.get(c, "") for c in columns), reason])
    return target
