"""`loyalty import purchases.csv`: an end-of-day file, its rejected rows and a re-run."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.purchase_import import BadRow, import_purchases, write_rejected
from domain.models import Member, Purchase
from tests import factories

AT = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
HEADER = ["member_id", "amount", "currency", "occurred_at", "idempotency_key", "channel"]


def write(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    return path


async def test_good_rows_are_recorded_and_bad_rows_are_listed_with_their_reason(program, tmp_path):
    ana = await factories.member(program)
    # given an end-of-day file with three good rows and three bad ones
    file = write(tmp_path / "day.csv", [
        [ana.id, 10_00, "EUR", AT, "till-1", "pos"],
        [ana.id, "ten", "EUR", AT, "till-2", "pos"],
        [ana.id, 5_00, "EUR", AT, "till-3", ""],
        ["00000000-0000-0000-0000-000000000000", 5_00, "EUR", AT, "till-4", "pos"],
        [ana.id, 7_00, "USD", AT, "till-5", "ecommerce"],
        [ana.id, 2_00, "eur", AT, "till-6", "ecommerce"],
    ])
    # when it is imported
    summary = await import_purchases(program, file, datetime.now(UTC), progress=False)
    # then the good rows earned, and each bad row says which column was wrong
    assert summary.recorded == 3
    assert (await Member.get(id=ana.id)).points_balance == 17
    reasons = {line: reason for line, _, reason in summary.rejected}
    assert reasons[3].startswith("amount:")
    assert reasons[5].startswith("NotFound")
    assert reasons[6].startswith("currency:")
    # and the rejected rows land in a file beside it, ready to fix and re-import
    rejected = write_rejected(file, summary)
    assert rejected is not None
    lines = list(csv.DictReader(rejected.open()))
    assert [row["line"] for row in lines] == ["3", "5", "6"]
    assert lines[0]["idempotency_key"] == "till-2"


async def test_importing_the_same_file_twice_records_each_purchase_once(program, tmp_path):
    ana = await factories.member(program)
    rows = [[ana.id, 1_00, "EUR", AT, f"bulk-{n}", "pos"] for n in range(620)]  # two batches of <= 500
    file = write(tmp_path / "bulk.csv", rows)
    first = await import_purchases(program, file, datetime.now(UTC), progress=False)
    again = await import_purchases(program, file, datetime.now(UTC), progress=False)
    assert (first.recorded, again.recorded) == (620, 620)  # the second run only replays
    assert await Purchase.filter(member_id=ana.id).count() == 620
    assert (await Member.get(id=ana.id)).points_balance == 620


async def test_a_file_without_the_required_columns_is_refused_before_anything_is_written(program, tmp_path):
    file = write(tmp_path / "bad.csv", [["x", "1"]], header=["member", "amount"])
    with pytest.raises(BadRow, match="member_id"):
        await import_purchases(program, file, datetime.now(UTC), progress=False)
    assert await Purchase.all().count() == 0


async def test_a_row_with_a_control_character_is_rejected_naming_its_column(program, tmp_path):
    ana = await factories.member(program)
    # given a file whose second row carries a NUL in its idempotency key
    file = write(tmp_path / "day.csv", [
        [ana.id, 10_00, "EUR", AT, "till-1", "pos"],
        [ana.id, 10_00, "EUR", AT, "till-\x002", "pos"],
    ])
    # when it is imported
    summary = await import_purchases(program, file, datetime.now(UTC), progress=False)
    # then the good row is recorded and the bad one is rejected, naming the column
    assert summary.recorded == 1
    assert [(line, reason.split(":")[0]) for line, _, reason in summary.rejected] == [(3, "idempotency_key")]
    assert "control characters" in summary.rejected[0][2]
    assert await Purchase.filter(member_id=ana.id).count() == 1
