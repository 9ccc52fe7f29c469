"""`Decimal` without NaN and Infinity.

strawberry's built-in Decimal parses whatever `decimal.Decimal` parses, and that includes
"NaN", "sNaN" and "Infinity": a multiplier of NaN then failed deep inside a rule (and in
production answered "Unexpected error."). No amount, factor or rate of a loyalty program
is infinite, so the scalar refuses them at coercion, where the client is told the path.
Same name, description and wire format as strawberry's, so the SDL does not change.
"""

from __future__ import annotations

import decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.types.base_scalars import DecimalDefinition

MAX_DIGITS = 40  # far beyond any factor or rate; bounds the work of arithmetic on it


def parse_value(value: Any) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise GraphQLError(f"Decimal cannot represent {value!r}: send a decimal number as a string")
    text = str(value).strip()
    if len(text) > MAX_DIGITS:
        raise GraphQLError(f"Decimal cannot represent a value of more than {MAX_DIGITS} characters")
    try:
        parsed = decimal.Decimal(text)
    except decimal.DecimalException:
        raise GraphQLError(f"Decimal cannot represent {text!r}: not a decimal number") from None
    if not parsed.is_finite():
        raise GraphQLError(f"Decimal cannot represent {text!r}: only finite numbers")
    return parsed


FINITE_DECIMAL = strawberry.scalar(
    name=DecimalDefinition.name,
    description=DecimalDefinition.description,
    serialize=str,
    parse_value=parse_value,
)

SCALAR_MAP = {decimal.Decimal: FINITE_DECIMAL}
