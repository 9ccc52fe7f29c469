"""schema.graphql is the contract apps code against: it must be what the code generates."""

from pathlib import Path

from strawberry.printer import print_schema

from api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_code():
    generated = print_schema(schema) + "\n"
    assert SCHEMA_FILE.read_text() == generated, "schema.graphql is stale: run `make schema`"
