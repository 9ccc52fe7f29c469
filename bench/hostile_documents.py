"""How long the worst documents we could build take to refuse (or to pass), in-process.

`.venv/bin/python -m bench.hostile_documents` prints, for each document under the token
limit (2,000) and the body limit, the time of what a request does before any resolver:
parse (with the token limit), the shape limits (api/limits/document_shape.py), then
graphql-core's rules and strawberry's, uncached, when the shape passed. Each should stay
well under 50 ms on the 2-core development machine; `old` is strawberry's depth and alias
limiters plus graphql-core's rules (what main ran before), shown where it takes under 2 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from graphql import GraphQLError, parse, specified_rules, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from api.limits.document_guard import _validate
from api.limits.document_shape import ShapeLimits, shape_refusal
from api.schema import build_schema
from api.settings import Settings

SETTINGS = Settings()
LIMITS = ShapeLimits(SETTINGS.max_query_depth, SETTINGS.max_aliases, SETTINGS.max_fragment_spreads,
                     SETTINGS.max_repeated_fields)


def fan_out(levels: int, width: int = 2, leaf: str = "__typename") -> str:
    spreads = " ".join(["...F{next}"] * width)
    fragments = " ".join(f"fragment F{i} on Query {{ {spreads.format(next=i + 1)} }}" for i in range(levels))
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ {leaf} }}"


DOCUMENTS: dict[str, Callable[[], str]] = {
    "fan-out, 22 levels (871 bytes)": lambda: fan_out(22),
    "fan-out, 30 levels": lambda: fan_out(30),
    "fan-out, 3 wide, 40 levels": lambda: fan_out(40, 3, "tiers { name }"),
    "chain of 240 fragments": lambda: "{ ...F0 } " + " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(240)) + " fragment F240 on Query { __typename }",
    "330 x tiers { name } in one set": lambda: "{" + " tiers { name }" * 330 + " }",
    "200 inline fragments of tiers": lambda: "{" + " ... on Query { tiers { name } }" * 200 + " }",
    "100 fragments of tiers, 1 set": lambda: "{ " + " ".join(f"...F{i}" for i in range(100)) + " } " + " ".join(
        f"fragment F{i} on Query {{ tiers {{ name }} }}" for i in range(100)),
    "10 x tiers, 10 sets nested x10": lambda: "{" + (" tiers { " + "name " * 10 + "}") * 10 + " }",
    "just under the repeat limit, everywhere": lambda: "{" + " ".join(
        f"a{i}: tiers {{ " + "name " * 10 + "}" for i in range(30)) + " }",
    "1,900 unknown fields": lambda: "{" + " ".join(f"tierz{i}" for i in range(1900)) + " }",
    "100 unknown 2,000-char fields (200 KB)": lambda: "{" + " ".join(f"{'x' * 2000}{i}" for i in range(100)) + " }",
    "15 unknown 2,000-char fields (30 KB)": lambda: "{" + " ".join(f"{'x' * 2000}{i}" for i in range(15)) + " }",
    "990 unknown directives": lambda: "{ __typename " + "@nope " * 990 + "}",
    "list literal nested 990 deep": lambda: "{ member(id: " + "[" * 990 + "]" * 990 + ") { id } }",
    "480 unused variables": lambda: "query(" + " ".join(f"$v{i}: Int" for i in range(480)) + ") { __typename }",
    "600 unknown arguments": lambda: "{ __typename(" + " ".join(f"a{i}: 1" for i in range(600)) + ") }",
    "400 named operations": lambda: " ".join(f"query Q{i} {{ __typename }}" for i in range(400)),
    "inline fragments nested 300 deep": lambda: "{" + "... {" * 300 + " __typename" + "}" * 300 + "}",
    "2,001 tokens of comments": lambda: "{ __typename " + "# c\n" * 2000 + "}",
}


def _old_rules() -> tuple:
    return (*specified_rules,
            *QueryDepthLimiter(max_depth=SETTINGS.max_query_depth).validation_rules,
            *MaxAliasesLimiter(max_alias_count=SETTINGS.max_aliases).validation_rules)


def measure(text: str, schema) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        document = parse(text, max_tokens=SETTINGS.max_tokens, max_source_length=SETTINGS.max_query_length)
    except GraphQLError as error:
        return time.perf_counter() - started, f"GRAPHQL_PARSE_FAILED ({error.message[:40]})"
    refusal = shape_refusal(document, LIMITS)
    if refusal is not None:
        return time.perf_counter() - started, refusal.extensions["code"]
    _validate.cache_clear()
    errors = _validate(schema, document, tuple(specified_rules), True)  # hide suggestions: production
    return time.perf_counter() - started, errors[0].extensions["code"] if errors else "valid"


def main() -> None:
    schema = build_schema(SETTINGS)._schema
    print(f"{'document':42} {'bytes':>7} {'now':>9}  answer{'':28} {'old':>9}")
    for name, make in DOCUMENTS.items():
        text = make()
        seconds, answer = min((measure(text, schema) for _ in range(3)), key=lambda m: m[0])
        old = ""
        if "fan-out, 30" not in name and "fan-out, 3 wide" not in name:
            started = time.perf_counter()
            try:
                validate(schema, parse(text, max_tokens=SETTINGS.max_tokens), _old_rules())
            except GraphQLError:
                pass
            old = f"{(time.perf_counter() - started) * 1000:7.1f}ms"
        print(f"{name:42} {len(text):7d} {seconds * 1000:7.2f}ms  {answer:34} {old:>9}")


if __name__ == "__main__":
    main()
