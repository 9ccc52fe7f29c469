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


# Values around the edges of every scalar, valid and not. Huge ones stay well inside the
# body limit (256 KiB) on their own.
_BIG_INT_TEXT = "9" * 5000
_NUMBERS_BEYOND = [2**31, -(2**31) - 1, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30, 10**400,
                   Raw(_BIG_INT_TEXT), Raw("-" + _BIG_INT_TEXT), Raw("1e999"), Raw("-1e999"), Raw("1E400"),
                   math.nan, math.inf, -math.inf, 1.5, -0.0, 1e308, 5e-324]
_INT_EDGES = [0, -1, 1, 2**31 - 1, -(2**31)]
_LONG_EDGES = [2**63 - 1, -(2**63)]
_CONTROL = ["\x00", "a\x00b", "\x01\x02\x03", "\x1b[31mred\x1b[0m", "\r\n", "line\nbreak", "\t", "\x7f", "\x85",
            "\u2028", "\u202eevil", "\ufeff", "\ud800", "\udfff", "a\ud83d", "\uffff", "\U0010ffff"]
_STRINGS = [*_CONTROL, "", " ", "null", "undefined", "0", "-1", "1e3", "NaN", "Infinity", "true", "%s%n",
            "' OR 1=1 --", "\\", '"', "../../etc/passwd", "<script>", "😀" * 3, "é" * 255, "x" * 256,
            "x" * 65_536, "x" * 200_000, "😀" * 15_000, "\x00" * 30_000]
_IDS = ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "0", "-1", "1.5",
        "9" * 30, str(2**31), str(2**63), " 1", "1 ", "+1", "0x10", "1_000", "١٢٣", "\x001", "1\x00", "",
        "a" * 10_000]
_DATETIMES = ["", "now", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z",
              "2024-01-01T23:59:60Z", "2024-01-01T00:00:00", "2024-01-01", "00:00:00Z", "0000-01-01T00:00:00Z",
              "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+23:59",
              "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59-23:59",
              "9999-12-31T23:59:59-14:00", "10000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z",
              "2024-01-01T00:00:00+99:00", "2024-01-01T00:00:00.0000000001Z", "2024-01-01T00:00:00Z\x00",
              "2024-01-01T00:00:00ZZ", "2024-W01-1T00:00:00Z", "1970-01-01T00:00:00Z", "2038-01-19T03:14:08Z",
              "２０２４-01-01T00:00:00Z", "2024-01-01T00:00:00Z" + "0" * 10_000]
_DATES = ["", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01", "0001-01-01",
          "9999-12-31", "10000-01-01", "2024-1-1", "20240101", "2024-01-01T00:00:00Z", "-2024-01-01",
          "2024-01-01\x00", "9" * 1000]
_TIMES = ["", "24:00", "24:00:00", "23:59:60", "12:00:00+99:00", "12:00:00Z", "12:60", "-01:00", "12:00:00.0000001",
          "noon", "12\x00:00"]
_DECIMALS = ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", "1e999999999", "-1e999999999", "1e-999999999",
             "9" * 5000, "0." + "0" * 5000 + "1", "1_000", "0x10", " 1", "1,5", "", "-0", "1e2", "١٢٣",
             1.5, 10**400, math.nan, math.inf]
_BOOLEANS = ["true", "false", 1, 0, "", "yes"]


def _deep(depth: int, container: str) -> Any:
    """Nested `depth` levels; past a few hundred as Raw text (json.dumps would recurse)."""
    if depth > 500:
        return Raw("[" * depth + "1" + "]" * depth if container == "list" else '{"a":' * depth + "1" + "}" * depth)
    value: Any = 1
    for _ in range(depth):
        value = [value] if container == "list" else {"a": value}
    return value


_JSONS = [_deep(33, "list"), _deep(33, "object"), _deep(200, "list"), _deep(2_000, "list"),
          _deep(5_000, "object"), {"k": "x" * 200_000}, list(range(20_000)), {str(i): i for i in range(5_000)},
          {"\x00": "\x00", "\ud800": 1}, [math.nan, math.inf, -math.inf], 10**400, Raw(_BIG_INT_TEXT),
          "", {"": None}, {"__proto__": {"a": 1}}, [[[]]], {"a": [{"b": [{"c": [{"d": _deep(40, "object")}]}]}]}]


def _scalar_values(type_: GraphQLScalarType) -> st.SearchStrategy[Any]:
    strange = st.sampled_from([None, [], {}, True, "", 0])
    match type_.name:
        case "Int":
            return st.sampled_from(_INT_EDGES + _NUMBERS_BEYOND + ["1", True]) | strange
        case "Float":
            return st.sampled_from(_INT_EDGES + _NUMBERS_BEYOND + ["1.5", "NaN"]) | strange
        case "Long":
            return st.sampled_from(_INT_EDGES + _LONG_EDGES + _NUMBERS_BEYOND + [str(2**63), "1"]) | strange
        case "String":
            return st.sampled_from(_STRINGS) | st.text(st.characters(codec=None, max_codepoint=0x10FFFF), max_size=30) | strange
        case "ID":
            return st.sampled_from(_IDS + _CONTROL) | st.integers(-(2**70), 2**70) | strange
        case "Boolean":
            return st.sampled_from(_BOOLEANS) | strange
        case "DateTime":
            return st.sampled_from(_DATETIMES) | st.integers(-(2**63), 2**63) | strange
        case "Date":
            return st.sampled_from(_DATES + _DATETIMES[:3]) | strange
        case "Time":
            return st.sampled_from(_TIMES) | strange
        case "Decimal":
            return st.sampled_from(_DECIMALS) | strange
        case "JSON":
            return st.sampled_from(_JSONS) | st.sampled_from(_STRINGS + _NUMBERS_BEYOND)
    return st.sampled_from(_STRINGS[:12] + _NUMBERS_BEYOND[:8]) | strange


def _enum_values(type_: GraphQLEnumType) -> st.SearchStrategy[Any]:
    names = list(type_.values)
    return st.sampled_from(names).flatmap(lambda name: st.sampled_from(
        [name.lower(), name + "X", f" {name}", f"{name}\x00", [name], 0, 1, "", None, True, "\ud800"]))


@st.composite
def hostile(draw: st.DrawFn, type_: GraphQLInputType, value: Any, depth: int = 0) -> Any:
    """A value for a variable of `type_` near or past the edge of what it admits, built on
    the generated `value` where it has one (one field or item changed, the rest kept)."""
    if isinstance(type_, GraphQLNonNull):
        if draw(st.integers(0, 9)) == 0:
            return None
        return draw(hostile(type_.of_type, value, depth))
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else []
        choice = draw(st.integers(0, 5))
        if choice == 0 or depth > 3:
            return draw(hostile(type_.of_type, items[0] if items else None, depth + 1))  # a lone item
        if choice == 1:  # long, of something small: 20,000 copies of a 200 KB string would be 4 GB
            small = items[0] if items and len(repr(items[0])) <= 40 else None
            return [small] * 20_000
        if choice == 2:
            return [items] if items else [[None]]
        index = draw(st.integers(0, len(items)))
        return items[:index] + [draw(hostile(type_.of_type, items[index] if index < len(items) else None,
                                             depth + 1))] + items[index + 1:]
    if isinstance(type_, GraphQLInputObjectType):
        fields = type_.fields
        base = dict(value) if isinstance(value, dict) else {}
        choice = draw(st.integers(0, 7))
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
            return {}
        name = draw(st.sampled_from(sorted(fields)))
        base[name] = draw(hostile(fields[name].type, base.get(name), depth + 1))
        return base
    if isinstance(type_, GraphQLEnumType):
        return draw(_enum_values(type_))
    return draw(_scalar_values(type_))


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
