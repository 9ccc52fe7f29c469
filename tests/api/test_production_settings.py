"""LOYALTY_ENV=production: no introspection, no GraphiQL, masked errors; development keeps them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api.settings import Settings
from tests.graphql_client import GraphQLClient

INTROSPECTION = "{ __schema { queryType { name } } }"
HTML = {"Accept": "text/html"}


@pytest.fixture
def production_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})


@pytest.fixture
async def production(program, production_settings, redis) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient.running(production_settings, redis) as client:
        yield client


def test_production_comes_from_the_environment(monkeypatch):
    # given the environment of a production deployment
    monkeypatch.setenv("LOYALTY_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", "s" * 40)
    # then the settings say production
    assert Settings().production


async def test_production_refuses_introspection(production):
    # when anyone asks for the schema in production
    result = await production.execute(INTROSPECTION)
    # then it is refused before running
    assert result.body.get("data") is None
    assert "introspection" in result.errors[0]["message"].lower()


async def test_production_still_answers_typename(production):
    # given clients rely on __typename to read unions
    result = await production.execute("{ __typename }")
    # then it is not introspection in that sense: it works
    assert result.data == {"__typename": "Query"}


async def test_production_serves_no_graphiql(production):
    # when a browser opens the endpoint in production
    response = await production.http.get("/graphql", headers=HTML)
    # then there is no IDE to find
    assert response.status_code == 404


async def test_development_keeps_introspection_and_graphiql(gql):
    # given the development settings of the test fixture
    # when a developer introspects and opens the endpoint in a browser
    result = await gql.execute(INTROSPECTION)
    page = await gql.http.get("/graphql", headers=HTML)
    # then both work
    assert result.data == {"__schema": {"queryType": {"name": "Query"}}}
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_production_masks_unexpected_errors_but_keeps_coded_ones(production, monkeypatch):
    # given a resolver that fails with an internal message (a bug)
    from api.context import LoyaltyContext

    async def broken(self: LoyaltyContext):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(LoyaltyContext, "program", broken)
    # when a query reaches it
    result = await production.execute("{ tiers { name } }")
    # then the client sees no internal text
    assert result.errors
    assert all("secret internal detail" not in e["message"] for e in result.errors)


def test_production_with_rs256_needs_a_board_handle_secret_of_its_own(monkeypatch, tmp_path):
    # given production on RS256: no shared secret to derive leaderboard handles from
    public = tmp_path / "rs.pub"
    public.write_text("not read at start-up")
    monkeypatch.setenv("LOYALTY_ENV", "production")
    monkeypatch.setenv("JWT_ALGORITHM", "RS256")
    monkeypatch.setenv("JWT_PUBLIC_KEY_FILE", str(public))
    # then start-up fails naming BOARD_HANDLE_SECRET, until one of 32+ bytes is set
    with pytest.raises(ValueError, match="needs BOARD_HANDLE_SECRET"):
        Settings()
    monkeypatch.setenv("BOARD_HANDLE_SECRET", "short")
    with pytest.raises(ValueError, match="BOARD_HANDLE_SECRET must be 32\\+ bytes"):
        Settings()
    monkeypatch.setenv("BOARD_HANDLE_SECRET", "h" * 32)
    assert Settings().production


def test_board_handles_are_keyed_by_the_deployments_own_secret():
    # given two deployments with their own JWT secrets, and one with a handle secret too
    one, other = Settings(jwt_secret="a" * 40), Settings(jwt_secret="b" * 40)
    separate = Settings(jwt_secret="a" * 40, board_handle_secret="c" * 40)
    # then no two share a handle key, and none is the JWT secret itself
    keys = {one.board_handle_key, other.board_handle_key, separate.board_handle_key}
    assert len(keys) == 3 and all(len(k) == 64 and b"a" * 40 not in k for k in keys)
