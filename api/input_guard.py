"""The edge's one check of every argument a client sends, before any resolver runs.

Installed by `build_schema` on every root Query and Mutation field with arguments (a
strawberry FieldExtension: it sees the converted arguments, nested input objects, lists
and JSON values included; fields below the root pay nothing). It refuses what no business
rule should ever have to think about, because the database or Python would fail on it:

- text with control characters: C0 (U+0000-U+001F) except tab, line feed and carriage
  return, DEL (U+007F), C1 (U+0080-U+009F), and lone surrogates (U+D800-U+DFFF, which
  have no UTF-8 form). PostgreSQL refuses NUL in text and jsonb; the others break logs,
  CSV exports, push payloads and terminals. Every other character, emoji and bidi marks
  included, is the business of the field's own rules.
- times outside 2000-01-01T00:00:00Z..2100-12-31T23:59:59Z, or that cannot be converted
  to UTC at all (year 1 at +14:00): no loyalty fact or report lives there, and Python's
  and the drivers' date arithmetic overflows near the ends of the calendar.
- JSON values (activity attributes, reward impact, segment and goal values) deeper than
  MAX_JSON_DEPTH, with more than MAX_JSON_ENTRIES in one object or array, larger than
  MAX_JSON_BYTES as compact UTF-8 JSON, or holding NaN or Infinity: these describe one
  thing, they do not carry documents, and what is stored must export again.

A field whose payload union has `InvalidInput` answers it, naming every bad field by its
input path (`items.3.sku`; the `input.` of the usual single input object left out);
any other field answers a GraphQL error with `extensions.code = "BAD_USER_INPUT"` naming
the argument path (`from`, `input.displayName`). Either way the resolver never runs, so
nothing is written. It runs after the permission check: a caller who may not use the
field learns nothing about its input rules.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.scalars import JSON
from strawberry.schema.name_converter import NameConverter
from strawberry.types import Info
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UnsetType

from api.problems import InvalidInput, problem
from domain.errors import FieldProblem
from domain.errors import InvalidInput as InvalidInputError

# Refused in any text; tab, line feed and carriage return are ordinary in free text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
MAX_JSON_DEPTH = 5  # {"a": {"b": 1}} is 2 deep
MAX_JSON_ENTRIES = 50  # keys of one object, items of one array
MAX_JSON_BYTES = 4_096
MAX_PROBLEMS = 20  # a client gets enough to fix its request, not a copy of it

_TIME_RANGE = (f"must be between {EARLIEST_TIME:%Y-%m-%dT%H:%M:%SZ} and {LATEST_TIME:%Y-%m-%dT%H:%M:%SZ}")


def text_problem(value: str) -> str | None:
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return None
    return f"must not contain control characters (U+{ord(found.group()):04X} at position {found.start()})"


def time_problem(value: datetime) -> str | None:
    if value.utcoffset() is None:  # naive: the field's own rule asks for an offset
        return None if EARLIEST_TIME.year <= value.year <= LATEST_TIME.year else _TIME_RANGE
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        return _TIME_RANGE
    return None if EARLIEST_TIME <= in_utc <= LATEST_TIME else _TIME_RANGE


def json_problems(value: Any, path: str) -> list[FieldProblem]:
    """Limits of one JSON value; the structure is walked without recursion, so a value
    nested a thousand deep costs as little as one nested six deep."""
    problems: list[FieldProblem] = []
    nodes = 0
    pending: list[tuple[Any, str, int]] = [(value, path, 0)]
    while pending and len(problems) < MAX_PROBLEMS:
        item, where, depth = pending.pop()
        nodes += 1
        if nodes > MAX_JSON_BYTES:  # every node takes a byte at least: too large anyway
            break
        if isinstance(item, str):
            if (message := text_problem(item)) is not None:
                problems.append(FieldProblem(where, message))
        elif isinstance(item, float) and not math.isfinite(item):
            problems.append(FieldProblem(where, "must be plain JSON (no NaN or Infinity)"))
        elif isinstance(item, dict | list):
            if depth + 1 > MAX_JSON_DEPTH:
                return [FieldProblem(path, f"must nest at most {MAX_JSON_DEPTH} levels of objects and arrays")]
            if len(item) > MAX_JSON_ENTRIES:
                return [FieldProblem(path, f"must have at most {MAX_JSON_ENTRIES} entries in an object or array")]
            if isinstance(item, dict):
                for key, child in item.items():
                    key = str(key)
                    if (message := text_problem(key)) is not None:
                        problems.append(FieldProblem(where, f"keys {message}"))
                    else:
                        pending.append((child, f"{where}.{key}", depth + 1))
            else:
                pending.extend((child, f"{where}.{i}", depth + 1) for i, child in enumerate(item))
    if problems:
        return problems
    try:
        encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return [FieldProblem(path, "must be plain JSON")]
    if len(encoded.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
        return [FieldProblem(path, f"must be at most {MAX_JSON_BYTES} bytes as JSON")]
    return []


class _Walk:
    """Collects the problems of one field's arguments, by GraphQL input path."""

    def __init__(self, names: NameConverter) -> None:
        self.names = names
        self.problems: list[FieldProblem] = []

    def value(self, value: Any, annotation: Any, path: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS or value is None or isinstance(value, UnsetType):
            return
        while isinstance(annotation, StrawberryOptional):
            annotation = annotation.of_type
        if annotation is JSON or isinstance(value, dict):
            self.problems.extend(json_problems(value, path)[: MAX_PROBLEMS - len(self.problems)])
        elif isinstance(value, str):  # ID, String, and enum members that are strings
            if (message := text_problem(value)) is not None:
                self.problems.append(FieldProblem(path, message))
        elif isinstance(value, datetime):
            if (message := time_problem(value)) is not None:
                self.problems.append(FieldProblem(path, message))
        elif isinstance(value, list | tuple):
            item_type = annotation.of_type if isinstance(annotation, StrawberryList) else None
            for i, item in enumerate(value):
                self.value(item, item_type, f"{path}.{i}")
        elif has_object_definition(value):
            for field in value.__strawberry_definition__.fields:
                name = self.names.get_graphql_name(field)
                self.value(getattr(value, field.python_name, None), field.type, f"{path}.{name}" if path else name)


def _answers_invalid_input(field: StrawberryField) -> bool:
    answer = field.type
    while isinstance(answer, StrawberryOptional):
        answer = answer.of_type
    return answer is InvalidInput or InvalidInput in getattr(answer, "types", ())


class InputGuard(FieldExtension):
    def apply(self, field: StrawberryField) -> None:
        self.arguments = list(field.arguments)
        self.answers_invalid_input = _answers_invalid_input(field)
        # `input: SomeInput` is how mutations take their input; its paths start below it.
        self.input_root = next(
            (a.python_name for a in self.arguments if a.python_name == "input" and not isinstance(a.type, StrawberryList)),
            None,
        )

    def _problems(self, info: Info, kwargs: dict[str, Any]) -> list[FieldProblem]:
        walk = _Walk(info.schema.config.name_converter)
        for argument in self.arguments:
            if argument.python_name not in kwargs:
                continue
            name = walk.names.get_graphql_name(argument)
            root = "" if self.answers_invalid_input and argument.python_name == self.input_root else name
            walk.value(kwargs[argument.python_name], argument.type, root)
        return walk.problems

    def _refusal(self, info: Info, kwargs: dict[str, Any]) -> Any:
        problems = self._problems(info, kwargs)
        if not problems:
            return None
        if self.answers_invalid_input:
            return problem(InvalidInputError(problems))
        first = problems[0]
        raise GraphQLError(
            f"{first.path}: {first.message}",
            extensions={"code": "BAD_USER_INPUT", "field": first.path,
                        "fields": [{"path": p.path, "message": p.message} for p in problems]},
        )

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        refusal = self._refusal(info, kwargs)
        return refusal if refusal is not None else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        refusal = self._refusal(info, kwargs)
        return refusal if refusal is not None else await next_(source, info, **kwargs)


def guard_root_fields(*root_types: Iterable[type]) -> None:
    """Put an InputGuard on every field with arguments of these root types, once (the
    types are module-level and shared by every schema built from them). Innermost, so
    permission extensions run first and the resolver right after it."""
    for root in root_types:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if field.arguments and not any(isinstance(e, InputGuard) for e in field.extensions):
                field.extensions.insert(0, InputGuard())
