"""What operators see of GraphQL errors: a client's mistake at INFO and a refused limit at
WARNING, each with its code and no traceback; only a bug (no code) at ERROR, with its
traceback. Never the values the client sent."""

from __future__ import annotations

import logging

import pytest

from api.context import LoyaltyContext
from tests.graphql_client import INTEGRATION, MARKETER, GraphQLClient

ERRORS_LOGGER = "strawberry.execution"


def graphql_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ERRORS_LOGGER]


@pytest.mark.parametrize(("query", "variables", "code", "level"), [
    ("{ me { id ", None, "GRAPHQL_PARSE_FAILED", logging.INFO),
    ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED", logging.INFO),
    ("query H($n: Int!) { pointsHistory(first: $n) { pageInfo { hasNextPage } } }",
     {"n": "jane@example.com"}, "BAD_USER_INPUT", logging.INFO),
    ("{ me { " + "tier { " * 12 + "name" + " }" * 12 + " } }", None, "QUERY_TOO_DEEP", logging.WARNING),
])
async def test_a_refusal_is_logged_with_its_code_below_error_and_without_traceback(
        gql: GraphQLClient, caplog, query, variables, code, level):
    # when a client sends a document the server refuses
    with caplog.at_level(logging.INFO):
        result = await gql.execute(query, variables)
    assert result.error_codes == [code]
    # then one line says so, at the level of its code, without a traceback or the value sent
    [record] = graphql_records(caplog)
    assert (record.levelno, record.code) == (level, code)
    assert record.exc_info is None
    assert code in record.getMessage()
    assert "jane@example.com" not in caplog.text


async def test_a_bug_is_logged_at_error_with_its_traceback(gql: GraphQLClient, caplog, monkeypatch):
    # given a resolver dependency that fails (a bug)
    async def broken(self: LoyaltyContext):
        raise RuntimeError("boom inside")

    monkeypatch.setattr(LoyaltyContext, "program", broken)
    # when a query reaches it
    with caplog.at_level(logging.INFO):
        result = await gql.execute("{ tiers { name } }", as_=MARKETER)
    assert result.errors and result.error_codes == [None]
    # then it is logged at ERROR, with the exception's traceback
    [record] = graphql_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


async def test_many_refusals_write_no_error_line(gql: GraphQLClient, caplog):
    # given the refusals a busy day brings: typos, bad variables, limits
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            await gql.execute("{ nope }")
            await gql.execute("query H($n: Int!) { pointsHistory(first: $n) { __typename } }", {"n": 1.5},
                              as_=INTEGRATION)
            await gql.execute("{" + " tiers { name }" * 11 + " }")
    # then none of them is at ERROR: that level is left for what someone must fix
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
