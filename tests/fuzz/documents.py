"""The schemathesis schema both fuzz modes generate documents from, with strategies for
this API's scalars that schemathesis does not know (JSON, Decimal)."""

from __future__ import annotations

import os
from pathlib import Path

import schemathesis
from graphql import language
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
# Examples per root field and mode; CI runs the default.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


def value_node(value: object) -> language.ValueNode:
    """A JSON value as a GraphQL literal, for the JSON scalar (rules, attributes, answers)."""
    match value:
        case None:
            return language.NullValueNode()
        case bool():
            return language.BooleanValueNode(value=value)
        case int():
            return language.IntValueNode(value=str(value))
        case str():
            return language.StringValueNode(value=value)
        case list():
            return language.ListValueNode(values=tuple(value_node(v) for v in value))
        case dict():
            return language.ObjectValueNode(fields=tuple(
                language.ObjectFieldNode(name=language.NameNode(value=k), value=value_node(v))
                for k, v in value.items()))
    raise TypeError(value)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), inner, max_size=3),
    max_leaves=8,
)
_decimal = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False).map(str)
schemathesis.graphql.scalar("JSON", _json.map(value_node))
schemathesis.graphql.scalar("Decimal", _decimal.map(lambda text: language.StringValueNode(value=text)))
schema = schemathesis.graphql.from_path(ROOT / "schema.graphql")
