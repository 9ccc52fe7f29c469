"""GraphQL documents built to be expensive: fragments that fan out, fields repeated, too
deep, too many aliases, too many tokens. Each is refused with a code and its limit, in
development and in production, before graphql-core's quadratic rules or any resolver run,
and the worker stays free for everyone else."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from graphql import parse

from api.limits import document_shape
from api.limits.document_shape import ShapeLimits, shape_refusal
from api.settings import Settings
from domain.models import Member
from tests.graphql_client import INTEGRATION, GraphQLClient

LIMITS = ShapeLimits(max_depth=12, max_aliases=30, max_fragment_spreads=100, max_repeated_fields=10)


def fan_out(levels: int, leaf: str = "__typename") -> str:
    """Each fragment spreads the next one twice: 2^levels copies of the leaf as executed."""
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ {leaf} }}"


@pytest.fixture(params=["development", "production"])
async def client(request, program, settings: Settings, redis) -> AsyncIterator[GraphQLClient]:
    """The same server in each mode: production masks errors that carry no code."""
    if request.param == "production":
        settings = settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})
    async with GraphQLClient.running(settings, redis) as gql:
        yield gql


# --- fragments that fan out ---------------------------------------------------------------

@pytest.mark.parametrize("levels", [22, 30])
def test_a_fan_out_of_fragments_is_measured_once_per_fragment(levels, monkeypatch):
    # given fragments spreading the next one twice, `levels` deep (2^levels leaves when expanded)
    document = parse(fan_out(levels))
    walked = []
    measure = document_shape._Walker._selection_set
    monkeypatch.setattr(document_shape._Walker, "_selection_set",
                        lambda self, *args: walked.append(1) or measure(self, *args))
    # when its shape is measured
    refusal = shape_refusal(document, LIMITS)
    # then it is refused for its spreads as executed, having walked each selection set at most once
    assert refusal.extensions == {"code": "TOO_MANY_FRAGMENT_SPREADS", "maxFragmentSpreads": 100}
    assert len(walked) <= levels + 2


async def test_a_fan_out_document_is_refused_at_once_and_others_are_served_meanwhile(client: GraphQLClient):
    # given the 871-byte document that kept a worker busy for 9 s (22 levels)
    hostile = fan_out(22)
    assert len(hostile) < 1000
    started = time.perf_counter()

    async def typename() -> float:
        await client.execute("{ __typename }")
        return time.perf_counter() - started

    # when it is sent together with someone's `{ __typename }`
    refused, answered_after = await asyncio.gather(client.execute(hostile), typename())
    # then it is refused with a code and its limit, and the other query was not held up
    assert refused.error_codes == ["TOO_MANY_FRAGMENT_SPREADS"]
    assert refused.errors[0]["extensions"]["maxFragmentSpreads"] == 100
    assert refused.body["data"] is None
    assert answered_after < 1  # loose: 9 s before; ~1 ms on a 2-core machine now


def test_a_fragment_spread_twice_in_one_set_still_counts_its_fields_once():
    # given a fragment with 6 `tiers` spread twice into one selection set (executed once)
    document = parse("{ ...A ...A } fragment A on Query {" + " tiers { name }" * 6 + " }")
    # then it is not taken for 12 repeated fields
    assert shape_refusal(document, LIMITS) is None


def test_a_chain_of_fragments_longer_than_the_spread_limit_is_refused_without_recursing_through_it():
    # given 240 fragments each spreading the next (a chain that could exhaust Python's stack)
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(240))
    document = parse("{ ...F0 } " + chain + " fragment F240 on Query { __typename }")
    # then it is refused for its spreads
    assert shape_refusal(document, LIMITS).extensions["code"] == "TOO_MANY_FRAGMENT_SPREADS"


# --- shape limits, with their codes in every mode ----------------------------------------

async def test_a_query_deeper_than_the_limit_is_refused_with_its_code(client: GraphQLClient):
    # given a query nesting 13 selection sets (a fragment brings the deepest levels)
    deep = "{ me { ...Deep } } fragment Deep on Member { " + "tier { " * 12 + "name" + " }" * 12 + " }"
    # when it is sent
    result = await client.execute(deep)
    # then it is refused as too deep, with the limit, and nothing ran
    assert result.error_codes == ["QUERY_TOO_DEEP"]
    assert result.errors[0]["extensions"] == {"code": "QUERY_TOO_DEEP", "maxDepth": 12}
    assert result.body["data"] is None


async def test_aliases_spread_through_fragments_count_as_executed(client: GraphQLClient):
    # given 10 aliases in a fragment spread under 3 aliased fields: 33 aliases when it runs
    fragment = "fragment M on Member { " + " ".join(f"n{i}: __typename" for i in range(10)) + " }"
    query = "{ a: me { ...M } b: me { ...M } c: me { ...M } } " + fragment
    # when it is sent
    result = await client.execute(query)
    # then it is refused for its aliases, with the limit
    assert result.error_codes == ["TOO_MANY_ALIASES"]
    assert result.errors[0]["extensions"] == {"code": "TOO_MANY_ALIASES", "maxAliases": 30}


async def test_a_field_repeated_past_the_limit_is_refused_before_graphql_core_compares_them(client):
    # given 330 `tiers { name }` in one selection set, within the token limit (0.7 s to validate)
    query = "{" + " tiers { name }" * 330 + " }"
    started = time.perf_counter()
    # when it is sent
    result = await client.execute(query, as_=INTEGRATION)
    # then it is refused naming the field and the limit, quickly
    assert result.error_codes == ["TOO_MANY_REPEATED_FIELDS"]
    assert result.errors[0]["extensions"] == {"code": "TOO_MANY_REPEATED_FIELDS", "field": "tiers",
                                              "maxRepeatedFields": 10}
    assert time.perf_counter() - started < 1  # loose guard; bench/hostile_documents.py measures


# --- parse and validation errors, with their codes in every mode --------------------------

async def test_a_syntax_error_has_the_parse_failed_code(client: GraphQLClient):
    result = await client.execute("{ me { id ")
    assert result.error_codes == ["GRAPHQL_PARSE_FAILED"]
    assert "Syntax Error" in result.errors[0]["message"]


async def test_too_many_tokens_fail_before_parsing_with_the_limit(client: GraphQLClient):
    # given 2,001 tokens (comments count: they could otherwise be any length)
    result = await client.execute("{ __typename " + "# c\n" * 2000 + "}")
    # then the parser stops at the limit and says so
    assert result.error_codes == ["GRAPHQL_PARSE_FAILED"]
    assert result.errors[0]["extensions"]["maxTokens"] == 2000
    assert "more than 2000 tokens" in result.errors[0]["message"]


async def test_a_text_longer_than_the_limit_is_refused_before_it_is_read(client: GraphQLClient):
    # given 100 field names of 2,000 characters: 100 tokens, 200 KB (0.1 s to lex, 0.2 s to validate)
    result = await client.execute("{ " + " ".join("x" * 2000 + str(i) for i in range(100)) + " }")
    # then it is refused for its length, with the limit
    assert result.error_codes == ["GRAPHQL_PARSE_FAILED"]
    assert result.errors[0]["extensions"]["maxLength"] == 32 * 1024


async def test_an_unknown_field_has_the_validation_failed_code(client: GraphQLClient):
    result = await client.execute("{ nope }")
    assert result.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Cannot query field 'nope' on type 'Query'" in result.errors[0]["message"]


async def test_a_literal_a_custom_scalar_rejects_is_a_validation_error_not_a_masked_one(client: GraphQLClient):
    # given a birthday written in the query itself, with a 13th month
    query = ('mutation { enrollMember(input: {externalId: "x-1", displayName: "Ana", birthday: "2026-13-01"})'
             " { __typename } }")
    # when it is sent
    result = await client.execute(query, as_=INTEGRATION)
    # then the client is told what is wrong with its query (production used to say "Unexpected error.")
    assert result.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Date" in result.errors[0]["message"]
    assert await Member.filter(external_id="x-1").count() == 0


async def test_production_suggests_no_field_names(program, settings, redis):
    # given production, where introspection is off
    production = settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})
    async with GraphQLClient.running(production, redis) as gql:
        # when a client guesses a field name close to a real one
        result = await gql.execute("{ tierz { name } }")
    # then it learns that the field is unknown, not what the schema holds
    assert result.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" not in result.errors[0]["message"]


async def test_an_unknown_operation_name_is_refused_with_a_code(client: GraphQLClient):
    response = await client.http.post("/graphql", json={"query": "query A { __typename }", "operationName": "B"})
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_REQUEST"]
    assert "B" in response.json()["errors"][0]["message"]


# --- time ---------------------------------------------------------------------------------

async def test_a_request_whose_time_ran_out_while_validating_runs_nothing(program, settings, redis, monkeypatch):
    # given a 50 ms limit, and validation that (synchronously, like a hostile document) takes 100 ms
    from api.limits import document_guard

    measure = document_guard.shape_refusal

    def slow(*args):
        time.sleep(0.1)
        return measure(*args)

    monkeypatch.setattr(document_guard, "shape_refusal", slow)
    fast = settings.model_copy(update={"request_timeout_seconds": 0.05})
    async with GraphQLClient.running(fast, redis) as gql:
        # when a mutation is sent
        result = await gql.execute('mutation { enrollMember(input: {externalId: "late", displayName: "L"})'
                                   " { __typename } }", as_=INTEGRATION)
    # then the client is told TIMEOUT and nothing was written
    assert result.error_codes == ["TIMEOUT"]
    assert await Member.filter(external_id="late").count() == 0


# --- caches -------------------------------------------------------------------------------

async def test_a_query_sent_again_is_not_validated_again(client: GraphQLClient):
    # given the validation cache, emptied
    from api.limits.document_guard import _validate

    _validate.cache_clear()
    # when the same query comes three times (in production, introspection's rule is added too)
    for _ in range(3):
        await client.execute("query Tiers { tiers { name } }", as_=INTEGRATION)
    # then it was validated once: the rules are the same classes on every request
    assert (_validate.cache_info().misses, _validate.cache_info().hits) == (1, 2)
