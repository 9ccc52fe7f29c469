"""The unit of work (domain/unit_of_work.py): a use case's after-commit work runs whoever
calls it, once, only for what committed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from challenges.leaderboard_reads import standing
from challenges.leaderboards import Board, BoardKind
from domain.errors import DomainError, InvalidInput
from domain.events import PointsEarned, PurchaseRecorded, event_bus
from domain.unit_of_work import Committed, unit_of_work
from tests import factories


@pytest.fixture
def committed() -> Iterator[list[Committed]]:
    """What the after-commit handlers were handed, besides the real ones."""
    seen: list[Committed] = []

    async def spy(done: Committed) -> None:
        seen.append(done)

    unit_of_work.on_commit(spy)
    yield seen
    unit_of_work._after_commit.remove(spy)


def earned(done: list[Committed]) -> list[int]:
    return [e.points for d in done for e in d.events if isinstance(e, PointsEarned)]


async def test_a_use_case_called_outside_any_request_reaches_the_boards(program, redis):
    # given a member (a command or a scheduled job calls services directly, no resolver)
    ana = await factories.member(program)
    # when a purchase is recorded that way
    await factories.purchase(program, ana.id, 30_00, now=datetime.now(UTC))
    # then the board moved after commit, as through the API
    place = await standing(redis, Board(program.id, BoardKind.ALL_TIME), str(ana.id))
    assert place is not None and place.score == 30


async def test_a_rolled_back_use_case_hands_nothing_to_after_commit_work(program, committed):
    # given a handler that fails inside the purchase's transaction, after points were earned
    ana = await factories.member(program)

    async def broken(event: PurchaseRecorded) -> None:
        raise InvalidInput.one("amount", "refused by a handler")

    event_bus.subscribe(PurchaseRecorded, broken)
    try:
        # when the purchase is recorded
        with pytest.raises(DomainError):
            await factories.purchase(program, ana.id, 30_00, now=datetime.now(UTC))
    finally:
        event_bus.unsubscribe(PurchaseRecorded, broken)
    # then nothing was dispatched: the earning rolled back with it
    assert earned(committed) == []


async def test_a_scope_dispatches_its_use_cases_once_at_its_end_and_a_replay_adds_nothing(program, committed):
    # given a member
    ana = await factories.member(program)
    committed.clear()
    now = datetime.now(UTC)
    # when two purchases and a replay of the first run in one scope (an import's chunk)
    async with unit_of_work.scope(program):
        await factories.purchase(program, ana.id, 10_00, now=now, key="k-1")
        await factories.purchase(program, ana.id, 20_00, now=now, key="k-2")
        await factories.purchase(program, ana.id, 10_00, now=now, key="k-1")
        assert committed == []  # nothing before the scope ends
    # then the after-commit work ran once, with both purchases' points and nothing twice
    assert len(committed) == 1
    assert earned(committed) == [10, 20]
