"""JSON logs: one access line per request with its request id; no token, no personal data."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from api.observability.logging import REDACTED
from tests import factories
from tests.graphql_client import GraphQLClient, member
from tests.log_capture import access_lines, captured_logs, lines


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, as the JSON handler writes it."""
    with captured_logs() as stream:
        yield stream


async def test_a_request_logs_one_json_line_with_its_id_and_nothing_personal(gql: GraphQLClient, program, log_output):
    # given a member with a name, signed in with a token, and a caller-chosen request id
    someone = await factories.member(program, external_id="ext-logging")
    token = gql.token(member(someone.id))
    # when the app asks for the member's name
    response = await gql.http.post(
        "/graphql", json={"query": "query MyName { me { displayName } }"},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-42"},
    )
    # then the member got their name, and the request id came back
    assert response.json() == {"data": {"me": {"displayName": someone.display_name}}}
    assert response.headers["x-request-id"] == "req-42"
    # and exactly one access line tells who (by role), what, how it went and how long it took
    [line] = access_lines(log_output)
    assert line["request_id"] == "req-42"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert (line["operation"], line["outcome"], line["role"]) == ("MyName", "ok", "member")
    assert line["duration_ms"] > 0 and line["cost"] == 2
    # and nothing logged holds the token, the header or the name
    written = log_output.getvalue()
    assert token not in written
    assert token.split(".")[0] not in written
    assert "Bearer" not in written and "authorization" not in written.lower()
    assert someone.display_name not in written


async def test_without_a_request_id_one_is_made_and_stamped_on_every_line(gql: GraphQLClient, log_output):
    # when a client sends no request id, and a query that fails validation (strawberry logs it)
    response = await gql.http.post("/graphql", json={"query": "query Broken { nope }"})
    # then a new id comes back, and every line of that request carries it
    made = response.headers["x-request-id"]
    assert len(made) == 32
    written = [line for line in lines(log_output) if line["logger"] != "httpx"]  # the test's client
    assert len(written) >= 2  # the validation error and the access line
    assert {line["request_id"] for line in written} == {made}
    assert access_lines(log_output)[0]["outcome"] == "graphql_validation_failed"


async def test_a_malformed_request_id_is_replaced(gql: GraphQLClient, log_output):
    # when a client sends an id with spaces and quotes (log injection)
    response = await gql.http.get("/healthz", headers={"X-Request-ID": 'x" "evil": "1'})
    # then it is not trusted: a new one is made
    assert response.headers["x-request-id"] != 'x" "evil": "1'
    assert access_lines(log_output)[0]["request_id"] == response.headers["x-request-id"]


def test_tokens_are_blanked_whichever_logger_writes_them(log_output):
    # given a library that logs a header and a token in its message
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    logging.getLogger("some.library").warning("sent Authorization: Bearer %s and %s", "abc.def", jwt)
    # then neither reaches the log
    [line] = lines(log_output)
    assert line["message"] == f"sent Authorization: {REDACTED} and {REDACTED}"


async def test_logged_graphql_errors_hold_neither_the_query_nor_the_values_sent(gql: GraphQLClient, program,
                                                                                 log_output):
    # given a member's app that sends an email where a number belongs, and a made-up enum value
    token = gql.token(member((await factories.member(program)).id))
    query = "query H($n: Int!) { pointsHistory(first: $n) { pageInfo { hasNextPage } } }"
    await gql.http.post("/graphql", json={"query": query, "variables": {"n": "jane@example.com"}},
                        headers={"Authorization": f"Bearer {token}"})
    await gql.http.post("/graphql", json={"query": '{ leaderboard(board: JANE_DOE) { __typename } }'},
                        headers={"Authorization": f"Bearer {token}"})
    # then the errors are logged, saying what was wrong, without the values or the query text
    errors = [line["message"] for line in lines(log_output) if line["logger"] == "strawberry.execution"]
    assert len(errors) == 2
    assert "Int cannot represent non-integer value: [value]" in errors[0]
    assert "Value [value] does not exist in 'LeaderboardBoard' enum" in errors[1]
    written = log_output.getvalue()
    assert "jane@example.com" not in written and "JANE_DOE" not in written
    assert "pointsHistory(first" not in written
