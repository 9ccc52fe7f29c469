"""JSON a client should not send: nested a thousand deep, malformed, not a request at all.
Each gets a 400 with a code the client can read, never a 500."""

from __future__ import annotations

import json

import pytest
from prometheus_client import REGISTRY

from tests.log_capture import access_lines, captured_logs
from tests.graphql_client import GraphQLClient

JSON = {"Content-Type": "application/json"}
ACCEPT_JSON = {"Accept": "application/json"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def test_variables_nested_a_thousand_deep_are_refused_as_too_deep(gql: GraphQLClient):
    # given a 2 KB body whose variables nest 1,000 arrays deep (json.loads gives up at ~1,000)
    body = '{"query": "query Q($v: JSON) { __typename }", "variables": {"v": %s}}' % nested(1000)
    assert len(body) < 2100
    refused_before = REGISTRY.get_sample_value("http_requests_refused_total", {"code": "json_too_deep"}) or 0
    with captured_logs() as logs:
        # when it is posted
        response = await gql.http.post("/graphql", content=body, headers=JSON)
    # then the client is told, in GraphQL's shape, that its JSON is too deep and what the limit is
    assert response.status_code == 400
    assert response.json() == {"errors": [{
        "message": "JSON nested deeper than 32 levels",
        "extensions": {"code": "JSON_TOO_DEEP", "maxDepth": 32},
    }]}
    # and the operator sees a refused limit, not a failure
    [line] = access_lines(logs)
    assert (line["status"], line["outcome"], line["level"]) == (400, "json_too_deep", "WARNING")
    # and counts it in the metrics, by code
    assert REGISTRY.get_sample_value("http_requests_refused_total", {"code": "json_too_deep"}) == refused_before + 1


async def test_nesting_that_json_can_decode_is_refused_past_the_limit_and_served_within(gql: GraphQLClient):
    # given variables 40 levels deep (decodable, but deeper than any request needs),
    # and variables 30 levels deep (with the body and `variables`, exactly the limit of 32)
    too_deep = json.dumps({"query": "{ __typename }", "variables": {"v": json.loads(nested(40))}})
    at_limit = json.dumps({"query": "{ __typename }", "variables": {"v": json.loads(nested(30))}})
    # when both are posted
    refused = await gql.http.post("/graphql", content=too_deep, headers=JSON)
    served = await gql.http.post("/graphql", content=at_limit, headers=JSON)
    # then the deeper one is refused before GraphQL walks it, and the other runs
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"] == {"code": "JSON_TOO_DEEP", "maxDepth": 32}
    assert served.status_code == 200
    assert served.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("parameter", ["variables", "extensions"])
async def test_deep_json_in_a_get_url_is_refused_as_too_deep(gql: GraphQLClient, parameter: str):
    # when a client sends a query by GET with a parameter nested 1,000 deep
    response = await gql.http.get("/graphql", params={"query": "{ __typename }", parameter: nested(1000)},
                                  headers=ACCEPT_JSON)
    # then it gets the same answer as by POST
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "JSON_TOO_DEEP", "maxDepth": 32}


@pytest.mark.parametrize("body", [
    b'{"query": "{ __typename }"',  # cut short
    b"\xff\xfe{}",  # not UTF-8
    b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}",  # past Python's int limit
])
async def test_malformed_json_is_a_400_with_a_code(gql: GraphQLClient, body: bytes):
    # when a client posts a body that is not JSON Python accepts
    response = await gql.http.post("/graphql", content=body, headers=JSON)
    # then it is told so in JSON, with a code, not a 500 in plain text
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_JSON"}
    assert error["message"].startswith("the request is not valid JSON")


async def test_malformed_json_in_a_get_url_is_a_400_with_a_code(gql: GraphQLClient):
    # when a GET's variables are not JSON, and another GET's are `null` (some clients send that)
    response = await gql.http.get("/graphql", params={"query": "{ __typename }", "variables": "{nope"},
                                  headers=ACCEPT_JSON)
    null = await gql.http.get("/graphql", params={"query": "{ __typename }", "variables": "null"},
                              headers=ACCEPT_JSON)
    # then the first is answered as a malformed POST body would be, and null means no variables
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID_JSON"}
    assert null.status_code == 200
    assert null.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("body", ["1", '"query"', "null", "[1, 2]"])
async def test_json_that_is_not_a_request_object_is_a_400(gql: GraphQLClient, body: str):
    # when a client posts valid JSON that is not a GraphQL request object
    response = await gql.http.post("/graphql", content=body, headers=JSON)
    # then it is refused as a bad request, not a crash reading its fields
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


async def test_strawberrys_own_refusals_are_json_with_a_code(gql: GraphQLClient):
    # when a client posts a form, which the endpoint does not take
    response = await gql.http.post("/graphql", content=b"query=x", headers={"Content-Type": "text/plain"})
    # then the refusal reads like every other error: JSON with a code
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Unsupported content type",
                                           "extensions": {"code": "BAD_REQUEST"}}]}
