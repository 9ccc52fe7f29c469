"""What an operation costs (pure, on a small schema), and the refusal of a too costly one."""

from __future__ import annotations

import pytest
from graphql import build_schema, parse

from api.limits.query_cost import operation_cost
from tests.graphql_client import GraphQLClient, member
from tests import factories

SCHEMA = build_schema("""
type Query {
  me: Member
  members(first: Int! = 20, after: String): MemberConnection!
  payload: Payload
}
type Mutation { recordMany(input: [Sale!]!): Batch! }
input Sale { amount: Int! }
type Batch { lines: [Line!]! count: Int! }
type Line { points: Int! status: String! }
type Member {
  id: ID!
  name: String
  badges(first: Int = 10): BadgeConnection!
}
type MemberConnection { edges: [MemberEdge!]! pageInfo: PageInfo! }
type MemberEdge { node: Member! cursor: String! }
type BadgeConnection { edges: [BadgeEdge!]! }
type BadgeEdge { node: Badge! }
type Badge { code: String! }
type PageInfo { hasNextPage: Boolean! }
type Done { points: Int! balance: Int! tier: String! }
type Refused { reason: String! }
union Payload = Done | Refused
""")


def cost(query: str, variables: dict | None = None, operation: str | None = None, max_page: int = 100) -> int:
    return operation_cost(SCHEMA, parse(query), variables, operation, max_page=max_page)


def test_each_field_costs_one_and_typename_is_free():
    # given a plain selection of three fields and a __typename
    # then only the three fields count
    assert cost("{ me { id name __typename } }") == 3


def test_a_connection_multiplies_its_subtree_by_first():
    # given a page of 10 members with one field each: edges + node + id = 3 per row
    # then the list field costs 1, plus 10 rows of 3
    assert cost("{ members(first: 10) { edges { node { id } } } }") == 1 + 10 * 3


def test_without_first_the_resolvers_default_page_is_priced():
    # given no `first`: the schema's default of 20 applies
    assert cost("{ members { edges { node { id } } } }") == 1 + 20 * 3


def test_first_from_a_variable_is_priced():
    # given `first` passed as a variable
    query = "query Page($n: Int!) { members(first: $n) { edges { node { id } } } }"
    # then the variable's value sets the page
    assert cost(query, {"n": 5}) == 1 + 5 * 3


def test_a_page_larger_than_any_list_serves_is_priced_at_the_maximum():
    # given first: 1000 where no list serves more than 100 rows
    assert cost("{ members(first: 1000) { edges { node { id } } } }", max_page=100) == 1 + 100 * 3


def test_nested_connections_multiply():
    # given 10 members with 5 badges each
    query = "{ members(first: 10) { edges { node { badges(first: 5) { edges { node { code } } } } } } }"
    # then each member row costs edges+node+badges(1 + 5 * 3), and there are 10 rows
    assert cost(query) == 1 + 10 * (2 + (1 + 5 * 3))


def test_a_union_costs_its_dearest_branch_not_the_sum():
    # given a payload whose branches select 3 and 1 fields
    query = "{ payload { __typename ... on Done { points balance tier } ... on Refused { reason } } }"
    # then only the dearer branch counts, as only one can come back
    assert cost(query) == 1 + 3


def test_named_fragments_count_like_their_fields():
    # given the same selection through a fragment
    query = "{ me { ...Basics } } fragment Basics on Member { id name }"
    # then it costs what the inline fields cost
    assert cost(query) == cost("{ me { id name } }") == 3


def test_fragments_spread_many_times_are_priced_quickly_and_in_full():
    # given fragments each spreading the next twice, ten levels deep (2^10 leaves)
    levels = [f"fragment F{i} on Member {{ a{i}: me {{ ...F{i + 1} }} b{i}: me {{ ...F{i + 1} }} }}"
              for i in range(10)]
    schema = build_schema("type Query { me: Member } type Member { me: Member id: ID }")
    query = "{ me { ...F0 } } " + " ".join(levels) + " fragment F10 on Member { id }"
    # when it is priced
    total = operation_cost(schema, parse(query))
    # then every one of the 2^10 paths counts (and the answer comes without walking each)
    assert total == 1 + sum(2 ** level for level in range(1, 11)) + 2 ** 10


def test_the_named_operation_is_the_one_priced():
    # given a document with a cheap and a dear operation
    query = "query Cheap { me { id } } query Dear { members(first: 50) { edges { node { id } } } }"
    # then each name prices its own operation
    assert cost(query, operation="Cheap") == 2
    assert cost(query, operation="Dear") == 1 + 50 * 3


HISTORY = """query History($first: Int!) {
  pointsHistory(first: $first) { edges { node { points kind } cursor } pageInfo { hasNextPage } }
}"""


@pytest.fixture
def strict_settings(settings):
    return settings.model_copy(update={"max_query_cost": 300})


async def test_a_query_over_the_maximum_cost_is_refused_before_it_runs(program, strict_settings, redis):
    # given a server allowing a cost of 300 and a member
    someone = await factories.member(program)
    async with GraphQLClient.running(strict_settings, redis) as gql:
        # when the member asks for 100 history rows (1 + 100 rows of 5 + pageInfo 2)
        refused = await gql.execute(HISTORY, {"first": 100}, as_=member(someone.id))
        # and then for 10 rows
        served = await gql.execute(HISTORY, {"first": 10}, as_=member(someone.id))
    # then the big one is refused with its cost and the maximum, and nothing ran
    assert refused.error_codes == ["QUERY_TOO_COSTLY"]
    assert refused.errors[0]["extensions"]["cost"] == 1 + 100 * 5 + 2
    assert refused.errors[0]["extensions"]["maxCost"] == 300
    assert refused.body["data"] is None
    # and the small one is served
    assert served.data["pointsHistory"]["edges"] == []


def test_a_connections_single_children_count_once():
    # given a page of 10 rows and its pageInfo
    query = "{ members(first: 10) { edges { node { id } } pageInfo { hasNextPage } } }"
    # then the rows are multiplied, pageInfo (2) is not
    assert cost(query) == 1 + 10 * 3 + 2


def test_a_batch_costs_one_per_item_and_its_lines_are_as_many():
    # given a batch of 50 sales, asking for each line's two fields and the count
    query = "mutation B($sales: [Sale!]!) { recordMany(input: $sales) { lines { points status } count } }"
    sales = [{"amount": 100}] * 50
    # then the field costs 1 + 50 items, each of the 50 lines 3, and the count 1
    assert cost(query, {"sales": sales}) == 1 + 50 + 50 * 3 + 1
    # and a batch asking only for __typename still pays per item
    assert cost("mutation B($sales: [Sale!]!) { recordMany(input: $sales) { __typename } }", {"sales": sales}) == 51
