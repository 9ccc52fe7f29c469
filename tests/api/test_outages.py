"""Which failures count as a database outage (retryable, SERVICE_UNAVAILABLE)."""

from __future__ import annotations

import asyncpg
from graphql import GraphQLError

from api.outages import _retryable, is_outage


def _raised_from(cause: BaseException) -> RuntimeError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("rollback failed") from inner
    except RuntimeError as outer:
        return outer


def test_a_cut_connection_deep_in_the_chain_is_an_outage():
    assert is_outage(_raised_from(asyncpg.ConnectionDoesNotExistError("closed mid-operation")))
    assert is_outage(ConnectionRefusedError(111, "refused"))


def test_a_bug_or_a_constraint_violation_is_not_an_outage():
    assert not is_outage(ValueError("bug"))
    assert not is_outage(_raised_from(asyncpg.UniqueViolationError("duplicate key")))
    assert not is_outage(None)


def test_an_outage_gets_the_retryable_code_and_an_explained_error_keeps_its_own():
    outage = GraphQLError("boom", original_error=asyncpg.CannotConnectNowError("starting up"))
    explained = GraphQLError("boards down", extensions={"code": "LEADERBOARD_UNAVAILABLE"},
                             original_error=ConnectionRefusedError(111, "refused"))
    assert _retryable(outage).extensions == {"code": "SERVICE_UNAVAILABLE"}
    assert _retryable(explained) is explained
