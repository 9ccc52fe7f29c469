"""Parsing and validating a GraphQL document, each answer with a code, each bounded in time.

Replaces strawberry's ParserCache and ValidationCache (same shared caches) and its depth
and alias limiters:
- texts longer than `max_query_length` are refused before they are read;
- a syntax error is left for strawberry to answer as a pre-execution error; the schema's
  process_errors gives it its code (GRAPHQL_PARSE_FAILED) on every transport;
- before graphql-core's rules run, the document's shape (api/limits/document_shape.py) is
  measured in linear time: too deep, too many aliases, fragment spreads or repeated
  fields are refused with their limit, and the quadratic rules never see such documents;
- graphql-core's errors get GRAPHQL_VALIDATION_FAILED; at most 5 are made
  (each one scans the text for its line and column); suggestions ("Did you mean ...?")
  are left out in production, where they would list the schema introspection hides;
- variables are coerced once the document is valid: a value that does not fit its type is
  BAD_USER_INPUT, naming the variable's path, and nothing runs (graphql-core would report
  it from inside execution, with no code; MaskErrors then hid it in production);
- if the request's time ran out meanwhile (validation is synchronous CPU: the asyncio
  timeout cannot fire during it), the answer is TIMEOUT and nothing runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, validate
from graphql.validation import (
    ExecutableDefinitionsRule,
    FieldsOnCorrectTypeRule,
    KnownArgumentNamesRule,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    KnownTypeNamesRule,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import get_operation_ast
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from api.limits.document_shape import ShapeLimits, shape_refusal
from api.limits.graphql_errors import VALIDATION_FAILED, bad_variable, with_code
from api.limits.timeout import deadline_passed, timeout_error
from api.settings import Settings

VALIDATION_CACHE_SIZE = 128  # as strawberry's ValidationCache: distinct texts are a client's choice
# Each error scans the text for its line and column: 10 errors in a 200 KB text took 0.2 s.
MAX_VALIDATION_ERRORS = 5


class DocumentParser(ParserCache):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.max_length = settings.max_query_length

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        # Refused before lexing; strawberry's second parse below keeps the option too.
        ec.parse_options["max_source_length"] = self.max_length  # type: ignore[typeddict-unknown-key]
        try:
            ec.graphql_document = self.cached_parse_document(ec.query, **ec.parse_options)
        except GraphQLError:
            # Raised from here, the error would escape strawberry's handling on websockets;
            # left alone, strawberry parses the text again and answers the error itself.
            pass
        yield


# Names the schema does not know, checked alone first: some of graphql-core's rules walk a
# whole operation before its first field (variable usages, overlapping fields), so 1,900
# unknown fields took 0.1 s to refuse with every rule, and this pass stops at the 6th.
_UNKNOWN_NAMES = (ExecutableDefinitionsRule, KnownTypeNamesRule, FieldsOnCorrectTypeRule,
                  KnownArgumentNamesRule, KnownDirectivesRule, KnownFragmentNamesRule)


@lru_cache(maxsize=VALIDATION_CACHE_SIZE)
def _validate(schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...],
              hide_suggestions: bool) -> list[GraphQLError]:
    """strawberry's validate_document, with a bound on errors and suggestions optional."""
    errors = validate(schema, document, _UNKNOWN_NAMES, max_errors=MAX_VALIDATION_ERRORS,
                      hide_suggestions=hide_suggestions)
    if not errors:
        errors = validate(schema, document, (*rules, MaybeNullValidationRule, OneOfInputValidationRule),
                          max_errors=MAX_VALIDATION_ERRORS, hide_suggestions=hide_suggestions)
    return [with_code(error, VALIDATION_FAILED) for error in errors]


class DocumentValidation(SchemaExtension):
    def __init__(self, settings: Settings) -> None:
        self.limits = ShapeLimits(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_fragment_spreads=settings.max_fragment_spreads,
            max_repeated_fields=settings.max_repeated_fields,
        )
        self.hide_suggestions = settings.production

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        ec.pre_execution_errors = self._errors()
        if not ec.pre_execution_errors and (seconds := deadline_passed()) is not None:
            ec.pre_execution_errors = [timeout_error(seconds)]
        yield

    def _errors(self) -> list[GraphQLError]:
        ec = self.execution_context
        document = ec.graphql_document
        assert document is not None
        refusal = shape_refusal(document, self.limits)
        if refusal is not None:
            return [refusal]
        schema = ec.schema._schema  # graphql-core's schema behind strawberry's
        errors = _validate(schema, document, ec.validation_rules, self.hide_suggestions)
        if errors:
            return list(errors)
        operation = get_operation_ast(document, ec.operation_name)
        if operation is None:
            return []  # strawberry already refused an unknown operation name
        sent = ec.variables if isinstance(ec.variables, dict) else {}
        coerced = get_variable_values(schema, operation.variable_definitions or (), sent,
                                      max_errors=MAX_VALIDATION_ERRORS, hide_suggestions=self.hide_suggestions)
        if isinstance(coerced, list):
            return [bad_variable(error) for error in coerced]
        return []
