"""The codes of GraphQL errors a client caused, and how each kind of error is logged.

Every error a client can cause carries `extensions.code`, in every mode: in production,
MaskErrors replaces the message of any error without a code that wraps an exception with
"Unexpected error.", which then means a bug and only a bug.

Logging (strawberry logs every error at ERROR with its traceback; most are refusals):
- no code, or a code saying something of ours is down: ERROR, with the traceback;
- a limit that refused (too deep, too costly, rate limited...): WARNING;
- the client's own mistake (syntax, validation, a bad variable): INFO.
Refusals are logged without traceback and without the values the client sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from graphql import GraphQLError, GraphQLSyntaxError

from api.observability.logging import graphql_error_text

log = logging.getLogger("strawberry.execution")  # where strawberry logs them: dashboards keep working

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"

LIMIT_CODES = frozenset({
    "QUERY_TOO_DEEP", "TOO_MANY_ALIASES", "TOO_MANY_FRAGMENT_SPREADS", "TOO_MANY_REPEATED_FIELDS",
    "QUERY_TOO_COSTLY", "RATE_LIMITED", "TIMEOUT",
})
# Coded, but a failure of ours: someone must look.
FAILURE_CODES = frozenset({"SERVICE_UNAVAILABLE", "LEADERBOARD_UNAVAILABLE", "INTERNAL_SERVER_ERROR"})

_MAX_TOKENS = re.compile(r"^Syntax Error: Document contains more than (\d+) tokens")
_MAX_LENGTH = re.compile(r"^Syntax Error: Source contains more than (\d+) code points")
_VARIABLE = re.compile(r"^Variable '\$(\w+)' has invalid (?:default )?value(?: at ([^:]+))?:")
# graphql-core quotes names ('Query', 'LeaderboardBoard') and values: values in double
# quotes (a Date: "2026-13-01") or, in single quotes, anything that is not a name.
_QUOTED = re.compile(r"(?P<name>'[_A-Za-z][_0-9A-Za-z]*')|'[^']*'|\"[^\"]*\"")


def _without_values(text: str) -> str:
    return _QUOTED.sub(lambda m: m.group("name") or "[value]", text)


def code_of(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def with_code(error: GraphQLError, code: str, **extensions: object) -> GraphQLError:
    """A copy of the error with a code (errors may be shared: validation results are cached)."""
    if code_of(error) is not None:
        return error
    return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path,
                        error.original_error, {**(error.extensions or {}), "code": code, **extensions})


def parse_failed(error: GraphQLSyntaxError) -> dict[str, object]:
    """The extensions of a syntax error: its code, and the limit when one was passed."""
    if match := _MAX_TOKENS.match(error.message):
        return {"code": PARSE_FAILED, "maxTokens": int(match.group(1))}
    if match := _MAX_LENGTH.match(error.message):
        return {"code": PARSE_FAILED, "maxLength": int(match.group(1))}
    return {"code": PARSE_FAILED}


def bad_variable(error: GraphQLError) -> GraphQLError:
    """A variable that does not fit its type, with the path of the bad value
    (`input.items.3.quantity`) in `extensions.variable` as well as in the message."""
    match = _VARIABLE.match(error.message)
    extensions: dict[str, object] = {}
    if match:
        inner = (match.group(2) or "").replace("[", ".").replace("]", "")
        extensions["variable"] = match.group(1) + inner
    return with_code(error, BAD_USER_INPUT, **extensions)


def level_of(code: str | None) -> int:
    if code is None or code in FAILURE_CODES:
        return logging.ERROR
    if code in LIMIT_CODES:
        return logging.WARNING
    return logging.INFO


def log_errors(errors: Iterable[GraphQLError]) -> None:
    for error in errors:
        code = code_of(error)
        level = level_of(code)
        if level == logging.ERROR:
            # The filter in api/observability/logging.py drops the query excerpt and values.
            log.log(level, error, exc_info=error.original_error, extra={"code": code})
        else:
            text = _without_values(graphql_error_text(error))
            log.log(level, "%s: %s", code, text, extra={"code": code})
