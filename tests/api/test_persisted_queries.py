"""Automatic persisted queries as Apollo clients use them, over POST and GET."""

from __future__ import annotations

import json
from typing import Any

import httpx

from api.limits.persisted_queries import KEY_PREFIX, query_hash
from tests import factories
from tests.graphql_client import GraphQLClient, member

QUERY = "query MyPoints { me { points { balance } } }"
SHA = query_hash(QUERY)


def persisted(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def post(gql: GraphQLClient, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await gql.http.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


async def get(gql: GraphQLClient, token: str, params: dict[str, str]) -> httpx.Response:
    return await gql.http.get("/graphql", params=params, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json"})


async def test_an_unknown_hash_asks_for_the_query_in_apollos_words(gql, program):
    # given a member whose app sends only a hash the server has never seen
    token = gql.token(member((await factories.member(program)).id))
    # when it asks
    status, body = await post(gql, token, {"extensions": persisted(SHA)})
    # then the answer is the one Apollo clients react to by sending the text
    assert status == 200
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_hash_with_query_runs_and_registers_then_the_hash_alone_runs_over_post_and_get(gql, program, redis):
    # given a member with 0 points
    token = gql.token(member((await factories.member(program)).id))
    # when the app sends the text with its hash
    _, registered = await post(gql, token, {"query": QUERY, "extensions": persisted(SHA)})
    # and then only the hash, by POST and by GET
    _, by_post = await post(gql, token, {"extensions": persisted(SHA)})
    by_get = (await get(gql, token, {"extensions": json.dumps(persisted(SHA))})).json()
    # then all three run the query
    expected = {"me": {"points": {"balance": 0}}}
    assert registered == by_post == by_get == {"data": expected}
    # and the text is kept in Redis for a while, not forever
    assert 0 < await redis.ttl(KEY_PREFIX + SHA) <= gql.settings.persisted_query_ttl_seconds


async def test_a_hash_that_is_not_the_querys_is_refused_and_nothing_is_stored(gql, program, redis):
    # given a member and a hash of some other text
    token = gql.token(member((await factories.member(program)).id))
    other = query_hash("query Other { me { id } }")
    # when the app sends the query with the wrong hash
    _, body = await post(gql, token, {"query": QUERY, "extensions": persisted(other)})
    # then it is refused and the wrong pairing is not remembered
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in body or body["data"] is None
    assert await redis.get(KEY_PREFIX + other) is None


async def test_an_invalid_query_is_never_stored(gql, program, redis):
    # given a query that does not validate against the schema
    token = gql.token(member((await factories.member(program)).id))
    bad = "query Bad { me { noSuchField } }"
    # when it is sent with its (correct) hash
    _, body = await post(gql, token, {"query": bad, "extensions": persisted(query_hash(bad))})
    # then the validation error comes back and nothing is stored under its hash
    assert "noSuchField" in body["errors"][0]["message"]
    assert await redis.get(KEY_PREFIX + query_hash(bad)) is None


async def test_a_persisted_mutation_is_not_run_over_get(gql, program):
    # given a mutation registered by POST
    token = gql.token(member((await factories.member(program)).id))
    mutation = "mutation Hide { setLeaderboardProfile(hidden: true) { __typename } }"
    sha = query_hash(mutation)
    _, registered = await post(gql, token, {"query": mutation, "extensions": persisted(sha)})
    assert "errors" not in registered
    # when someone sends its hash by GET (a link, a prefetching proxy)
    response = await get(gql, token, {"extensions": json.dumps(persisted(sha))})
    # then it is refused: GET never changes anything
    assert response.status_code == 400


async def test_an_unsupported_version_is_refused(gql, program):
    # given a client speaking a future version of the protocol
    token = gql.token(member((await factories.member(program)).id))
    # when it sends a hash in that version
    _, body = await post(gql, token, {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": SHA}}})
    # then it is told the version is not supported
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
