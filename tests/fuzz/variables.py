"""Turn a generated document's inline argument values into GraphQL variables, and draw
values for those variables that a client can send but the type does not admit.

A literal in the document is checked by validation against its type before anything
runs; the same value in `variables` goes through variable coercion instead, and from
there into scalars' `parse_value` and the resolvers. Apps send variables, so that path
must explain every refusal too. JSON also carries what no GraphQL literal can: NaN and
Infinity (Python's json reads them), numbers with thousands of digits, lone surrogates.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    TypeNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    print_ast,
    value_from_ast_untyped,
    visit,
)
from hypothesis import strategies as st


@dataclass(frozen=True)
class Raw:
    """A JSON number written as is: Python's json cannot write 10**5000 (and reads it
    only up to 4300 digits), and `1e999` reads back as infinity."""

    text: str


@dataclass(frozen=True)
class Variable:
    name: str
    type: GraphQLInputType
    value: Any  # what the generated document had inline


def lift_arguments(document: DocumentNode, schema: GraphQLSchema) -> tuple[DocumentNode, list[Variable]]:
    """The document with every argument's literal replaced by a variable of the argument's
    own type (`field(arg: 5)` -> `query($arg0: Int) { field(arg: $arg0) }`), and those
    variables with the literals' values."""
    lifted: list[Variable] = []
    names: dict[int, str] = {}  # id of an ArgumentNode -> its variable
    type_info = TypeInfo(schema)

    class Collect(Visitor):  # TypeInfo follows the document only while nothing is replaced
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            argument = type_info.get_argument()
            if argument is not None and not isinstance(node.value, VariableNode):
                names[id(node)] = name = f"{node.name.value}{len(lifted)}"
                lifted.append(Variable(name, argument.type, value_from_ast_untyped(node.value)))

    class Replace(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
            if id(node) not in names:
                return None
            return ArgumentNode(name=node.name, value=VariableNode(name=NameNode(value=names[id(node)])))

    visit(document, TypeInfoVisitor(type_info, Collect()))
    changed = visit(document, Replace())
    definitions = tuple(
        OperationDefinitionNode(
            operation=d.operation, name=d.name, directives=d.directives, selection_set=d.selection_set,
            variable_definitions=tuple(d.variable_definitions or ()) + tuple(
                VariableDefinitionNode(variable=VariableNode(name=NameNode(value=v.name)), type=_type_node(v.type))
                for v in lifted),
        ) if isinstance(d, OperationDefinitionNode) else d
        for d in changed.definitions)
    return DocumentNode(definitions=definitions), lifted


def _type_node(type_: GraphQLInputType) -> TypeNode:
    if isinstance(type_, GraphQLNonNull):
        return NonNullTypeNode(type=_type_node(type_.of_type))
    if isinstance(type_, GraphQLList):
        return ListTypeNode(type=_type_node(type_.of_type))
    return NamedTypeNode(name=NameNode(value=type_.name))


# Values around the edges of every scalar. ADMITTED ones pass variable coercion and reach
# the resolvers and the database (that is where they find crashes); REFUSED ones must be
# refused with a code. Huge ones stay inside the body limit (256 KiB) on their own.
_BIG_INT_TEXT = "9" * 5000
_NUMBERS_BEYOND = [2**31, -(2**31) - 1, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30, 10**400,
                   Raw(_BIG_INT_TEXT), Raw("-" + _BIG_INT_TEXT), Raw("1e999"), Raw("-1e999"), Raw("1E400"),
                   math.nan, math.inf, -math.inf, 1.5, 5e-324]
_INT_EDGES = [0, -1, 1, 2**31 - 1, -(2**31)]
_CONTROL = ["\x00", "a\x00b", "\x01\x02\x03", "\x1b[31mred\x1b[0m", "\r\n", "line\nbreak", "\t", "\x7f", "\x85",
            "\u2028", "\u202eevil", "\ufeff", "\ud800", "\udfff", "a\ud83d", "\uffff", "\U0010ffff"]
_STRINGS = [*_CONTROL, "", " ", "null", "undefined", "0", "-1", "1e3", "NaN", "Infinity", "true", "%s%n",
            "' OR 1=1 --", "\\", '"', "../../etc/passwd", "<script>", "😀" * 3, "é" * 255, "x" * 256,
            "x" * 65_536, "x" * 200_000, "😀" * 15_000, "\x00" * 30_000]
_IDS = ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "0", "-1", "1.5",
        "9" * 30, str(2**31), str(2**63), " 1", "1 ", "+1", "0x10", "1_000", "١٢٣", "\x001", "1\x00", "",
        "a" * 10_000, *_CONTROL]
_DATETIMES_ADMITTED = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+23:59",
                       "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59-23:59",
                       "9999-12-31T23:59:59-14:00", "1970-01-01T00:00:00Z", "2038-01-19T03:14:08Z",
                       "2024-01-01T00:00:00", "2024-01-01", "2000-02-29T12:00:00+05:45"]
_DATETIMES_REFUSED = ["", "now", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z",
                      "2024-01-01T23:59:60Z", "00:00:00Z", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z",
                      "+275760-09-13T00:00:00Z", "2024-01-01T00:00:00+99:00", "2024-01-01T00:00:00.0000000001Z",
                      "2024-01-01T00:00:00Z\x00", "2024-01-01T00:00:00ZZ", "2024-W01-1T00:00:00Z",
                      "２０２４-01-01T00:00:00Z", "2024-01-01T00:00:00Z" + "0" * 10_000, 1_700_000_000, 2**63]
_DATES_ADMITTED = ["0001-01-01", "9999-12-31", "2000-02-29", "1970-01-01"]
_DATES_REFUSED = ["", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01", "10000-01-01",
                  "2024-1-1", "20240101", "2024-01-01T00:00:00Z", "-2024-01-01", "2024-01-01\x00", "9" * 1000]
_TIMES_ADMITTED = ["00:00", "00:00:00", "23:59:59.999999", "23:59", "12:00:00+14:00"]
_TIMES_REFUSED = ["", "24:00", "24:00:00", "23:59:60", "12:00:00+99:00", "12:60", "-01:00", "12:00:00.0000001",
                  "noon", "12\x00:00"]
_DECIMALS_ADMITTED = ["0", "-0", "1", "-1", "0.001", "1.005", "10.00", "9999999999", "1e2", "1E-5", "+2.50"]
_DECIMALS_REFUSED = ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", "1e999999999", "-1e999999999",
                     "1e-999999999", "9" * 5000, "0." + "0" * 5000 + "1", "1_000", "0x10", "1,5", "", "١٢٣",
                     1.5, 10**400, math.nan, math.inf]


def _deep(depth: int, container: str) -> Any:
    """Nested `depth` levels; past a few hundred as Raw text (json.dumps would recurse)."""
    if depth > 500:
        return Raw("[" * depth + "1" + "]" * depth if container == "list" else '{"a":' * depth + "1" + "}" * depth)
    value: Any = 1
    for _ in range(depth):
        value = [value] if container == "list" else {"a": value}
    return value


_JSONS = [_deep(5, "object"), _deep(6, "list"), _deep(33, "list"), _deep(33, "object"), _deep(200, "list"),
          _deep(2_000, "list"), _deep(5_000, "object"), {"k": "x" * 200_000}, list(range(20_000)),
          {str(i): i for i in range(5_000)}, {"\x00": "\x00", "\ud800": 1}, [math.nan, math.inf, -math.inf],
          10**400, Raw(_BIG_INT_TEXT), "", {"": None}, {"__proto__": {"a": 1}}, [[[]]], [], {}, None, True,
          {"a": [{"b": [{"c": [{"d": _deep(40, "object")}]}]}]}, {"k": "\x00\x1b"}, 2**63, -(2**63) - 1, 1e308]
_STRANGE = [None, [], {}, True, "", 0]

# (admitted, refused) per scalar; a scalar not listed gets generic values.
_SCALARS: dict[str, tuple[list[Any], list[Any]]] = {
    "Int": (_INT_EDGES, _NUMBERS_BEYOND + ["1", True, -0.0, 1e308]),
    "Float": (_INT_EDGES + [-0.0, 1e308, -1e308, 5e-324, 1e-7, 0.1], _NUMBERS_BEYOND[:-2] + ["1.5", "NaN"]),
    "Long": (_INT_EDGES + [2**63 - 1, -(2**63), 2**53 + 1], _NUMBERS_BEYOND[3:] + [str(2**63), "1", 1.5]),
    "String": (_STRINGS, [0, 1.5, True, [], {}]),
    "ID": (_IDS + [0, -1, 2**31, 2**63, 10**30], [1.5, True, [], {}, math.nan]),
    "Boolean": ([True, False], ["true", "false", 1, 0, "", "yes"]),
    "DateTime": (_DATETIMES_ADMITTED, _DATETIMES_REFUSED),
    "Date": (_DATES_ADMITTED, _DATES_REFUSED),
    "Time": (_TIMES_ADMITTED, _TIMES_REFUSED),
    "Decimal": (_DECIMALS_ADMITTED, _DECIMALS_REFUSED),
    "JSON": (_JSONS, [*_STRINGS[:12], *_NUMBERS_BEYOND]),  # what a JSON scalar admits is its own rule
}


def _scalar_values(type_: GraphQLScalarType, admitted: bool) -> st.SearchStrategy[Any]:
    good, bad = _SCALARS.get(type_.name, (_STRINGS[:12], _NUMBERS_BEYOND[:8]))
    if type_.name == "String" and admitted:
        return st.sampled_from(good) | st.text(st.characters(codec=None), max_size=30)
    if admitted:
        return st.sampled_from(good)
    return st.sampled_from(good + bad) | st.sampled_from(_STRANGE)


def _enum_values(type_: GraphQLEnumType, admitted: bool) -> st.SearchStrategy[Any]:
    names = sorted(type_.values)
    if admitted:
        return st.sampled_from(names)
    return st.sampled_from(names).flatmap(lambda name: st.sampled_from(
        [name.lower(), name + "X", f" {name}", f"{name}\x00", [name], 0, 1, "", None, True, "\ud800"]))


@st.composite
def hostile(draw: st.DrawFn, type_: GraphQLInputType, value: Any, admitted: bool = False, depth: int = 0) -> Any:
    """A value for a variable of `type_` near or past the edge of what it admits, built on
    the generated `value` where it has one (one field or item changed, the rest kept).
    With `admitted`, only values the type admits (the resolver gets them), as far as the
    generated value's own fields allow."""
    if isinstance(type_, GraphQLNonNull):
        if not admitted and draw(st.integers(0, 9)) == 0:
            return None
        return draw(hostile(type_.of_type, value, admitted, depth))
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else []
        choice = draw(st.integers(0, 5))
        if choice == 0 or depth > 3:  # a lone item (coerces to a list of one), or an empty list
            return [] if admitted else draw(hostile(type_.of_type, items[0] if items else None, admitted, depth + 1))
        if choice == 1:  # long, of something small: 20,000 copies of a 200 KB string would be 4 GB
            small = items[0] if items and len(repr(items[0])) <= 40 else None
            return [small] * (1_000 if admitted and small is not None else 20_000)
        if choice == 2 and not admitted:
            return [items] if items else [[None]]
        index = draw(st.integers(0, len(items)))
        item = draw(hostile(type_.of_type, items[index] if index < len(items) else None, admitted, depth + 1))
        return items[:index] + [item] + items[index + 1:]
    if isinstance(type_, GraphQLInputObjectType):
        fields = type_.fields
        base = dict(value) if isinstance(value, dict) else {}
        choice = 9 if admitted else draw(st.integers(0, 7))
        if choice == 0:
            return draw(st.sampled_from(["", 0, [], True, "{}", [base]]))
        if choice == 1:
            return {**base, draw(st.sampled_from(["unknownField", "__typename", "a\x00", ""])): 1}
        if choice == 2:
            required = [n for n, f in fields.items() if isinstance(f.type, GraphQLNonNull) and f.default_value is None]
            if required:
                base.pop(draw(st.sampled_from(required)), None)
            return base
        if depth > 3:
            return base
        for _ in range(draw(st.integers(1, 3))):
            name = draw(st.sampled_from(sorted(fields)))
            base[name] = draw(hostile(fields[name].type, base.get(name), admitted, depth + 1))
        return base
    if isinstance(type_, GraphQLEnumType):
        return draw(_enum_values(type_, admitted))
    return draw(_scalar_values(type_, admitted))


def encode(payload: dict[str, Any]) -> bytes:
    """JSON as a client could write it: NaN and Infinity as Python's json writes them,
    Raw numbers verbatim, lone surrogates escaped."""
    raws: list[str] = []

    def default(value: Any) -> str:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"\x00raw{len(raws) - 1}\x00"
        raise TypeError(value)

    text = json.dumps(payload, default=default, allow_nan=True)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00raw{index}\x00"), raw)
    return text.encode()


def summary(value: Any, limit: int = 120) -> str:
    """A value for a failure message: long strings, lists and nesting cut short."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def reproducer(document: DocumentNode, variables: dict[str, Any]) -> str:
    return print_ast(document) + "\nvariables: {" + ", ".join(
        f"{name!r}: {summary(value)}" for name, value in variables.items()) + "}"
