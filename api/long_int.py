"""`Long`: a signed 64-bit integer for sums (money, points, counts) that outgrow `Int`.

GraphQL's `Int` is 32-bit: a sum of cents passes it at 21,474,836.47, and graphql-core
then fails the whole field. The database columns are BIGINT already; this scalar lets the
API carry what they hold.

Why a JSON number, always, and not a string or "a number unless it is too big":
- a field whose JSON type depends on its value cannot be typed by a generated client
  (codegen would need `number | string`), and a client tested on small values breaks on
  the first big one: the very failure this scalar removes;
- every field that becomes Long was an Int: a number keeps each existing client's
  parsing working, a string would break them all on the day of the deploy;
- JSON numbers are exact text: Kotlin/Java `Long`, Swift `Int64`, Go `int64`, Python
  read every value exactly. Only JavaScript's `JSON.parse` rounds, beyond 2^53 - 1
  (9,007,199,254,740,991; in cents, 90 trillion EUR): far above any sum here.
Inputs are lenient: a JSON integer or a string of decimal digits (for a JavaScript
client that holds a value as a BigInt).

Used through `Long` (a NewType of int) in annotations; the schema maps it with
`StrawberryConfig(scalar_map=SCALAR_MAP)`.
"""

from __future__ import annotations

import re
from typing import Any, NewType

import strawberry
from graphql import GraphQLError, IntValueNode, StringValueNode, ValueNode

Long = NewType("Long", int)

MIN_LONG = -(2**63)
MAX_LONG = 2**63 - 1
MAX_EXACT_FLOAT = 2**53  # a float above this may not be the integer the client meant
DIGITS = re.compile(r"^-?\d{1,19}$")

DESCRIPTION = (
    "A signed 64-bit integer (-2^63 to 2^63-1), for sums that can pass Int's 2^31-1: money "
    "in minor units, points, counts. Always serialized as a JSON number. JavaScript's "
    "JSON.parse is exact up to 2^53-1 (9007199254740991; in cents 90 trillion); map it to "
    "`number` in TypeScript codegen (`scalars: { Long: 'number' }`), to Long/Int64 in "
    "Kotlin, Swift and Java. As input: a JSON integer, or a string of decimal digits."
)


def _checked(value: int) -> int:
    if not MIN_LONG <= value <= MAX_LONG:
        raise GraphQLError(f"Long cannot represent {value}: outside the signed 64-bit range")
    return value


def serialize(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphQLError(f"Long cannot represent non-integer value: {value!r}")
    return _checked(int(value))


def parse_value(value: Any) -> int:
    if isinstance(value, bool):
        raise GraphQLError(f"Long cannot represent non-integer value: {value!r}")
    if isinstance(value, int):
        return _checked(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_EXACT_FLOAT:
        return int(value)
    if isinstance(value, str) and DIGITS.match(value.strip()):
        return _checked(int(value.strip()))
    raise GraphQLError(f"Long cannot represent value: {value!r} (an integer or a string of digits)")


def parse_literal(node: ValueNode, _variables: Any = None) -> int:
    if isinstance(node, IntValueNode):
        return _checked(int(node.value))
    if isinstance(node, StringValueNode):
        return parse_value(node.value)
    raise GraphQLError("Long cannot represent a non-integer literal", node)


LONG = strawberry.scalar(
    name="Long", description=DESCRIPTION, serialize=serialize, parse_value=parse_value, parse_literal=parse_literal
)

SCALAR_MAP = {Long: LONG}
